import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import HDF5Kit
import Testing

/// `tissue plot FILE.h5` on every file kind a user looks at: the SVG parses as XML and draws the
/// expected curves (tagged `<polyline class="curve">`).
@Suite(.serialized) struct PlotCommandTests {
    /// Plots `file` (to `output` if given) and returns the parsed summary and the number of curves in the SVG.
    static func plot(_ file: String, output: String? = nil, extra: [String] = []) throws -> (json: [String: Any], curves: Int, svg: String) {
        let r = try CLI.run(["plot", file, "--json"] + (output.map { ["-o", $0] } ?? []) + extra)
        #expect(r.status == 0, "stderr: \(r.stderr)")
        let json = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any] ?? [:]
        let path = try #require(json["output"] as? String)
        let svg = try String(contentsOfFile: path, encoding: .utf8)
        let parser = XMLParser(data: Data(svg.utf8))
        #expect(parser.parse(), "\(path) is not well-formed XML: \(String(describing: parser.parserError))")
        let curves = svg.components(separatedBy: "<polyline class=\"curve\"").count - 1
        #expect(json["curves"] as? Int == curves)
        return (json, curves, svg)
    }

    @Test func upscaledSteadyAndTransientAndRefusalToOverwrite() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let up = dir.appendingPathComponent("up.h5").path
        var r = try CLI.run(["run", "examples/brain.toml", "--set", "grid.cells=50", "-o", up, "--quiet"])
        #expect(r.status == 0, "stderr: \(r.stderr)")
        let steady = try Self.plot(up)
        #expect(steady.json["output"] as? String == dir.appendingPathComponent("up.svg").path)
        #expect(steady.json["kind"] as? String == "upscaled")
        #expect(steady.curves == 2)   // ⟨c⟩ and η
        #expect(steady.svg.contains("(µm)") && steady.svg.contains("mol m⁻³") && steady.svg.contains("brain"))

        // An existing SVG is not replaced unless asked.
        r = try CLI.run(["plot", up])
        #expect(r.status != 0 && r.stderr.contains("already exists") && r.stderr.contains("--overwrite"), "stderr: \(r.stderr)")
        #expect(try CLI.run(["plot", up, "--overwrite", "--quiet"]).status == 0)

        let transient = dir.appendingPathComponent("transient.h5").path
        r = try CLI.run(["run", "examples/brain-transient.toml", "--set", "grid.cells=40", "-o", transient, "--quiet"])
        #expect(r.status == 0, "stderr: \(r.stderr)")
        let t = try Self.plot(transient, output: dir.appendingPathComponent("figs/transient.svg").path)
        #expect(t.curves == 7 + 1)   // t = 0 and the six output times, and the final η
        #expect(t.svg.contains("t = 50 ms") && t.svg.contains("t = 1 ms"))

        // Two profiles compared: both, the error and each η.
        let cmp = dir.appendingPathComponent("cmp.h5").path
        r = try CLI.run(["compare", transient, up, "-o", cmp])
        #expect(r.status == 0, "stderr: \(r.stderr)")
        #expect(try Self.plot(cmp).curves == 5)
    }

    /// dns tissue → average → validate on a small brain strip: heat map, averages, validation figure.
    @Test func tissueDNSAverageAndValidation() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let config = try ValidateCommandTests.scenario(in: dir)
        let dns = dir.appendingPathComponent("dns.h5").path
        var r = try CLI.run(["dns", "tissue", config, "--quiet"])
        #expect(r.status == 0, "stderr: \(r.stderr)")
        let field = try Self.plot(dns)
        #expect(field.curves == 0 && field.svg.contains("class=\"heat-map\"") && field.svg.contains("class=\"colour-bar\""))
        #expect(field.svg.contains("data:image/png;base64,"))

        let avg = dir.appendingPathComponent("avg.h5").path
        r = try CLI.run(["average", dns, "-o", avg, "--quiet"])
        #expect(r.status == 0, "stderr: \(r.stderr)")
        #expect(try Self.plot(avg).curves == 3)   // window, section, η window

        r = try CLI.run(["validate", config, "--quiet"])
        #expect(r.status == 0, "stderr: \(r.stderr)")
        let v = try Self.plot(dir.appendingPathComponent("validate.h5").path, output: dir.appendingPathComponent("v.svg").path)
        // DNS window, section, upscaled; the error; η of closure, DNS and closure at the DNS ⟨c⟩.
        #expect(v.curves == 7)
    }

    /// The sweep example's file (Pe from 1 to 100, of which Pe = 1 fails: its inlet gradient is far
    /// outside the network's training range), on a coarse grid.
    @Test func sweepFamilyAndSummaries() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("sweep.h5").path
        let r = try CLI.run(["sweep", "examples/sweep-brain-peclet.toml", "--vary", "tissue.peclet=1:100:5:log",
                             "--set", "grid.cells=100", "-o", path, "--quiet"])
        #expect(r.status == 0, "stderr: \(r.stderr)")
        let p = try Self.plot(path)
        #expect(p.curves == 4 + 4 + 6, "\(p.curves)")   // ⟨c⟩ and η of the four good runs, six summaries
        #expect(p.svg.contains("tissue.peclet") && p.svg.contains("1 failed"))
        #expect(p.svg.contains("Penetration depth") || p.svg.contains("penetration depth") || p.svg.contains("first x where"))
    }

    @Test func modelHistoryAndShippedModel() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        // The shipped model stores no per-epoch history: its test error per η band.
        let shipped = try Self.plot("models/eta-mlp-tissue.h5", output: dir.appendingPathComponent("shipped.svg").path)
        #expect(shipped.curves == 1 && shipped.json["kind"] as? String == "model")
        // A freshly trained model keeps its history: training and validation loss.
        let data = dir.appendingPathComponent("table.csv").path
        try TrainCommandTests.table(realizations: 20).write(toFile: data, atomically: true, encoding: .utf8)
        let cfg = try TrainCommandTests().config(in: dir, data: data, epochs: 4)
        let r = try CLI.run(["train", cfg, "--quiet", "--set", "training.checkpoint_every=0"])
        #expect(r.status == 0, "stderr: \(r.stderr)")
        let trained = try Self.plot(dir.appendingPathComponent("model.h5").path)
        #expect(trained.curves == 2 && trained.svg.contains("epoch"))
    }

    @Test func unsupportedKindAndMissingFile() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("set.h5").path
        try AtomicWrite.hdf5(to: path) { file in
            try FileHeader(kind: "training-set", programVersion: "test", config: "", seed: 0).write(to: file)
        }
        var r = try CLI.run(["plot", path])
        #expect(r.status != 0)
        #expect(r.stderr.contains("'training-set'") && r.stderr.contains("'upscaled'") && r.stderr.contains("'sweep'"), "stderr: \(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("set.svg").path))
        r = try CLI.run(["plot", dir.appendingPathComponent("none.h5").path])
        #expect(r.status != 0 && r.stderr.contains("no such file"), "stderr: \(r.stderr)")
    }
}
