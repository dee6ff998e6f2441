import ArgumentParser
import Averaging
import Foundation
import HDF5Kit
import NeuralNet
import Scenario

/// `tissue validate SCENARIO`: strip DNS → average → upscaled run → compare, one HDF5 file + SVG.
struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Validate the upscaled model against averaged tissue-strip DNS: one comparison HDF5 file and an SVG figure.",
        discussion: """
        For each geometry seed of dns.seeds: strip DNS, window and section averages. Then the upscaled run of \
        the same scenario (same tissue, same closure) and the comparison: MRE over x ≥ skip_inlet_radii·r_eff \
        against each seed's window average (the headline is the mean over seeds), against the mean of the \
        seeds, and with the upscaled profile window-filtered; against compare.reference if given.
        """)

    @Argument(help: "Scenario config (TOML), e.g. examples/validate-brain.toml.", completion: .file(extensions: ["toml"]))
    var config: String

    @Option(name: [.short, .customLong("output")], help: "Output file (default: the config's [output] file).")
    var outputPath: String?

    @Option(help: "SVG figure (default: compare.plot).")
    var plot: String?

    @Option(name: .customLong("set"), help: ArgumentHelp("Override a key: section.key=value (repeatable).", valueName: "key=value"))
    var overrides: [String] = []

    @Flag(help: "Also write each seed's dns-tissue file (+ .xdmf) next to dns.file.")
    var keepDns = false

    @OptionGroup var output: OutputOptions

    func run() throws {
        setBLASThreads(1)   // the closure's GEMMs: results independent of the thread count (see RunCommand)
        let s = try ValidateScenarioLoader.load(path: config, overrides: overrides)
        let path = outputPath ?? s.run.outputPath
        let svg = plot ?? s.validation.plotPath
        try output.checkOutput(path)
        try output.checkOutput(svg)
        Terminal.info(String(format: "tissue validate: %@, seeds %@, h = %.4g µm, window %.4g µm", s.run.tissue.name,
                             s.dns.seeds.map(String.init).joined(separator: ","), s.dns.gridSpacing * 1e6, s.validation.windowWidth * 1e6),
                      quiet: output.quiet || output.json)
        let bar = ProgressBar(label: "validate", total: 3 * s.dns.seeds.count, quiet: output.quiet)
        let o = try ValidateRun.run(s, keepDNS: keepDns) { done, _, note in bar.update(done, note: note) }
        try ValidateRun.write(o, scenario: s, to: path)
        try ValidateRun.plot(o, scenario: s).write(to: svg)
        var summary: [String: Any] = [
            "output": path, "plot": svg, "tissue": s.run.tissue.name, "seeds": s.dns.seeds.map { Int(Int64(bitPattern: $0)) },
            "mre_mean_over_seeds": o.meanSeedMRE, "mre_per_seed": o.seeds.map(\.raw.meanRelativeError),
            "mre_vs_seed_mean_profile": o.ensembleRaw.meanRelativeError, "max_abs_vs_seed_mean_profile": o.ensembleRaw.maxAbsoluteError,
            "x_min_m": o.ensembleRaw.xMin, "wall_seconds": o.wallSeconds,
            "flow_seconds": o.seeds.map(\.flowSeconds), "transport_seconds": o.seeds.map(\.transportSeconds),
            "porosity_grid": o.seeds.map(\.gridPorosity), "effective_radius_geometry_m": o.seeds.map(\.geometryRadius),
            "relative_imbalance": o.seeds.map(\.relativeImbalance),
            "closure_eta_bias_on_dns": o.closureEtaBias,
        ]
        if let f = o.meanSeedFilteredMRE {
            summary["mre_filtered_mean_over_seeds"] = f
            summary["mre_filtered_per_seed"] = o.seeds.compactMap(\.filtered?.meanRelativeError)
        }
        if let r = o.referenceDNS { summary["reference_mre_dns"] = r.meanRelativeError }
        if let r = o.referenceUpscaled { summary["reference_mre_upscaled"] = r.meanRelativeError }
        if output.json { print(Terminal.json(summary)) } else {
            print("wrote \(path) and \(svg)")
            for key in summary.keys.sorted() where key != "output" && key != "plot" { print("  \(key): \(summary[key]!)") }
        }
    }
}
