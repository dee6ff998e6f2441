import ArgumentParser
import Workflows

/// `tissue dns tissue CONFIG`: strip DNS of a tissue (Stokes + Michaelis–Menten transport), writes a
/// `dns-tissue` file and its `.xdmf` sidecar for ParaView.
struct TissueDNSCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tissue",
        abstract: "DNS of a whole tissue strip: write a dns-tissue HDF5 file and an .xdmf sidecar for ParaView.",
        discussion: """
        CONFIG is a scenario (e.g. examples/validate-brain.toml): the tissue comes from [tissue], the strip \
        from [dns] (sample_length, height, copies, grid_spacing, seeds, geometry = "voronoi" | "mask"). One \
        sample of length ℓ is generated (Poisson-disk seeds → periodic Voronoi cells shrunk to the porosity) \
        or imported (an HDF5 uint8 dataset or a PGM or PNG image with its pixel size) and repeated `copies` times \
        along x; the strip is periodic in y. Stokes flow is solved once on the periodic sample and scaled so \
        that Pe = r_eff ⟨v⟩^β / Dβ equals the tissue's; transport uses the tissue's km, Ka, cL, Dr.
        """)

    @Argument(help: "Scenario config (TOML) with [tissue] and [dns].", completion: .file(extensions: ["toml"]))
    var config: String

    @Option(help: "Geometry seed (default: the first of dns.seeds).")
    var seed: UInt64?

    @Option(name: [.short, .customLong("output")], help: "dns-tissue file to write (default: dns.file); the .xdmf goes beside it.")
    var outputPath: String?

    @Option(name: .customLong("set"), help: ArgumentHelp("Override a key: section.key=value (repeatable).", valueName: "key=value"))
    var overrides: [String] = []

    @Option(name: .customLong("unset"), help: ArgumentHelp("Remove a key of the config: section.key (repeatable).", valueName: "key"))
    var unset: [String] = []

    @OptionGroup var output: OutputOptions

    func run() throws {
        var request = TissueDNSWorkflow.Request(config: config, seed: seed, output: outputPath, overrides: overrides,
                                                policy: output.policy)
        request.unset = unset
        output.show(try TissueDNSWorkflow.run(request, reporter: output.reporter()))
    }
}
