import ArgumentParser
import Workflows

/// `tissue compare A B`: metrics between two profiles, a `comparison` file and optionally an SVG.
struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Compare two profiles (upscaled / average / reference CSV): MRE, max abs, L2; write a comparison file and an SVG.",
        discussion: """
        A and B are `upscaled` or `average` HDF5 files or a reference CSV (x in µm, c in mol/m³). B is the \
        reference: the common grid is B's points inside A's range (A interpolated linearly) and \
        MRE = mean |a−b|/|b|. --skip-inlet leaves out x < r_eff/3 (as the reference study did). \
        --filter-window filters the upscaled profile with the same moving window as the average \
        (the average file's width, else 4 r_eff) to compare like with like.
        """)

    @Argument(help: "Profile A (upscaled, average or CSV).")
    var a: String

    @Argument(help: "Profile B, the reference (upscaled, average or CSV).")
    var b: String

    @Flag(help: "Leave x < r_eff/3 out of the metrics.")
    var skipInlet = false

    @Flag(help: "Filter the upscaled profile with the average's moving window first.")
    var filterWindow = false

    @Option(help: "Which average of an average file: window or section.")
    var average: CompareWorkflow.Variant = .window

    @Option(help: "Also draw the profiles and η(x) into this SVG file.")
    var plot: String?

    @Option(name: [.short, .customLong("output")], help: "comparison file to write (default: results/A-vs-B.h5 from the inputs' names).")
    var outputPath: String?

    @OptionGroup var output: OutputOptions

    func run() throws {
        output.show(try CompareWorkflow.run(.init(a: a, b: b, skipInlet: skipInlet, filterWindow: filterWindow, average: average,
                                                  plot: plot, output: outputPath, policy: output.policy),
                                            reporter: output.reporter()))
    }
}

extension CompareWorkflow.Variant: ExpressibleByArgument {}
