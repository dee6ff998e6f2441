import ArgumentParser
import Workflows

/// `tissue check CONFIG`: validate a scenario and print the resolved configuration.
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate a scenario config and print the resolved configuration (SI units, tissue inlined).")

    @Argument(help: "Scenario config (TOML).", completion: .file(extensions: ["toml"]))
    var config: String

    @Option(name: .customLong("set"), help: ArgumentHelp("Override a key: section.key=value (repeatable).", valueName: "key=value"))
    var overrides: [String] = []

    @Option(name: .customLong("unset"), help: ArgumentHelp("Remove a key of the config: section.key (repeatable).", valueName: "key"))
    var unset: [String] = []

    @OptionGroup var output: ReportOptions

    func run() throws {
        output.show(try CheckWorkflow.run(config: config, overrides: overrides, unset: unset, reporter: output.reporter()))
    }
}
