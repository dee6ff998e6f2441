import ArgumentParser
import Workflows

/// `tissue average DNS.h5`: section and moving-window β-intrinsic averages of a tissue DNS.
struct AverageCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "average",
        abstract: "Average a dns-tissue file along the strip: section and moving-window β-intrinsic averages; write an average file.",
        discussion: """
        Section average: ⟨c⟩^β(x_i) = Σ_j (1−f) c / Σ_j (1−f) over grid column i (f = cell area fraction). \
        Window average: ∫ Σ_j (1−f) c dx / ∫ Σ_j (1−f) dx over [max(0, x−W/2), min(L, x+W/2)] (truncated at \
        the ends, exact for the piecewise-constant field), W = 4 r_eff unless --window is given. Also η of \
        each window: ⟨km c/(Ka+c)⟩^σ_W / (km ⟨c⟩^β_W/(Ka+⟨c⟩^β_W)).
        """)

    @Argument(help: "dns-tissue file (from `tissue dns tissue`).", completion: .file(extensions: ["h5"]))
    var dns: String

    @Option(help: "Window width in metres (default 4 r_eff), e.g. 1.88e-6.")
    var window: Double?

    @Option(name: [.short, .customLong("output")], help: "average file to write (default: DNS name with -average.h5).")
    var outputPath: String?

    @OptionGroup var output: OutputOptions

    func validate() throws {
        if let w = window, !(w > 0 && w.isFinite) { throw ValidationError("--window \(w): expected a positive width in metres") }
    }

    func run() throws {
        output.show(try AverageWorkflow.run(dns: dns, windowWidth: window, output: outputPath, policy: output.policy,
                                                  reporter: output.reporter()))
    }
}
