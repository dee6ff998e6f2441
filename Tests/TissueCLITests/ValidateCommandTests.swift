import Foundation
import HDF5Kit
import Testing

/// `tissue dns tissue`, `tissue average`, `tissue compare`, `tissue validate` end to end on a small
/// brain strip (h = 0.0625 µm: 320 × 80 cells, about a second per DNS).
@Suite(.serialized) struct ValidateCommandTests {
    /// A validation scenario in `dir`: the brain tissue, the shipped model, a coarse strip.
    static func scenario(in dir: URL, extra: String = "", seeds: String = "[1]") throws -> String {
        let root = CLI.root.path
        let text = """
            [run]
            mode = "steady"
            seed = 1
            [tissue]
            file = "\(root)/tissues/brain.toml"
            [grid]
            cells = 200
            [closure]
            kind = "mlp"
            model = "\(root)/models/eta-mlp-reference.h5"
            [dns]
            grid_spacing = "0.0625 um"
            seeds = \(seeds)
            file = "\(dir.path)/dns.h5"
            \(extra)
            [compare]
            plot = "\(dir.path)/validate.svg"
            [output]
            file = "\(dir.path)/validate.h5"

            """
        let path = dir.appendingPathComponent("scenario.toml").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// Runs `python args…` (in `directory`, default the test process's) and returns its status and output.
    static func runPython(_ python: String, _ args: [String], in directory: URL? = nil) throws -> (Int32, String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: python.hasPrefix("/") ? python : "/usr/bin/env")
        p.arguments = (python.hasPrefix("/") ? [] : [python]) + args
        if let directory { p.currentDirectoryURL = directory }
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = pipe
        try p.run()
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        return (p.terminationStatus, text)
    }

    /// The HDF5 contract checker (scripts/h5contract.py, DESIGN §5), when Python has h5py.
    static func checkContract(_ files: [String]) throws {
        let python = try CLI.requireH5py()
        let contract = CLI.root.appendingPathComponent("scripts/h5contract.py").path
        let (status, text) = try runPython(python, [contract] + files)
        #expect(status == 0, "h5contract: \(text)")
    }

    /// The first SIGINT stops a validation at the next stage: a message, exit 130, and no output,
    /// plot or partial file left.
    @Test func sigintStopsValidationWithoutOutput() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let config = try Self.scenario(in: dir, seeds: "[1, 2, 3]")
        let out = dir.appendingPathComponent("validate.h5").path, svg = dir.appendingPathComponent("validate.svg").path
        let full = try CLI.run(["validate", config, "--quiet"])
        #expect(full.status == 0, "\(full.stderr)")
        for path in [out, svg] { try FileManager.default.removeItem(atPath: path) }
        let stopped = try CLI.runStopped(["validate", config, "--quiet"], signal: SIGINT, duration: full.seconds, removing: [out, svg])
        #expect(stopped.status == 130, "\(stopped.stderr)")
        #expect(stopped.stderr.contains("stopped by SIGINT") && stopped.stderr.contains("nothing written"), "\(stopped.stderr)")
        for path in [out, svg, out + ".partial"] { #expect(!FileManager.default.fileExists(atPath: path), "\(path)") }
    }

    @Test func validateRunsEndToEndOnASmallStrip() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let config = try Self.scenario(in: dir, seeds: "[1, 2]")
        let r = try CLI.run(["validate", config, "--quiet", "--json"])
        #expect(r.status == 0, "stderr: \(r.stderr)")
        let json = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any] ?? [:]
        let mre = json["mre_mean_over_seeds"] as? Double ?? .nan
        let perSeed = json["mre_per_seed"] as? [Double] ?? []
        // A coarse strip: the upscaled profile is within 15 % of the averaged DNS (the bar, 5 %, is measured on
        // the full-resolution example; see docs/validation.md).
        #expect(mre > 0 && mre < 0.15, "MRE \(mre)")
        #expect(perSeed.count == 2)
        // The diagnostic: the closure's η on the DNS's own profile, relative to the DNS window η (a few %).
        #expect(abs(json["closure_eta_bias_on_dns"] as? Double ?? 1) < 0.1)
        #expect((json["relative_imbalance"] as? [Double] ?? [1]).allSatisfy { $0 < 1e-9 })
        let out = dir.appendingPathComponent("validate.h5").path
        let file = try HDF5File.open(out)
        let header = try FileHeader.read(from: file)
        #expect(header.kind == "comparison")
        #expect(header.config.contains("[dns]") && header.config.contains("[average]"))
        for path in ["comparison/x", "comparison/c_a", "comparison/c_b", "comparison_filtered/c_a", "average/c_window",
                     "average/c_section", "macro/c", "seeds/1/c_window", "seeds/2/c_window"] {
            #expect(file.root.contains(path), "\(path)")
        }
        let stored = try file.root.doubleAttribute("mean_relative_error_mean_over_seeds")
        #expect(abs(stored - mre) < 1e-12)
        try file.close()
        let svg = try String(contentsOfFile: dir.appendingPathComponent("validate.svg").path, encoding: .utf8)
        #expect(svg.contains("<svg") && svg.contains("η (1)") && svg.contains("x (µm)"))
        try Self.checkContract([out])
    }

    /// The brain validation of the README's headline table (and docs/validation.md), in full: the shipped example (`examples/validate-brain.toml`: seeds 1–3,
    /// h = 0.02 µm, the shipped closure `models/eta-mlp-tissue.h5`), 15 s on 2 shared cores, so no coarser
    /// stand-in is needed. Measured 2026-12-07 (`tissue validate examples/validate-brain.toml --json`): mean MRE
    /// 3.358 % (seeds 3.15, 2.54, 4.38 %), the README's and docs/closures.md's 3.36 %. For reference, coarser
    /// grids are worse, not better: h = 0.04 µm 3.68 %, 0.05 µm 3.83 %.
    /// Issue 30 asks for ≤ 3 %; the shipped closure does not meet it (nor issue 26's brain bar, ≤ 2.5 %, still
    /// open), so that bar is a known issue here, and the test holds the measured level instead: the mean equals
    /// the recorded 3.36 % to the rounding of the record (a swapped or degraded model fails). When a closure
    /// meets 3 %, the known issue stops being recorded and this test fails until the bar is made a plain check.
    @Test func brainValidationHoldsTheRecordedFigure() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let json = try Self.validateShippedExample("examples/validate-brain.toml", in: dir)
        let mre = try #require(json["mre_mean_over_seeds"] as? Double)
        #expect(json["seeds"] as? [Int] == [1, 2, 3])
        #expect(abs(100 * mre - 3.36) <= 0.005, "brain MRE \(100 * mre) %, recorded 3.36 %")
        withKnownIssue("issue 26: the shipped closure's brain validation is 3.36 %, above issue 30's 3 % (and issue 26's 2.5 %)") {
            #expect(mre <= 0.03, "brain MRE \(100 * mre) %")
        }

        // The closure's share of that error (docs/closures.md "What limits the tissue validation"): an
        // independent NumPy re-solve (scripts/closure_floor.py) reproduces the stored profile and metric, and
        // with the DNS's own η(x) in place of the closure the upscaled model is still 2.36 % off (measured
        // 2026-12-08 on the same file), so no closure alone brings these seeds under 2.5 % by much.
        let python = try CLI.requireH5py()
        let script = CLI.root.appendingPathComponent("scripts/closure_floor.py").path
        let (status, text) = try Self.runPython(python, [script, dir.appendingPathComponent("v.h5").path, "--json"])
        #expect(status == 0, "closure_floor.py: \(text)")
        let floor = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] ?? [:]
        let stored = floor["stored"] as? [String: Any] ?? [:], dns = floor["dns"] as? [String: Any] ?? [:]
        #expect(abs((floor["stored_profile_mre"] as? Double ?? 0) - mre) < 1e-9, "the script's metric on the stored profile")
        #expect((stored["max_relative_difference_to_stored_profile"] as? Double ?? 1) < 1e-5)
        #expect(abs((stored["mean_over_seeds"] as? Double ?? 0) - mre) < 1e-5, "re-solved MRE \(stored)")
        let exact = try #require(dns["mean_over_seeds"] as? Double)
        #expect(abs(100 * exact - 2.36) <= 0.005, "MRE with the DNS's own η: \(100 * exact) %, recorded 2.36 %")
    }

    /// `tissue validate CONFIG --json` of a shipped example into `dir` (v.h5, v.svg): its JSON summary.
    static func validateShippedExample(_ config: String, in dir: URL) throws -> [String: Any] {
        let r = try CLI.run(["validate", config, "--quiet", "--json",
                             "-o", dir.appendingPathComponent("v.h5").path, "--plot", dir.appendingPathComponent("v.svg").path])
        #expect(r.status == 0, "\(r.stderr)")
        return try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any] ?? [:]
    }

    /// The liver validation of docs/closures.md, in full: `examples/validate-liver.toml` (seeds 1–3, h = 0.5 µm,
    /// the shipped closure), about 18 s. Measured 2026-12-08 (`tissue validate examples/validate-liver.toml
    /// --json`): mean MRE 3.077 %, under issue 26's bar of 4 %; the closure's η bias on the DNS profile
    /// +2.74 % (issue 26 asks ±1.5 %: not met, see docs/closures.md "What limits the tissue validation").
    @Test func liverValidationMeetsItsBarAndHoldsTheRecordedFigure() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let json = try Self.validateShippedExample("examples/validate-liver.toml", in: dir)
        let mre = try #require(json["mre_mean_over_seeds"] as? Double)
        let bias = try #require(json["closure_eta_bias_on_dns"] as? Double)
        #expect(mre <= 0.04, "liver MRE \(100 * mre) %")
        #expect(abs(100 * mre - 3.08) <= 0.005, "liver MRE \(100 * mre) %, recorded 3.08 %")
        #expect(abs(100 * bias - 2.74) <= 0.005, "η bias \(100 * bias) %, recorded +2.74 %")
    }

    /// dns tissue → average → compare through files; the XDMF sidecar references every field with the
    /// right shape (checked from Python) and, where ParaView is installed, loads in pvpython.
    @Test func dnsAverageCompareAndXDMF() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let config = try Self.scenario(in: dir)
        let dns = dir.appendingPathComponent("dns.h5").path
        var r = try CLI.run(["dns", "tissue", config, "--quiet", "--json"])
        #expect(r.status == 0, "stderr: \(r.stderr)")
        #expect(r.stdout.contains("\"relative_imbalance\""))
        let xdmf = dir.appendingPathComponent("dns.xdmf").path
        #expect(FileManager.default.fileExists(atPath: xdmf))

        let avg = dir.appendingPathComponent("avg.h5").path
        r = try CLI.run(["average", dns, "-o", avg, "--quiet"])
        #expect(r.status == 0, "stderr: \(r.stderr)")
        let up = dir.appendingPathComponent("up.h5").path
        r = try CLI.run(["run", config, "-o", up, "--quiet"])
        #expect(r.status == 0, "stderr: \(r.stderr)")
        let cmp = dir.appendingPathComponent("cmp.h5").path, svg = dir.appendingPathComponent("cmp.svg").path
        r = try CLI.run(["compare", up, avg, "--skip-inlet", "--filter-window", "-o", cmp, "--plot", svg, "--json"])
        #expect(r.status == 0, "stderr: \(r.stderr)")
        let json = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any] ?? [:]
        #expect(abs((json["x_min_m"] as? Double ?? 0) - 0.47e-6 / 3) < 1e-15)
        #expect((json["filter_window_m"] as? Double ?? 0) > 1.87e-6)
        #expect(FileManager.default.fileExists(atPath: svg))
        try Self.checkContract([dns, avg, cmp])

        // A DNS file where a profile is expected: an error naming the kinds, nothing written.
        let bad = dir.appendingPathComponent("bad.h5").path
        r = try CLI.run(["compare", dns, avg, "-o", bad])
        #expect(r.status != 0)
        #expect(r.stderr.contains("dns-tissue") && r.stderr.contains("tissue average"), "stderr: \(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: bad))
        // An upscaled file where a DNS file is expected.
        r = try CLI.run(["average", up, "-o", bad])
        #expect(r.status != 0 && r.stderr.contains("'upscaled' file"), "stderr: \(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: bad))

        let python = try CLI.requireH5py()
        // Parse the XML; every DataItem reference must exist in the .h5 beside it with the stated shape.
        let script = """
            import sys, os, xml.etree.ElementTree as ET, h5py
            path = sys.argv[1]
            root = ET.parse(path).getroot()
            grid = root.find("Domain/Grid")
            topo = [int(v) for v in grid.find("Topology").get("Dimensions").split()]
            assert grid.find("Topology").get("TopologyType") == "3DCoRectMesh"
            assert grid.find("Geometry").get("GeometryType") == "ORIGIN_DXDYDZ"
            n = 0
            for a in grid.findall("Attribute"):
                item = a.find("DataItem")
                dims = [int(v) for v in item.get("Dimensions").split()]
                fname, dset = item.text.strip().split(":")
                assert not os.path.isabs(fname), fname
                with h5py.File(os.path.join(os.path.dirname(path), fname), "r") as f:
                    shape = f[dset].shape
                assert [1] + list(shape) == dims, (dset, shape, dims)
                assert [t - 1 for t in topo] == dims, (topo, dims)
                n += 1
            assert n >= 5
            print("ok", n)
            """
        let scriptPath = dir.appendingPathComponent("check_xdmf.py").path
        try script.write(toFile: scriptPath, atomically: true, encoding: .utf8)
        let (status, text) = try Self.runPython(python, [scriptPath, xdmf])
        #expect(status == 0 && text.hasPrefix("ok"), "xdmf check: \(text)")
    }

    /// ParaView's own XDMF reader opens the sidecar of a strip DNS (absolute path: its XDMF3 reader
    /// mis-joins bare names). Optional tool: skipped where pvpython is not installed, also under
    /// TISSUE_REQUIRE_OPTIONAL=1, which exempts it explicitly (see `CLI.pvpython`: too heavy to install in CI).
    @Test(.enabled(if: CLI.pvpython != nil,
                   "ParaView's pvpython is not installed (Debian packages paraview, python3-paraview; exempt from TISSUE_REQUIRE_OPTIONAL: ~440 MB, not installed by CI)"))
    func paraviewReadsTheXDMFSidecar() throws {
        let pv = try #require(CLI.pvpython)
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let config = try Self.scenario(in: dir)
        let dns = dir.appendingPathComponent("dns.h5").path
        #expect(try CLI.run(["dns", "tissue", config, "--quiet", "-o", dns]).status == 0)
        let xdmf = dir.appendingPathComponent("dns.xdmf").path
        let pvScript = """
            import sys
            from paraview.simple import XDMFReader
            r = XDMFReader(FileNames=[sys.argv[1]])
            r.UpdatePipeline()
            lo, hi = r.CellData["c"].GetRange()
            b = r.GetDataInformation().GetBounds()
            assert b[1] > b[3] > 0 and b[5] > 0, b
            print("range", lo, hi)
            """
        let pvPath = dir.appendingPathComponent("pv.py").path
        try pvScript.write(toFile: pvPath, atomically: true, encoding: .utf8)
        let (pvStatus, pvText) = try Self.runPython(pv, [pvPath, xdmf])
        #expect(pvStatus == 0 && pvText.contains("range"), "pvpython: \(pvText)")
    }

    @Test func badInputsFailCleanlyAndWriteNothing() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let dns = dir.appendingPathComponent("dns.h5").path
        // An image that cannot be read.
        try "not an image".write(toFile: dir.appendingPathComponent("mask.pgm").path, atomically: true, encoding: .utf8)
        var config = try Self.scenario(in: dir, extra: "geometry = \"mask\"\nmask = \"\(dir.path)/mask.pgm\"\npixel_size = \"0.0625 um\"")
        var r = try CLI.run(["dns", "tissue", config, "--quiet"])
        #expect(r.status != 0 && r.stderr.contains("PGM"), "stderr: \(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dns))
        // A mask with no fluid path from inlet to outlet (a wall of cells across the sample).
        var pgm = "P2\n8 8\n1\n"
        for _ in 0..<8 { pgm += "0 0 1 0 0 0 0 0\n" }
        try pgm.write(toFile: dir.appendingPathComponent("wall.pgm").path, atomically: true, encoding: .utf8)
        config = try Self.scenario(in: dir, extra: "geometry = \"mask\"\nmask = \"\(dir.path)/wall.pgm\"\npixel_size = \"0.625 um\"\ngrid_spacing_ignored = 1")
        r = try CLI.run(["dns", "tissue", config, "--quiet"])
        #expect(r.status != 0 && r.stderr.contains("grid_spacing"), "unknown key with a suggestion: \(r.stderr)")
        config = try Self.scenario(in: dir, extra: "geometry = \"mask\"\nmask = \"\(dir.path)/wall.pgm\"\npixel_size = \"0.625 um\"")
        r = try CLI.run(["dns", "tissue", config, "--quiet", "--set", "dns.grid_spacing=0.625e-6"])
        #expect(r.status != 0 && r.stderr.contains("no fluid path"), "stderr: \(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dns))
        // A porosity the generator cannot reach.
        config = try Self.scenario(in: dir)
        r = try CLI.run(["dns", "tissue", config, "--quiet", "--set", "tissue.porosity=0.999"])
        #expect(r.status != 0 && r.stderr.contains("porosity"), "stderr: \(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dns))
        #expect(!FileManager.default.fileExists(atPath: dns + ".partial"))
    }
}
