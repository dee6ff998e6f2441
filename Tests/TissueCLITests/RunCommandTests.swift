import Foundation
import Testing
import HDF5Kit

@Suite(.serialized) struct RunCommandTests {
    @Test(arguments: ["brain", "liver"])
    func exampleWritesDocumentedLayout(tissue: String) throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("\(tissue).h5").path
        let r = try CLI.run(["run", "examples/\(tissue).toml", "-o", out, "--quiet", "--json"])
        #expect(r.status == 0, "stderr: \(r.stderr)")
        #expect(r.stdout.contains("\"stop_criterion\""))
        #expect(!FileManager.default.fileExists(atPath: out + ".partial"))
        let file = try HDF5File.open(out)
        defer { try? file.close() }
        let header = try FileHeader.read(from: file)
        #expect(header.kind == "upscaled")
        #expect(header.config.contains("[tissue]"))
        let units = ["macro/x": "m", "macro/c": "mol m-3", "macro/eta": "1", "macro/dcdx": "mol m-4"]
        for (path, unit) in units {
            let d = try file.root.dataset(path)
            #expect(d.shape == [1000], "\(path)")
            #expect(try d.stringAttribute("units") == unit)
            #expect(!(try d.stringAttribute("long_name")).isEmpty)
        }
        let c = try file.root.dataset("macro/c").read(Double.self)
        #expect(c.allSatisfy { $0 >= 0 && $0 <= 2 + 1e-12 })
        #expect(c.first! > c.last!)   // uptake: concentration falls along the strip
        let solver = try file.root.group("macro/solver")
        #expect(try solver.intAttribute("iterations") >= 1)
        #expect(try solver.dataset("residual_history").count >= 1)
        #expect(try solver.doubleAttribute("wall_seconds") > 0)
    }

    /// A converged state far outside the network's training range (⟨c⟩/Ka = 50 against a maximum
    /// of 9.9) ends the run with the feature, cell and x, and writes nothing; a transient front
    /// that leaves the range for a few steps only warns, with when and where.
    @Test func stateFarOutsideTheTrainingRangeEndsTheRun() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("b.h5").path
        let r = try CLI.run(["run", "examples/brain.toml", "-o", out, "--quiet", "--set", "grid.cells=100",
                             "--set", "tissue.cL=50 mol/m^3"])
        #expect(r.status != 0)
        #expect(r.stderr.contains("concentration = ") && r.stderr.contains("cell 0") && r.stderr.contains("training range"), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out))
        let t = try CLI.run(["run", "examples/brain-transient.toml", "-o", out, "--quiet", "--json", "--set", "grid.cells=100"])
        #expect(t.status == 0, "\(t.stderr)")
        #expect(t.stderr.contains("warning: closure input concentration_gradient") && t.stderr.contains("at t = "), "\(t.stderr)")
    }

    /// The heterogeneous example runs from the CLI; its per-cell medium has the band, the velocity
    /// conserves the fluid flux, and halving the uptake in the band leaves more at the outlet.
    @Test func heterogeneousExampleRuns() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let het = dir.appendingPathComponent("het.h5").path, hom = dir.appendingPathComponent("hom.h5").path
        let r = try CLI.run(["run", "examples/heterogeneous-brain.toml", "-o", het, "--quiet", "--set", "grid.cells=200"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try CLI.run(["run", "examples/brain.toml", "-o", hom, "--quiet", "--set", "grid.cells=200"]).status == 0)
        let f = try HDF5File.open(het), g = try HDF5File.open(hom)
        defer { try? f.close(); try? g.close() }
        let x = try f.root.dataset("macro/x").read(Double.self)
        let porosity = try f.root.dataset("macro/medium/porosity").read(Double.self)
        let velocity = try f.root.dataset("macro/medium/velocity").read(Double.self)
        #expect(try f.root.dataset("macro/medium/porosity").stringAttribute("units") == "1")
        for i in x.indices {
            #expect(porosity[i] == ((8e-6..<12e-6).contains(x[i]) ? 0.40 : 0.260372))
            #expect(abs(porosity[i] * velocity[i] - porosity[0] * velocity[0]) <= 1e-15 * porosity[0] * velocity[0])
        }
        let cHet = try f.root.dataset("macro/c").read(Double.self), cHom = try g.root.dataset("macro/c").read(Double.self)
        #expect(cHet.last! > cHom.last!)
        // More than 0.5 µm (2.6 dispersion lengths D*/⟨v⟩^β = 0.19 µm) upstream of the band: almost unchanged.
        #expect(zip(cHet, cHom).prefix(75).allSatisfy { abs($0 - $1) < 1e-3 })
    }

    /// The bolus example (shorter) writes exposure outputs whose mass balance closes; a washout
    /// starts from a steady run's profile, and an initial profile of another grid or kind is refused.
    @Test func bolusAndWashoutRun() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let bolus = dir.appendingPathComponent("bolus.h5").path
        let r = try CLI.run(["run", "examples/brain-bolus.toml", "-o", bolus, "--quiet", "--json",
                             "--set", "transient.end_time=20 ms", "--set", "closure.model=../models/eta-mlp-reference.h5"])
        #expect(r.status == 0, "\(r.stderr)")
        let f = try HDF5File.open(bolus)
        defer { try? f.close() }
        let residual = try f.root.dataset("macro/balance/residual").read(Double.self)
        let inflow = try f.root.dataset("macro/balance/inflow").read(Double.self)
        #expect(abs(residual.last!) <= 1e-6 * inflow.last!, "residual \(residual.last!), inflow \(inflow.last!)")
        #expect(try f.root.dataset("macro/exposure/auc").stringAttribute("units") == "mol m-3 s")
        #expect(try f.root.dataset("macro/exposure/auc").read(Double.self).allSatisfy { $0 > 0 })
        #expect(try f.root.group("macro/solver").intAttribute("steps") > 0)
        #expect(r.stdout.contains("\"integrator\"") && r.stdout.contains("\"exposure\""))

        let steady = dir.appendingPathComponent("liver.h5").path, washout = dir.appendingPathComponent("washout.h5").path
        // 200 cells: upwind convection (cell Péclet ≈ 4 would make central differences oscillate at the washout front).
        #expect(try CLI.run(["run", "examples/liver.toml", "-o", steady, "--quiet", "--set", "grid.cells=200",
                             "--set", "solver.convection=upwind"]).status == 0)
        let w = try CLI.run(["run", "examples/liver-washout.toml", "-o", washout, "--quiet", "--set", "grid.cells=200",
                             "--set", "solver.convection=upwind",
                             "--set", "transient.initial_profile=\(steady)", "--set", "transient.end_time=1 s"])
        #expect(w.status == 0, "\(w.stderr)")
        let g = try HDF5File.open(washout)
        defer { try? g.close() }
        let ct = try g.root.dataset("macro/c_t").read(Double.self)
        let c0 = try HDF5File.open(steady).root.dataset("macro/c").read(Double.self)
        #expect(Array(ct[0..<200]) == c0)   // t = 0 is the steady profile
        let wrongGrid = try CLI.run(["run", "examples/liver-washout.toml", "-o", washout, "--quiet", "--overwrite",
                                     "--set", "transient.initial_profile=\(steady)"])
        #expect(wrongGrid.status != 0 && wrongGrid.stderr.contains("200 cells"), "\(wrongGrid.stderr)")
        let wrongKind = try CLI.run(["run", "examples/liver-washout.toml", "-o", washout, "--quiet", "--overwrite",
                                     "--set", "grid.cells=200", "--set", "transient.initial_profile=\(CLI.root.path)/models/eta-mlp-dns.h5"])
        #expect(wrongKind.status != 0 && wrongKind.stderr.contains("expected an 'upscaled' file"), "\(wrongKind.stderr)")
    }

    /// Extrapolation is loud: the liver with the COMSOL-trained model (porosity below its training
    /// minimum) warns on stderr with the feature, the cells and the range, also with --quiet, and
    /// reports it in --json; --strict-closure makes it an error and writes nothing; the brain with
    /// the default model is inside its range and prints no warning.
    @Test func clampedClosureInputsAreReportedLoudly() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("l.h5").path
        let args = ["run", "examples/liver.toml", "-o", out, "--quiet", "--json", "--set", "grid.cells=100",
                    "--set", "closure.model=../models/eta-mlp-reference.h5"]
        let r = try CLI.run(args)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("warning: the closure extrapolates") && r.stderr.contains("porosity in 100 of 100 cells")
                && r.stderr.contains("training range [0.2737, 0.8255]"), "\(r.stderr)")
        let json = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any] ?? [:]
        let clamped = json["clamped_features"] as? [String: [String: Any]] ?? [:]
        #expect(clamped["porosity"]?["cells"] as? Int == 100)
        // The same count is in the file, per feature in the closure's order.
        let file = try HDF5File.open(out)
        #expect(try file.root.dataset("macro/solver/clamped_inputs").read(Int64.self) == [100, 0, 0, 0, 0, 0])
        try file.close()
        try FileManager.default.removeItem(atPath: out)
        let strict = try CLI.run(args + ["--strict-closure"])
        #expect(strict.status != 0 && strict.stderr.contains("porosity in 100 of 100 cells"), "\(strict.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out))
        let brain = try CLI.run(["run", "examples/brain.toml", "-o", out, "--quiet", "--set", "grid.cells=100"])
        #expect(brain.status == 0 && !brain.stderr.contains("warning"), "\(brain.stderr)")
    }

    /// An MLP run names its model exactly: path, SHA-256 of the file and its training provenance.
    /// The default closure covers the shipped tissues: no input is clamped for the brain or the liver.
    @Test(arguments: ["brain", "liver"])
    func examplesClampNoClosureInput(tissue: String) throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("\(tissue).h5").path
        let r = try CLI.run(["run", "examples/\(tissue).toml", "-o", out, "--quiet", "--strict-closure"])
        #expect(r.status == 0, "\(r.stderr)")
        let f = try HDF5File.open(out)
        defer { try? f.close() }
        let clamped = try f.root.dataset("macro/solver/clamped_inputs").read(Int64.self)
        #expect(clamped.count == 6 && clamped.allSatisfy { $0 == 0 }, "\(clamped)")
    }

    @Test func outputRecordsTheModelsHashAndProvenance() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("b.h5").path
        #expect(try CLI.run(["run", "examples/brain.toml", "-o", out, "--quiet", "--set", "grid.cells=50"]).status == 0)
        let f = try HDF5File.open(out)
        defer { try? f.close() }
        let g = try f.root.group("macro/closure_model")
        let bytes = try Data(contentsOf: CLI.root.appendingPathComponent("models/eta-mlp-tissue.h5"))
        #expect(try g.stringAttribute("sha256") == SHA256.hex([UInt8](bytes)))
        #expect(try g.stringAttribute("path").hasSuffix("models/eta-mlp-tissue.h5"))
        #expect(try g.doubleAttribute("training_test_mape_percent") > 0)
    }

    /// `tissue help NAME` with an unknown name is an error; commands that write nothing take no --overwrite.
    @Test func unknownHelpTopicAndOverwriteWhereNothingIsWritten() throws {
        let r = try CLI.run(["help", "frobnicate"])
        #expect(r.status != 0 && r.stderr.contains("no subcommand 'frobnicate'"), "\(r.stderr)")
        #expect(try CLI.run(["help", "dns", "unitcell"]).status == 0)
        let check = try CLI.run(["check", "examples/brain.toml", "--overwrite"])
        #expect(check.status != 0 && check.stderr.contains("--overwrite"), "\(check.stderr)")
    }

    /// An existing output is never replaced by accident: refused before any work unless --overwrite.
    @Test func existingOutputIsRefusedUnlessOverwrite() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("b.h5").path
        let args = ["run", "examples/brain.toml", "-o", out, "--quiet", "--set", "grid.cells=50"]
        #expect(try CLI.run(args).status == 0)
        let before = try Data(contentsOf: URL(fileURLWithPath: out))
        let again = try CLI.run(args)
        #expect(again.status != 0)
        #expect(again.stderr.contains(out) && again.stderr.contains("--overwrite"), "\(again.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: out)) == before)
        #expect(try CLI.run(args + ["--overwrite"]).status == 0)
    }

    /// A full disk (a file-size limit, `ulimit -f`) while writing: a clear error naming the file,
    /// a non-zero exit, the previous output untouched and no partial file left behind.
    @Test func fullDiskLeavesThePreviousOutputUntouched() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("b.h5").path
        #expect(try CLI.run(["run", "examples/brain.toml", "-o", out, "--quiet", "--set", "grid.cells=20"]).status == 0)
        let before = try Data(contentsOf: URL(fileURLWithPath: out))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = ["-c", "ulimit -f 24 && exec \"$0\" \"$@\"", CLI.executable.path,
                             "run", "examples/brain.toml", "-o", out, "--quiet", "--overwrite", "--set", "grid.cells=4000"]
        process.currentDirectoryURL = CLI.root
        let err = Pipe()
        process.standardError = err
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationReason == .exit && process.terminationStatus != 0, "\(stderr)")
        #expect(stderr.contains(out), "\(stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: out)) == before)
        #expect(!FileManager.default.fileExists(atPath: out + ".partial"))
    }

    /// A transient run stopped by SIGTERM keeps its state in OUTPUT.part.h5 (exit 143, no output);
    /// `--resume` ends with exactly the datasets of an uninterrupted run; a state saved by another
    /// config is refused.
    @Test func stoppedTransientRunResumesToTheSameResult() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let args = ["run", "examples/brain-transient.toml", "--quiet", "--checkpoint-every", "0", "--set", "grid.cells=2000"]
        let reference = dir.appendingPathComponent("ref.h5").path
        let uninterrupted = try CLI.run(args + ["-o", reference])
        #expect(uninterrupted.status == 0)
        let out = dir.appendingPathComponent("t.h5").path, part = dir.appendingPathComponent("t.part.h5").path
        let stopped = try CLI.runStopped(args + ["-o", out], signal: SIGTERM, duration: uninterrupted.seconds, removing: [out, part])
        #expect(stopped.status == 143, "\(stopped.stderr)")
        #expect(stopped.stderr.contains("SIGTERM") && stopped.stderr.contains(part), "\(stopped.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out))
        let foreign = try CLI.run(args + ["-o", out, "--resume", "--set", "transient.rtol=1e-6"])
        #expect(foreign.status != 0 && foreign.stderr.contains("another config"), "\(foreign.stderr)")
        let stale = dir.appendingPathComponent("stale.part.h5").path
        try FileManager.default.copyItem(atPath: part, toPath: stale)
        let resumed = try CLI.run(args + ["-o", out, "--resume"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(!FileManager.default.fileExists(atPath: part))
        let a = try HDF5File.open(reference), b = try HDF5File.open(out)
        defer { try? a.close(); try? b.close() }
        for path in ["macro/t", "macro/c_t", "macro/c", "macro/eta"] {
            #expect(try a.root.dataset(path).read(Double.self).map(\.bitPattern) == b.root.dataset(path).read(Double.self).map(\.bitPattern), "\(path)")
        }
        // A kill between the output's rename and the state's removal leaves both: --resume of the
        // same config removes the stale state and keeps the output; another config is refused.
        let finished = try Data(contentsOf: URL(fileURLWithPath: out))
        try FileManager.default.copyItem(atPath: stale, toPath: part)
        let other = try CLI.run(args + ["-o", out, "--resume", "--set", "transient.rtol=1e-6"])
        #expect(other.status != 0 && other.stderr.contains("already exists"), "\(other.stderr)")
        #expect(FileManager.default.fileExists(atPath: part))
        let again = try CLI.run(args.filter { $0 != "--quiet" } + ["-o", out, "--resume"])
        #expect(again.status == 0 && again.stderr.contains("already the complete result"), "\(again.stderr)")
        #expect(!FileManager.default.fileExists(atPath: part))
        #expect(try Data(contentsOf: URL(fileURLWithPath: out)) == finished)
    }

    @Test func transientExampleWritesHistory() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("t.h5").path
        let r = try CLI.run(["run", "examples/brain-transient.toml", "-o", out, "--quiet",
                             "--set", "grid.cells=200"])
        #expect(r.status == 0, "stderr: \(r.stderr)")
        let file = try HDF5File.open(out)
        defer { try? file.close() }
        let t = try file.root.dataset("macro/t")
        let ct = try file.root.dataset("macro/c_t")
        #expect(try t.stringAttribute("units") == "s")
        #expect(ct.shape == [t.count, 200])
        #expect(try t.read(Double.self).first == 0)
    }

    /// The files are read from Python with h5py, and checked against the HDF5 contract.
    @Test func outputIsReadableFromH5py() throws {
        let python = try CLI.requireH5py()   // `make test` provides one in .venv
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("brain.h5").path
        #expect(try CLI.run(["run", "examples/brain.toml", "-o", out, "--quiet"]).status == 0)
        let script = """
        import sys, h5py, numpy as np
        f = h5py.File(sys.argv[1], "r")
        assert f.attrs["format"] == "tissue-transport", f.attrs["format"]
        assert f.attrs["kind"] == "upscaled"
        for a in ["format_version", "program_version", "created_utc", "config", "config_sha256", "seed"]:
            assert a in f.attrs, a
        x, c = f["/macro/x"][...], f["/macro/c"][...]
        assert x.shape == (1000,) and c.shape == (1000,)
        assert f["/macro/c"].attrs["units"] == "mol m-3"
        assert np.all(np.diff(x) > 0) and abs(x[-1] - 20e-6) < 1e-6
        def check(name, obj):
            if isinstance(obj, h5py.Dataset) and obj.dtype.kind in "fiu":
                assert "units" in obj.attrs, name
        f.visititems(check)
        print("ok", c[0], c[-1])
        """
        let scriptURL = dir.appendingPathComponent("check.py")
        try script.write(to: scriptURL, atomically: true, encoding: .utf8)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: python.hasPrefix("/") ? python : "/usr/bin/env")
        p.arguments = (python.hasPrefix("/") ? [] : [python]) + [scriptURL.path, out]
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = pipe
        try p.run()
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(p.terminationStatus == 0, "python: \(text)")
        #expect(text.hasPrefix("ok"))
        // The HDF5 contract checker (scripts/h5contract.py, DESIGN §5).
        let contract = CLI.root.appendingPathComponent("scripts/h5contract.py")
        do {
            let q = Process()
            q.executableURL = URL(fileURLWithPath: python.hasPrefix("/") ? python : "/usr/bin/env")
            q.arguments = (python.hasPrefix("/") ? [] : [python]) + [contract.path, out]
            let qp = Pipe()
            q.standardOutput = qp
            try q.run()
            let qt = String(decoding: qp.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            q.waitUntilExit()
            #expect(q.terminationStatus == 0, "h5contract: \(qt)")
        }
    }

    @Test func inspectAndCheckDescribeThings() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("b.h5").path
        #expect(try CLI.run(["run", "examples/brain.toml", "-o", out, "--quiet", "--set", "grid.cells=50"]).status == 0)
        let inspect = try CLI.run(["inspect", out])
        #expect(inspect.status == 0)
        #expect(inspect.stdout.contains("macro/") && inspect.stdout.contains("c  float64 (50)") && inspect.stdout.contains("mol m-3"), "\(inspect.stdout)")
        let check = try CLI.run(["check", "examples/liver.toml"])
        #expect(check.status == 0)
        #expect(check.stdout.contains("porosity"))
    }
}
