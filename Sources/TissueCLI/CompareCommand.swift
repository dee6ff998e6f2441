import ArgumentParser
import Averaging
import Foundation
import HDF5Kit
import Scenario

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
    var average: AverageVariant = .window

    @Option(help: "Also draw the profiles and η(x) into this SVG file.")
    var plot: String?

    @Option(name: [.short, .customLong("output")], help: "comparison file to write.")
    var outputPath: String = "results/comparison.h5"

    @OptionGroup var output: OutputOptions

    func run() throws {
        try output.checkOutput(outputPath)
        if let plot { try output.checkOutput(plot) }
        let pa = try ProfileLoader.load(a, variant: average), pb = try ProfileLoader.load(b, variant: average)
        let outcome = try CompareRun.compare(pa, pb, skipInletRadii: skipInlet ? 1.0 / 3.0 : nil, filter: filterWindow)
        let config = """
            # tissue compare
            [compare]
            a = "\(a)"
            b = "\(b)"
            skip_inlet = \(skipInlet)
            filter_window = \(filterWindow)
            average = "\(average.rawValue)"

            """
        try CompareRun.write(outcome, config: config, to: outputPath)
        if let plot {
            try CompareRun.plot(outcome, title: "\(pa.label) vs \(pb.label)").write(to: plot)
        }
        let r = outcome.comparison
        let summary: [String: Any] = [
            "output": outputPath, "mean_relative_error": r.meanRelativeError, "max_absolute_error": r.maxAbsoluteError,
            "max_absolute_error_at_m": r.maxAbsoluteErrorAt, "l2_error": r.l2Error, "relative_l2_error": r.relativeL2Error,
            "points": r.points, "x_min_m": r.xMin, "filter_window_m": outcome.filterWidth ?? 0,
        ]
        if output.json { print(Terminal.json(summary)) } else {
            print(String(format: "MRE %.3f %%  max |a-b| %.4g mol/m3 at x = %.4g um  L2 %.4g mol/m3  (%d points, x >= %.4g um)",
                         100 * r.meanRelativeError, r.maxAbsoluteError, r.maxAbsoluteErrorAt * 1e6, r.l2Error, r.points, r.xMin * 1e6))
            print("wrote \(outputPath)" + (plot.map { " and \($0)" } ?? ""))
        }
    }
}

extension AverageVariant: ExpressibleByArgument {}
