import Foundation
import Testing

/// Bad configs fail before any work with exit code ≠ 0 and a message naming the problem.
@Suite struct ConfigErrorTests {
    /// Writes a scenario based on examples/brain.toml with `edit` applied, runs `tissue run`.
    func runEdited(_ edit: (String) -> String, extra: [String] = []) throws -> (CLIResult, String) {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let original = try String(contentsOf: CLI.root.appendingPathComponent("examples/brain.toml"), encoding: .utf8)
        let tissue = CLI.root.appendingPathComponent("tissues/brain.toml").path
        let model = CLI.root.appendingPathComponent("models/eta-mlp-tissue.h5").path
        let text = edit(original.replacingOccurrences(of: "\"../tissues/brain.toml\"", with: "\"\(tissue)\"")
            .replacingOccurrences(of: "\"../models/eta-mlp-tissue.h5\"", with: "\"\(model)\""))
        let config = dir.appendingPathComponent("bad.toml")
        try text.write(to: config, atomically: true, encoding: .utf8)
        let out = dir.appendingPathComponent("out.h5").path
        let result = try CLI.run(["run", config.path, "-o", out, "--quiet"] + extra)
        #expect(!FileManager.default.fileExists(atPath: out), "no output may be written for a bad config")
        return (result, config.path)
    }

    @Test func unknownKeySuggestsTheNearestOne() throws {
        let (r, path) = try runEdited { $0.replacingOccurrences(of: "cells =", with: "cels =") }
        #expect(r.status != 0)
        #expect(r.stderr.contains("cels") && r.stderr.contains("cells"), "\(r.stderr)")
        #expect(r.stderr.contains(path))
    }

    @Test func unknownUnitIsNamed() throws {
        let (bad, _) = try runEdited({ $0 }, extra: ["--set", "tissue.length=20 furlongs"])
        #expect(bad.status != 0)
        #expect(bad.stderr.contains("furlongs"), "\(bad.stderr)")
    }

    @Test func outOfRangeValuesNameKeyAndRange() throws {
        for (override, key) in [("tissue.porosity=1.3", "porosity"), ("tissue.length=-5 um", "length"),
                                ("tissue.Ka=0", "Ka"), ("grid.cells=2", "cells")] {
            let (r, _) = try runEdited({ $0 }, extra: ["--set", override])
            #expect(r.status != 0, "\(override)")
            #expect(r.stderr.contains(key), "\(override): \(r.stderr)")
        }
    }

    @Test func wrongTypeIsReported() throws {
        let (r, _) = try runEdited { $0.replacingOccurrences(of: "cells = 1000", with: "cells = \"many\"") }
        #expect(r.status != 0)
        #expect(r.stderr.contains("cells"), "\(r.stderr)")
    }

    @Test func unknownOverrideKeySuggests() throws {
        let (r, _) = try runEdited({ $0 }, extra: ["--set", "solver.tolerence=1e-9"])
        #expect(r.status != 0)
        #expect(r.stderr.contains("tolerance"), "\(r.stderr)")
    }

    @Test func missingConfigFileIsNamed() throws {
        let r = try CLI.run(["run", "no/such/config.toml", "--quiet"])
        #expect(r.status != 0)
        #expect(r.stderr.contains("no/such/config.toml"))
    }

    @Test func modelOfTheWrongKindIsRejected() throws {
        // An `upscaled` file is not a model: the error names the file and both kinds.
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let notModel = dir.appendingPathComponent("up.h5").path
        #expect(try CLI.run(["run", "examples/brain.toml", "-o", notModel, "--quiet", "--set", "grid.cells=20"]).status == 0)
        let (r, _) = try runEdited { text in
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            return lines.map { $0.hasPrefix("model = ") ? "model = \"\(notModel)\"" : String($0) }.joined(separator: "\n")
        }
        #expect(r.status != 0)
        #expect(r.stderr.contains(notModel) && r.stderr.contains("upscaled") && r.stderr.contains("model"), "\(r.stderr)")
    }
}
