import ArgumentParser
import Workflows

/// `tissue run CONFIG`: solve an upscaled scenario and write the `upscaled` HDF5 file.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Solve the 1-D upscaled tissue problem of a scenario and write an HDF5 file.")

    @Argument(help: "Scenario config (TOML), e.g. examples/brain.toml.", completion: .file(extensions: ["toml"]))
    var config: String

    @Option(name: [.short, .customLong("output")], help: "Output file (default: the config's [output] file).")
    var outputPath: String?

    @Option(name: .customLong("set"), help: ArgumentHelp("Override a key: section.key=value (repeatable).", valueName: "key=value"))
    var overrides: [String] = []

    @Option(name: .customLong("unset"), help: ArgumentHelp("Remove a key of the config: section.key (repeatable).", valueName: "key"))
    var unset: [String] = []

    @Flag(help: "Continue a transient run from OUTPUT.part.h5 (its saved state); the result is that of an uninterrupted run.")
    var resume = false

    @Option(help: "Transient runs: save the state to OUTPUT.part.h5 every N time steps (0 = only when stopped by a signal).")
    var checkpointEvery: Int = 50

    @Flag(help: "Stop with an error (and write nothing) when the closure's inputs leave its training range, instead of warning.")
    var strictClosure = false

    @OptionGroup var output: OutputOptions

    func validate() throws {
        guard checkpointEvery >= 0 else { throw ValidationError("--checkpoint-every \(checkpointEvery): expected ≥ 0") }
    }

    func run() throws {
        var request = RunWorkflow.Request(config: config, output: outputPath, overrides: overrides, resume: resume,
                                          checkpointEvery: checkpointEvery, policy: output.policy)
        request.unset = unset
        request.strictClosure = strictClosure
        output.show(try RunWorkflow.run(request, reporter: output.reporter()))
    }
}
