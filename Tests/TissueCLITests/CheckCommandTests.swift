import Foundation
import Testing

/// `tissue check` of every file kind, the strictness policy on the shipped configs, and the key
/// reference written from the declarations.
@Suite struct CheckCommandTests {
    /// Every shipped config and tissue file is valid and uses every table and key it gives: no
    /// "not used by this run" warning (the examples show only what matters).
    @Test func shippedConfigsAreValidAndUseEveryKey() throws {
        let files = try ["examples", "tissues"].flatMap { dir in
            try FileManager.default.contentsOfDirectory(atPath: CLI.root.appendingPathComponent(dir).path)
                .filter { $0.hasSuffix(".toml") }.sorted().map { "\(dir)/\($0)" }
        }
        #expect(files.count >= 17)
        for file in files {
            let r = try CLI.run(["check", file, "--json"])
            #expect(r.status == 0, "\(file): \(r.stderr)")
            let json = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
            #expect(json?["valid"] as? Bool == true, "\(file)")
            let warnings = (json?["warnings"] as? [String]) ?? []
            #expect(warnings.isEmpty && !r.stderr.contains("warning:"), "\(file): \(warnings) \(r.stderr)")
        }
    }

    @Test func checkReportsTheKindAndTheDerivedTissueTerms() throws {
        let tissue = try CLI.run(["check", "tissues/brain.toml", "--json"])
        #expect(tissue.status == 0, "\(tissue.stderr)")
        let t = try JSONSerialization.jsonObject(with: Data(tissue.stdout.utf8)) as? [String: Any]
        // brain.toml gives Pe and km; ⟨v⟩^β = Pe Dβ / r and φ² = km r² / (Ka Dβ) are derived.
        let pe = try #require(t?["peclet"] as? Double), r = try #require(t?["effective_radius"] as? Double)
        let km = try #require(t?["km"] as? Double)
        #expect(abs((t?["velocity"] as? Double ?? 0) - pe * 1e-10 / r) <= 1e-12 * pe * 1e-10 / r)
        #expect(abs((t?["thiele_modulus_squared"] as? Double ?? 0) - km * r * r / 1e-10) <= 1e-12 * km * r * r / 1e-10)
        let train = try CLI.run(["check", "examples/train-tissue.toml", "--json"])
        #expect(train.status == 0 && train.stdout.contains("\"kind\":\"training config\""), "\(train.stdout)")
        let surrogate = try CLI.run(["check", "examples/surrogate.toml", "--json"])
        #expect(surrogate.status == 0 && surrogate.stdout.contains("\"kind\":\"surrogate config\""), "\(surrogate.stdout)")
    }

    /// The file kind comes from distinctive tables and keys: a surrogate config without [problem]
    /// and a scenario without [run] are checked as what they are.
    @Test func checkRecognisesTheKindFromItsTables() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let surrogate = dir.appendingPathComponent("s.toml").path
        try "[data]\nsamples = 100\n[training]\nepochs = 2\n".write(toFile: surrogate, atomically: true, encoding: .utf8)
        let s = try CLI.run(["check", surrogate, "--json"])
        #expect(s.status == 0 && s.stdout.contains("\"kind\":\"surrogate config\""), "\(s.stdout) \(s.stderr)")
        let scenario = dir.appendingPathComponent("n.toml").path
        try "[tissue]\nfile = \"\(CLI.root.path)/tissues/brain.toml\"\n[closure]\nkind = \"analytic\"\n"
            .write(toFile: scenario, atomically: true, encoding: .utf8)
        let n = try CLI.run(["check", scenario])
        #expect(n.status != 0 && n.stderr.contains("missing required table [run]"), "\(n.stderr)")
    }

    /// A key the run does not read warns on stderr with its line, and the run still succeeds.
    @Test func anUnreadKeyWarnsWithItsLine() throws {
        let r = try CLI.run(["check", "examples/brain.toml", "--set", "closure.eta=0.5"])
        #expect(r.status == 0)
        #expect(r.stderr.contains("warning: --set: closure.eta is not used by this run (it is read only when closure.kind = \"constant\")"),
                "\(r.stderr)")
    }

    /// docs/config-keys.md is the reference `tissue keys` writes from the declarations; regenerate
    /// with `tissue keys > docs/config-keys.md` after changing a key.
    @Test func keyReferenceInDocsIsCurrent() throws {
        let r = try CLI.run(["keys"])
        #expect(r.status == 0)
        let docs = try String(contentsOf: CLI.root.appendingPathComponent("docs/config-keys.md"), encoding: .utf8)
        #expect(docs == r.stdout, "docs/config-keys.md is stale: regenerate it with `tissue keys > docs/config-keys.md`")
        for table in ["[run]", "[tissue.dispersion]", "[transient]", "[inlet]", "[sweep]", "[dns]", "[network]", "[problem]"] {
            #expect(r.stdout.contains("### \(table)"), "\(table)")
        }
        let bad = try CLI.run(["keys", "bogus"])
        #expect(bad.status != 0 && bad.stderr.contains("expected one of scenario, tissue, train, surrogate"), "\(bad.stderr)")
    }
}
