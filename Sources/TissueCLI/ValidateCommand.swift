import ArgumentParser
import Workflows

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

    @Option(name: .customLong("unset"), help: ArgumentHelp("Remove a key of the config: section.key (repeatable).", valueName: "key"))
    var unset: [String] = []

    @Flag(help: "Also write each seed's dns-tissue file (+ .xdmf) next to dns.file.")
    var keepDns = false

    @OptionGroup var output: OutputOptions

    func run() throws {
        var request = ValidateWorkflow.Request(config: config, output: outputPath, plot: plot, overrides: overrides,
                                               keepDNS: keepDns, policy: output.policy)
        request.unset = unset
        output.show(try ValidateWorkflow.run(request, reporter: output.reporter()))
    }
}
