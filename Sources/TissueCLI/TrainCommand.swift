import ArgumentParser
import Workflows

/// `tissue train CONFIG`: train the η network and write a `model` file.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train the effectiveness-factor network on a training set (reference CSV or training-set HDF5).")

    @Argument(help: "Training config (TOML), e.g. examples/train-reference.toml.", completion: .file(extensions: ["toml"]))
    var config: String

    @Option(name: [.short, .customLong("output")], help: "Model file to write (default: the config's [output] model).")
    var outputPath: String?

    @Option(name: .customLong("set"), help: ArgumentHelp("Override a key: section.key=value (repeatable).", valueName: "key=value"))
    var overrides: [String] = []

    @Option(name: .customLong("unset"), help: ArgumentHelp("Remove a key of the config: section.key (repeatable).", valueName: "key"))
    var unset: [String] = []

    @Flag(help: "Continue from the config's checkpoint file (ends with the same weights as an uninterrupted run).")
    var resume = false

    @OptionGroup var output: OutputOptions

    func run() throws {
        var request = TrainWorkflow.Request(config: config, output: outputPath, overrides: overrides, resume: resume,
                                            policy: output.policy)
        request.unset = unset
        output.show(try TrainWorkflow.run(request, reporter: output.reporter()))
    }
}
