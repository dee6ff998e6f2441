import Foundation
import Testing
import HDF5Kit

/// `tissue sweep`: profiles equal single runs, shards and threads do not change a bit, failures are
/// recorded, bad axes are refused, summaries hold against independent checks, Ctrl-C and --resume.
@Suite(.serialized) struct SweepCommandTests {
    /// Every dataset of a sweep file, by path, as raw bytes (NaN-exact) or strings.
    static let numeric = ["sweep/values", "sweep/x", "sweep/c", "sweep/eta", "sweep/run_index", "sweep/failed"]
        + ["total_uptake", "outlet_concentration", "penetration_depth", "eta_min", "eta_max", "clamped_inputs"].map { "sweep/summary/" + $0 }
    static let strings = ["sweep/parameter_names", "sweep/parameter_units", "sweep/failure_reason", "sweep/closure_extrapolation"]

    static func contents(_ path: String) throws -> [String: String] {
        let file = try HDF5File.open(path)
        defer { try? file.close() }
        var out: [String: String] = [:]
        for p in numeric {
            let d = try file.root.dataset(p)
            out[p] = p == "sweep/failed" ? "\(try d.read(Int8.self))"
                : p == "sweep/run_index" ? "\(try d.read(Int64.self))"
                : "\(d.shape) " + (try d.read(Double.self)).map { String($0.bitPattern, radix: 16) }.joined(separator: ",")
            out[p + "@units"] = try d.stringAttribute("units")
            #expect(!(try d.stringAttribute("long_name")).isEmpty, "\(p)")
        }
        for p in strings { out[p] = "\(try file.root.dataset(p).readStrings())" }
        let header = try FileHeader.read(from: file)
        out["config"] = header.config
        out["kind"] = header.kind
        return out
    }

    static func doubles(_ path: String, _ dataset: String) throws -> [Double] {
        let file = try HDF5File.open(path)
        defer { try? file.close() }
        return try file.root.dataset(dataset).read(Double.self)
    }

    /// Each run's profile is that of `tissue run` at the same point, bit for bit; the summaries agree
    /// with the profile (outlet, η range, penetration depth by linear interpolation) and the total uptake
    /// with Σ h k η c/(Ka + c) recomputed from the stored profile (constant closure).
    @Test func profilesEqualSingleRunsAndSummariesHold() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("s.h5").path
        let base = ["--set", "grid.cells=60", "--set", "closure.kind=constant", "--set", "closure.eta=0.74"]
        let r = try CLI.run(["sweep", "examples/brain.toml", "--vary", "tissue.peclet=3:30:3:log", "--vary", "tissue.cL=1 mol/m^3,2",
                             "-o", out, "--quiet", "--json"] + base)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("\"runs\":6"), "\(r.stdout)")
        try ValidateCommandTests.checkContract([out])
        let csv = try String(contentsOfFile: dir.appendingPathComponent("s.csv").path, encoding: .utf8)
        #expect(csv.hasPrefix("run,tissue.peclet [1],tissue.cL [mol m-3],failed,total_uptake [mol m-2 s-1]"), "\(csv)")
        #expect(csv.split(separator: "\n").count == 7)
        let values = try Self.doubles(out, "sweep/values"), x = try Self.doubles(out, "sweep/x")
        let c = try Self.doubles(out, "sweep/c"), eta = try Self.doubles(out, "sweep/eta")
        let n = x.count
        #expect(n == 60 && values.count == 12)
        let file = try HDF5File.open(out)
        defer { try? file.close() }
        #expect(try file.root.dataset("sweep/parameter_units").readStrings() == ["1", "mol m-3"])
        let summary = try ["total_uptake", "outlet_concentration", "penetration_depth", "eta_min", "eta_max", "clamped_inputs"]
            .map { try file.root.dataset("sweep/summary/" + $0).read(Double.self) }
        let porosity = 0.260372, km = 226.34676324128571, Ka = 1.0, h = x[1] - x[0]
        for run in 0..<6 {
            let pe = values[2 * run], cL = values[2 * run + 1]
            #expect(cL == (run % 2 == 0 ? 1 : 2))
            let single = dir.appendingPathComponent("r\(run).h5").path
            let s = try CLI.run(["run", "examples/brain.toml", "-o", single, "--quiet", "--set", "tissue.peclet=\(pe)",
                                 "--set", "tissue.cL=\(cL)"] + base)
            #expect(s.status == 0, "\(s.stderr)")
            let profile = Array(c[(run * n)..<((run + 1) * n)]), etaRow = Array(eta[(run * n)..<((run + 1) * n)])
            #expect(try Self.doubles(single, "macro/c") == profile)
            #expect(try Self.doubles(single, "macro/eta") == etaRow)
            #expect(try Self.doubles(single, "macro/x") == x)
            #expect(summary[1][run] == profile.last!)
            #expect(summary[3][run] == etaRow.min()! && summary[4][run] == etaRow.max()!)
            #expect(summary[5][run] == 0)
            // Penetration depth: linear interpolation of the stored profile at cL/e.
            let level = cL / M_E
            if let i = profile.firstIndex(where: { $0 <= level }), i > 0 {
                let expected = x[i - 1] + (x[i] - x[i - 1]) * (profile[i - 1] - level) / (profile[i - 1] - profile[i])
                #expect(abs(summary[2][run] - expected) <= 1e-15 * expected)
                #expect(summary[2][run] > x[i - 1] && summary[2][run] <= x[i])
            } else {
                #expect(summary[2][run].isNaN)
            }
            // Total uptake: Σ h (1−ε)/ε km η c/(Ka + c).
            let uptake = zip(profile, etaRow).map { (1 - porosity) / porosity * km * $1 * $0 / (Ka + $0) }.reduce(0, +) * h
            #expect(abs(summary[0][run] - uptake) <= 1e-12 * uptake, "\(summary[0][run]) vs \(uptake)")
        }
    }

    /// Two shards merged equal a one-process sweep dataset for dataset, bit for bit, and so do 1 and 2
    /// threads; a point the loader refuses (porosity 1.5) is recorded with its reason and NaN rows.
    @Test func shardsAndThreadsDoNotChangeABitAndFailuresAreRecorded() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        func path(_ name: String) -> String { dir.appendingPathComponent(name).path }
        let args = ["sweep", "examples/brain.toml", "--vary", "tissue.peclet=2:40:3:log", "--vary", "tissue.porosity=0.3,1.5",
                    "--set", "grid.cells=60", "--quiet"]
        let one = try CLI.run(args + ["-o", path("one.h5"), "--threads", "1"])
        #expect(one.status == 0, "\(one.stderr)")
        #expect(one.stderr.contains("3 of 6 runs failed") && one.stderr.contains("porosity = 1.5"), "\(one.stderr)")
        #expect(try CLI.run(args + ["-o", path("two.h5"), "--threads", "2"]).status == 0)
        for k in 1...2 {
            let s = try CLI.run(args + ["-o", path("part-\(k).h5"), "--shard", "\(k)/2"])
            #expect(s.status == 0, "\(s.stderr)")
        }
        let m = try CLI.run(["sweep", "merge", path("merged.h5"), path("part-2.h5"), path("part-1.h5")])
        #expect(m.status == 0, "\(m.stderr)")
        let reference = try Self.contents(path("one.h5"))
        #expect(reference["kind"] == "sweep")
        #expect(try Self.contents(path("two.h5")) == reference)
        #expect(try Self.contents(path("merged.h5")) == reference)
        #expect(try String(contentsOfFile: path("merged.csv"), encoding: .utf8) == String(contentsOfFile: path("one.csv"), encoding: .utf8))
        // The failed runs: flagged, their reason kept, parameters recorded, NaN profiles.
        let file = try HDF5File.open(path("one.h5"))
        defer { try? file.close() }
        #expect(try file.root.dataset("sweep/failed").read(Int8.self) == [0, 1, 0, 1, 0, 1])
        let reasons = try file.root.dataset("sweep/failure_reason").readStrings()
        #expect(reasons[0] == "" && reasons[1].contains("porosity") && reasons[1].contains("1.5"), "\(reasons)")
        #expect(try file.root.dataset("sweep/values").read(Double.self)[3] == 1.5)
        let c = try file.root.dataset("sweep/c").read(Double.self)
        #expect(c[60..<120].allSatisfy(\.isNaN) && c[0..<60].allSatisfy(\.isFinite))
        // A missing shard, or a part of another sweep, is refused.
        let missing = try CLI.run(["sweep", "merge", path("m2.h5"), path("part-1.h5")])
        #expect(missing.status != 0 && missing.stderr.contains("runs are in none"), "\(missing.stderr)")
        #expect(!FileManager.default.fileExists(atPath: path("m2.h5")))
    }

    /// Bad axes end the command before any run, naming the spec and what is expected.
    @Test func badSpecsAreRefusedBeforeAnyRun() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("bad.h5").path
        let cases: [(String, [String])] = [
            ("tissue.pecelt=1:10:3", ["tissue.pecelt=1:10:3", "did you mean", "peclet"]),
            ("tissue.peclet=1:10:1", ["tissue.peclet=1:10:1", "at least 2 points"]),
            ("tissue.peclet=10:1:3", ["tissue.peclet=10:1:3", "is not below hi"]),
            ("tissue.peclet=0:10:3:log", ["log spacing needs lo > 0"]),
            ("grid.cells=50,100", ["grid.cells", "share one grid"]),
        ]
        for (spec, needles) in cases {
            let r = try CLI.run(["sweep", "examples/brain.toml", "--vary", spec, "-o", out, "--quiet"])
            #expect(r.status != 0)
            for needle in needles { #expect(r.stderr.contains(needle), "\(spec): \(r.stderr)") }
            #expect(!FileManager.default.fileExists(atPath: out))
        }
        let none = try CLI.run(["sweep", "examples/brain.toml", "-o", out, "--quiet"])
        #expect(none.status != 0 && none.stderr.contains("nothing to sweep"), "\(none.stderr)")
        let shard = try CLI.run(["sweep", "examples/sweep-brain-peclet.toml", "--shard", "3/2", "-o", out])
        #expect(shard.status != 0 && shard.stderr.contains("--shard"), "\(shard.stderr)")
        // Every run failing is an error (the file still records them).
        let all = try CLI.run(["sweep", "examples/brain.toml", "--vary", "tissue.porosity=1.5,2", "-o", out, "--quiet", "--set", "grid.cells=30"])
        #expect(all.status != 0 && all.stderr.contains("all 2 runs failed"), "\(all.stderr)")
    }

    /// SIGINT: the running runs finish, their results are kept in OUT.part.h5, exit 130 and no output;
    /// --resume ends with the file of an uninterrupted sweep; resuming a finished sweep redoes nothing.
    @Test func interruptedSweepResumesToTheSameFile() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let full = dir.appendingPathComponent("full.h5").path, out = dir.appendingPathComponent("s.h5").path
        let part = dir.appendingPathComponent("s.part.h5").path
        let args = ["sweep", "examples/brain.toml", "--vary", "tissue.peclet=2:40:40:log", "--vary", "tissue.Dr=0.05,0.1,0.2",
                    "--set", "grid.cells=3000", "--threads", "1", "--quiet"]
        let uninterrupted = try CLI.run(args + ["-o", full])
        #expect(uninterrupted.status == 0, "\(uninterrupted.stderr)")
        let stopped = try CLI.runStopped(args + ["-o", out], signal: SIGINT, duration: uninterrupted.seconds,
                                         removing: [out, part, dir.appendingPathComponent("s.csv").path])
        #expect(stopped.status == 130, "\(stopped.stderr)")
        #expect(stopped.stderr.contains("SIGINT") && stopped.stderr.contains("--resume"), "\(stopped.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out))
        #expect(FileManager.default.fileExists(atPath: part))
        let resumed = try CLI.run(args + ["-o", out, "--resume"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(!FileManager.default.fileExists(atPath: part))
        #expect(try Self.contents(out) == Self.contents(full))
        let again = try CLI.run(args + ["-o", out, "--resume", "--json"])
        #expect(again.status == 0 && again.stdout.contains("finished_earlier"), "\(again.stdout) \(again.stderr)")
    }
}
