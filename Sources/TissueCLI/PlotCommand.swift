import ArgumentParser
import Workflows

/// `tissue plot FILE.h5`: an SVG figure of a result file, drawn according to its kind.
struct PlotCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plot",
        abstract: "Draw a result file as an SVG figure (upscaled, average, comparison, sweep, dns-tissue, model).",
        discussion: """
        upscaled: ⟨c⟩(x) with η(x) beneath (a transient file: up to 10 output times); average: window and \
        section averages; comparison: both profiles and the pointwise error (a `tissue validate` file: every \
        seed, the DNS mean, the published reference); sweep: the profiles coloured by the swept parameter and \
        each summary quantity against it; dns-tissue: the concentration field with the cells in grey; model: \
        the loss per epoch (a model stored without it: the test error per η band). Axis names and units \
        come from the file.
        """)

    @Argument(help: "A TissueTransport HDF5 file.", completion: .file(extensions: ["h5"]))
    var file: String

    @Option(name: [.short, .customLong("output")], help: "SVG file to write (default: FILE with .svg for .h5).")
    var outputPath: String?

    @OptionGroup var output: OutputOptions

    func run() throws {
        output.show(try PlotWorkflow.run(.init(input: file, output: outputPath, policy: output.policy)))
    }
}
