import Foundation
import Testing
import HDF5Kit

/// Sampled campaigns: sharding + merge and resume give bit-identical /samples datasets.
@Suite struct DNSCampaignTests {
    static let datasets = ["features", "eta", "inputs"]

    static func arrays(_ path: String) throws -> [String: [Double]] {
        let f = try HDF5File.open(path)
        defer { try? f.close() }
        var out: [String: [Double]] = [:]
        for name in datasets { out[name] = try f.root.dataset("samples/" + name).read(Double.self) }
        for name in ["realization", "domain", "cells_per_tile"] {
            out[name] = try f.root.dataset("samples/" + name).read(Int64.self).map { Double($0) }
        }
        return out
    }

    static func bits(_ a: [String: [Double]]) -> [String: [UInt64]] { a.mapValues { $0.map(\.bitPattern) } }

    static func campaign(_ out: String, _ extra: [String] = []) throws -> CLIResult {
        try CLI.run(["dns", "unitcell", "--samples", "4", "--seed", "11", "--cells-per-tile", "12", "-o", out,
                     "--quiet", "--json"] + extra)
    }

    @Test func shardsMergedEqualOneProcessRun() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let one = dir.appendingPathComponent("one.h5").path
        let r = try Self.campaign(one)
        #expect(r.status == 0, "\(r.stderr)")
        // At 12 cells per tile realisations 1 and 2 (εβ < 0.67) are too narrow for the flow grid: they fail,
        // are reported and counted, and the campaign goes on.
        #expect(r.stdout.contains("\"failed_samples\":2"), "\(r.stdout)")
        #expect(r.stderr.contains("realisation 1 failed (porosity = "), "\(r.stderr)")
        #expect(r.stderr.contains("realisation 2 failed"), "\(r.stderr)")
        var shards: [String] = []
        for k in [2, 1] {
            let path = dir.appendingPathComponent("shard\(k).h5").path
            let s = try Self.campaign(path, ["--shard", "\(k)/2"])
            #expect(s.status == 0, "\(s.stderr)")
            shards.append(path)
        }
        let merged = dir.appendingPathComponent("merged.h5").path
        let m = try CLI.run(["dns", "merge", merged] + shards + ["--quiet"])
        #expect(m.status == 0, "\(m.stderr)")
        let a = try Self.arrays(one), b = try Self.arrays(merged)
        #expect(a["realization"] == [0, 0, 0, 0, 3, 3, 3, 3])
        #expect(b["cells_per_tile"] == [Double](repeating: 12, count: 8))
        #expect(Self.bits(a) == Self.bits(b))
        let f = try HDF5File.open(merged)
        defer { try? f.close() }
        #expect(try FileHeader.read(from: f).kind == "training-set")
        #expect(try f.root.group("samples").intAttribute("failed_samples") == 2)
        #expect(try f.root.group("samples").intArrayAttribute("failed_realizations") == [1, 2])
        // The merged file says which campaign it is, like a one-process run.
        #expect(try FileHeader.read(from: f).config.contains("seed = 11"))
        // Overlapping inputs, a missing shard and a shard of another campaign are refused.
        let dup = try CLI.run(["dns", "merge", dir.appendingPathComponent("dup.h5").path, shards[0], shards[0]])
        #expect(dup.status != 0)
        #expect(dup.stderr.contains("are both shard 2/2"), "\(dup.stderr)")
        let partial = dir.appendingPathComponent("partial.h5").path
        let missing = try CLI.run(["dns", "merge", partial, shards[0]])
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("shard(s) 1/2 missing"), "\(missing.stderr)")
        #expect(try CLI.run(["dns", "merge", partial, shards[0], "--allow-partial", "--quiet"]).status == 0)
        let foreign = dir.appendingPathComponent("foreign.h5").path
        #expect(try CLI.run(["dns", "unitcell", "--samples", "4", "--seed", "12", "--cells-per-tile", "12", "-o", foreign,
                             "--quiet", "--shard", "1/2"]).status == 0)
        let mixed = try CLI.run(["dns", "merge", dir.appendingPathComponent("mixed.h5").path, shards[0], foreign])
        #expect(mixed.status != 0)
        #expect(mixed.stderr.contains("belongs to another campaign") && mixed.stderr.contains("seed = 12"), "\(mixed.stderr)")
    }

    /// A Voronoi campaign: shards merged equal a one-process run bit for bit, the per-row geometry
    /// record (/samples/geometry) included.
    @Test func voronoiShardsMergedEqualOneProcessRun() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let args = ["dns", "unitcell", "--samples", "3", "--seed", "21", "--geometry", "voronoi", "--voronoi-cells", "4",
                    "--porosity-range", "0.4:0.6", "--cells-per-tile", "24", "--quiet"]
        let one = dir.appendingPathComponent("one.h5").path
        let r = try CLI.run(args + ["-o", one])
        #expect(r.status == 0, "\(r.stderr)")
        var shards: [String] = []
        for k in [1, 2] {
            let path = dir.appendingPathComponent("s\(k).h5").path
            let s = try CLI.run(args + ["-o", path, "--shard", "\(k)/2"])
            #expect(s.status == 0, "\(s.stderr)")
            shards.append(path)
        }
        let merged = dir.appendingPathComponent("merged.h5").path
        #expect(try CLI.run(["dns", "merge", merged] + shards + ["--quiet"]).status == 0)
        func geometry(_ path: String) throws -> [String: [UInt64]] {
            let f = try HDF5File.open(path)
            defer { try? f.close() }
            let g = try f.root.group("samples/geometry")
            var out: [String: [UInt64]] = [:]
            for name in ["porosity", "effective_radius", "cell_area_spread", "tile_length", "narrowest_gap"] {
                out[name] = try g.dataset(name).read(Double.self).map(\.bitPattern)
            }
            out["seed"] = try g.dataset("seed").read(UInt64.self)
            out["cell_count"] = try g.dataset("cell_count").read(Int64.self).map { UInt64($0) }
            #expect(try g.stringAttribute("family") == "voronoi")
            return out
        }
        #expect(Self.bits(try Self.arrays(one)) == Self.bits(try Self.arrays(merged)))
        let a = try geometry(one), b = try geometry(merged)
        #expect(a == b)
        #expect(a["cell_count"]!.allSatisfy { $0 == 4 } && a["seed"]!.count == 12)
        // No training geometry seed is a validation seed of the examples (1–6).
        #expect(a["seed"]!.allSatisfy { $0 > 6 })
        // r_eff is the row's r and εβ the row's porosity feature.
        let f = try HDF5File.open(one)
        defer { try? f.close() }
        let features = try f.root.dataset("samples/features").read(Double.self)
        let porosity = try f.root.dataset("samples/geometry/porosity").read(Double.self)
        #expect((0..<12).allSatisfy { features[$0 * 6] == porosity[$0] })
        #expect(try FileHeader.read(from: f).config.contains("geometry = \"voronoi\""))
    }

    /// Bad geometry requests: a clear error naming the problem, exit ≠ 0, nothing written.
    @Test func impossibleGeometriesAreRefusedBeforeWork() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("out.h5").path
        func refused(_ extra: [String], _ message: String) throws {
            let r = try CLI.run(["dns", "unitcell", "--samples", "2", "-o", out] + extra)
            #expect(r.status != 0)
            #expect(r.stderr.contains(message), "\(r.stderr)")
            #expect(!FileManager.default.fileExists(atPath: out))
            #expect(!FileManager.default.fileExists(atPath: out.replacingOccurrences(of: ".h5", with: ".part.h5")))
        }
        // A porosity the family cannot reach.
        try refused(["--geometry", "hexagonal", "--porosity-range", "0.05:0.3"], "the hexagonal unit cell reaches")
        try refused(["--porosity-range", "0.187:0.3"], "the circle-row unit cell reaches")
        // A mask without a pixel size, and one whose windows have no fluid path.
        var solid = "P2\n16 16\n255\n"
        for _ in 0..<256 { solid += "255 " }
        let mask = dir.appendingPathComponent("solid.pgm").path
        try solid.write(toFile: mask, atomically: true, encoding: .utf8)
        try refused(["--geometry", "mask", "--mask", mask], "needs --pixel-size")
        try refused(["--geometry", "mask", "--mask", mask, "--pixel-size", "0.5um", "--window", "8"], "fluid path")
        try refused(["--geometry", "voronoi", "--mask", mask], "only used with --geometry mask")
        try refused(["--geometry", "square"], "expected one of circle-row, hexagonal, voronoi, mask")
    }

    /// SIGKILL at arbitrary moments: after every kill the output is absent or complete (never
    /// half-written), the progress file is absent or a readable checkpoint, and `--resume` ends with the bits of an
    /// uninterrupted run.
    @Test func killedRunResumesToTheSameResult() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let args = ["dns", "unitcell", "--samples", "6", "--seed", "5", "--cells-per-tile", "44", "--quiet",
                    "--checkpoint-every", "1"]
        let one = dir.appendingPathComponent("one.h5").path
        let full = try CLI.run(args + ["-o", one])
        #expect(full.status == 0, "\(full.stderr)")
        // Kill moments scale with this machine's speed (the uninterrupted run's duration T); a
        // resumed run has less left to do, so later kills come relatively earlier.
        var duration = full.seconds
        let out = dir.appendingPathComponent("killed.h5").path
        let part = dir.appendingPathComponent("killed.part.h5").path
        var kills = 0, killsAfterACheckpoint = 0, finished = false
        // Under a varying load (the rest of the suite runs in parallel) T can overestimate a later
        // run: if one finishes before it was killed twice, start over with T halved (≤ 3 attempts).
        for _ in 0..<3 {
            kills = 0; killsAfterACheckpoint = 0; finished = false
            try? FileManager.default.removeItem(atPath: out)
            try? FileManager.default.removeItem(atPath: part)
            for fraction in [0.45, 0.3, 0.25, 0.2, 0.3, 0.5, 0.8, 1.5, 3.0, 6.0, 12.0] {
                let delay = fraction * duration
                let process = Process()
                process.executableURL = CLI.executable
                process.arguments = args + ["-o", out] + (kills > 0 ? ["--resume"] : [])
                process.standardOutput = FileHandle.nullDevice
                process.standardError = FileHandle.nullDevice
                try process.run()
                Thread.sleep(forTimeInterval: delay)
                if process.isRunning {
                    kill(process.processIdentifier, SIGKILL)
                    process.waitUntilExit()
                    kills += 1
                    if FileManager.default.fileExists(atPath: out) {
                        // Killed between the output's atomic rename and the exit: the output must
                        // then be the complete result (never a half-written file).
                        #expect(Self.bits(try Self.arrays(one)) == Self.bits(try Self.arrays(out)),
                                "a killed run left an incomplete \(out)")
                        // A stale progress file left beside it is the tool's to remove: --resume
                        // must recognise the finished run, delete the part file and exit 0.
                        if FileManager.default.fileExists(atPath: part) {
                            let resumed = try CLI.run(args + ["-o", out, "--resume"])
                            #expect(resumed.status == 0, "\(resumed.stderr)")
                        }
                        finished = true
                        break
                    }
                    if FileManager.default.fileExists(atPath: part) {
                        killsAfterACheckpoint += 1
                        let f = try HDF5File.open(part)
                        #expect(try FileHeader.read(from: f).seed == 5)
                        try? f.close()
                    }
                } else {
                    process.waitUntilExit()
                    #expect(process.terminationStatus == 0)
                    finished = true
                    break
                }
            }
            if finished && kills >= 2 && killsAfterACheckpoint >= 1 { break }
            duration /= 2
        }
        print("killed \(kills) times (\(killsAfterACheckpoint) with a checkpoint on disk), then finished: \(finished)")
        #expect(finished && kills >= 2 && killsAfterACheckpoint >= 1, "kills \(kills), finished \(finished)")
        #expect(!FileManager.default.fileExists(atPath: part))
        #expect(Self.bits(try Self.arrays(one)) == Self.bits(try Self.arrays(out)))
    }

    @Test func interruptedRunResumesToTheSameResult() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let one = dir.appendingPathComponent("one.h5").path
        #expect(try Self.campaign(one).status == 0)
        let out = dir.appendingPathComponent("res.h5").path
        let part = dir.appendingPathComponent("res.part.h5").path
        let stopped = try Self.campaign(out, ["--stop-after", "2"])
        #expect(stopped.status != 0)
        #expect(stopped.stderr.contains("--resume"), "\(stopped.stderr)")
        #expect(FileManager.default.fileExists(atPath: part))
        #expect(!FileManager.default.fileExists(atPath: out))
        let stale = dir.appendingPathComponent("stale.part.h5").path
        try FileManager.default.copyItem(atPath: part, toPath: stale)
        // Another campaign refuses the part file.
        let other = try CLI.run(["dns", "unitcell", "--samples", "4", "--seed", "12", "--cells-per-tile", "12", "-o", out,
                                 "--quiet", "--resume"])
        #expect(other.status != 0)
        #expect(other.stderr.contains("another campaign"), "\(other.stderr)")
        let resumed = try Self.campaign(out, ["--resume"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(resumed.stdout.contains("\"resumed\" : 2") || resumed.stdout.contains("\"resumed\":2"), "\(resumed.stdout)")
        #expect(!FileManager.default.fileExists(atPath: part))
        #expect(Self.bits(try Self.arrays(one)) == Self.bits(try Self.arrays(out)))
        // A kill between the output's rename and the part file's removal leaves both: --resume of
        // the same campaign removes the stale part file and keeps the output; another campaign's
        // --resume is still refused because the output exists.
        try FileManager.default.copyItem(atPath: stale, toPath: part)
        let otherAfter = try CLI.run(["dns", "unitcell", "--samples", "4", "--seed", "12", "--cells-per-tile", "12",
                                      "-o", out, "--resume"])
        #expect(otherAfter.status != 0 && otherAfter.stderr.contains("already exists"), "\(otherAfter.stderr)")
        #expect(FileManager.default.fileExists(atPath: part))
        let finished = try CLI.run(["dns", "unitcell", "--samples", "4", "--seed", "11", "--cells-per-tile", "12",
                                    "-o", out, "--resume", "--json"])
        #expect(finished.status == 0, "\(finished.stderr)")
        #expect(finished.stdout.contains("\"finished_earlier\":true"), "\(finished.stdout)")
        #expect(finished.stderr.contains("already the complete result"), "\(finished.stderr)")
        #expect(!FileManager.default.fileExists(atPath: part))
        #expect(Self.bits(try Self.arrays(one)) == Self.bits(try Self.arrays(out)))
    }

    /// SIGTERM stops a campaign cleanly: exit 143, a progress file to resume from, no output; the
    /// resumed run ends with the bits of an uninterrupted one.
    @Test func terminatedCampaignStopsCleanlyAndResumes() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let args = ["dns", "unitcell", "--samples", "6", "--seed", "8", "--cells-per-tile", "44", "--quiet"]
        let one = dir.appendingPathComponent("one.h5").path
        let uninterrupted = try CLI.run(args + ["-o", one])
        #expect(uninterrupted.status == 0)
        let out = dir.appendingPathComponent("t.h5").path
        let stopped = try CLI.runStopped(args + ["-o", out], signal: SIGTERM, duration: uninterrupted.seconds,
                                         removing: [out, dir.appendingPathComponent("t.part.h5").path])
        let stderr = stopped.stderr
        #expect(stopped.status == 143, "\(stderr)")
        #expect(stderr.contains("SIGTERM") && stderr.contains("--resume"), "\(stderr)")
        #expect(!FileManager.default.fileExists(atPath: out))
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("t.part.h5").path))
        #expect(try CLI.run(args + ["-o", out, "--resume"]).status == 0)
        #expect(Self.bits(try Self.arrays(one)) == Self.bits(try Self.arrays(out)))
    }

    @Test func badCampaignArgumentsAreRejected() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let inputs = dir.appendingPathComponent("in.csv").path
        try "r,phi2,PL,Dr,cL\n6e-7,20,2000,0.5,2\n".write(toFile: inputs, atomically: true, encoding: .utf8)
        let blocker = dir.appendingPathComponent("file").path
        try "x".write(toFile: blocker, atomically: true, encoding: .utf8)
        let out = dir.appendingPathComponent("o.h5").path
        for (args, fragment) in [(["--samples", "2", "--inputs", inputs, "-o", out], "mutually exclusive"),
                                 (["-o", out], "--samples"),
                                 (["--samples", "2", "--shard", "3/2", "-o", out], "shard"),
                                 (["--inputs", inputs, "--shard", "1/x", "-o", out], "shard"),
                                 (["--samples", "2", "-o", blocker + "/sub/o.h5"], "directory")] {
            let r = try CLI.run(["dns", "unitcell", "--cells-per-tile", "12", "--quiet"] + args)
            #expect(r.status != 0, "\(args)")
            #expect(r.stderr.contains(fragment), "\(fragment): \(r.stderr)")
            #expect(!FileManager.default.fileExists(atPath: out))
        }
    }
}
