import ArgumentParser
import Foundation
import Workflows

/// `tissue sweep CONFIG --vary section.key=…`: a scenario solved at every point of a parameter grid.
struct SweepCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sweep",
        abstract: "Solve a scenario over a grid of parameter values (in parallel) and write one sweep file and a CSV summary.",
        discussion: """
        Each --vary is one axis: section.key=v1,v2,… (values as for --set, optionally with units: \
        "tissue.cL=1 mol/m^3,2 mol/m^3") or section.key=lo:hi:n[:log] (n ≥ 2 points from lo to hi, evenly or \
        log spaced). Several axes give the grid product, the first varying slowest. Without --vary the \
        config's [sweep] table is used: vary = ["tissue.peclet=1:100:20:log"] (and optionally file = OUTPUT). \
        Every run loads the scenario with its point's overrides (after --set) and is solved on its own, so a \
        point that the loader refuses or the solver cannot solve is recorded with its reason \
        (/sweep/failed, /sweep/failure_reason, NaN rows) and the sweep goes on; the exit status is 0 unless \
        every run failed. grid.cells and tissue.length cannot be varied: all runs share /sweep/x.

        The output (kind "sweep") holds /sweep/parameter_names, /sweep/parameter_units, /sweep/values \
        (runs × parameters, SI), /sweep/x, /sweep/c and /sweep/eta (runs × cells) and /sweep/summary/* \
        (total_uptake, outlet_concentration, penetration_depth, eta_min, eta_max, clamped_inputs); \
        OUTPUT.csv beside it lists the parameters and summaries of each run.

        Runs go in parallel on --threads threads (default: every core), each with one BLAS thread: the \
        results do not depend on --threads or --shard. --shard K/N runs the runs with index % N == K−1 into \
        a part file (-o parts/part-K.h5); `tissue sweep merge OUT PART…` joins the parts into the file a \
        one-process sweep writes. Finished runs are kept in OUTPUT.part.h5 when the sweep is stopped \
        (Ctrl-C: the running runs finish first); --resume continues from it.
        """,
        subcommands: [SweepRunCommand.self, SweepMergeCommand.self], defaultSubcommand: SweepRunCommand.self)
}

/// The sweep itself (the default subcommand of `tissue sweep`).
struct SweepRunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Run a sweep (the default: `tissue sweep CONFIG …` is `tissue sweep run CONFIG …`).")

    @Argument(help: "Scenario config (TOML), e.g. examples/sweep-brain-peclet.toml.", completion: .file(extensions: ["toml"]))
    var config: String

    @Option(name: .customLong("vary"), help: ArgumentHelp("An axis: section.key=v1,v2,… or section.key=lo:hi:n[:log] (repeatable; replaces the config's [sweep] vary).", valueName: "key=values"))
    var vary: [String] = []

    @Option(name: [.short, .customLong("output")], help: "Output file (default: the config's [sweep] file, else results/<config>-sweep.h5).")
    var outputPath: String?

    @Option(help: "Worker threads (default: the number of cores).")
    var threads: Int?

    @Option(help: "Run part K of N (1-based): the runs with index % N == K−1, into a part file for `tissue sweep merge`.")
    var shard: String?

    @Flag(help: "Continue from OUTPUT.part.h5 of an interrupted sweep (finished runs are not redone; runs that failed stay failed: start without --resume to retry them).")
    var resume = false

    @Option(name: .customLong("set"), help: ArgumentHelp("Override a key of the base scenario: section.key=value (repeatable).", valueName: "key=value"))
    var overrides: [String] = []

    @Option(name: .customLong("unset"), help: ArgumentHelp("Remove a key of the config: section.key (repeatable).", valueName: "key"))
    var unset: [String] = []

    @OptionGroup var output: OutputOptions

    var request: SweepWorkflow.Request {
        var r = SweepWorkflow.Request(config: config)
        r.vary = vary
        r.output = outputPath
        r.overrides = overrides
        r.unset = unset
        r.threads = threads
        r.shard = shard
        r.resume = resume
        r.policy = output.policy
        return r
    }

    func validate() throws {
        try validating { try request.validate() }
    }

    func run() throws {
        output.show(try SweepWorkflow.run(request, reporter: output.reporter()))
    }
}

/// `tissue sweep merge OUT PART…`: join the part files of a sharded sweep.
struct SweepMergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Join the part files of a sharded sweep (tissue sweep --shard K/N) into one sweep file and its CSV.",
        discussion: "Every run of the sweep must be in one of the files; the result is the file a one-process sweep writes.")

    @Argument(help: "Sweep file to write.")
    var outputPath: String

    @Argument(help: "Part files (the outputs of `tissue sweep --shard K/N`).")
    var parts: [String]

    @OptionGroup var output: OutputOptions

    func validate() throws {
        guard !parts.isEmpty else { throw ValidationError("give the part files to merge") }
    }

    func run() throws {
        output.show(try SweepWorkflow.merge(output: outputPath, parts: parts, policy: output.policy))
    }
}
