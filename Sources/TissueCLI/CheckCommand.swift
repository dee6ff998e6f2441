import ArgumentParser
import Scenario

/// `tissue check CONFIG`: validate a scenario and print the resolved configuration.
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate a scenario config and print the resolved configuration (SI units, tissue inlined).")

    @Argument(help: "Scenario config (TOML).", completion: .file(extensions: ["toml"]))
    var config: String

    @Option(name: .customLong("set"), help: ArgumentHelp("Override a key: section.key=value (repeatable).", valueName: "key=value"))
    var overrides: [String] = []

    @OptionGroup var output: OutputOptions

    func run() throws {
        let scenario = try ScenarioLoader.load(path: config, overrides: overrides)
        if output.json {
            print(Terminal.json(["config": config, "valid": true, "mode": scenario.mode.rawValue,
                                 "tissue": scenario.tissue.name, "output": scenario.outputPath,
                                 "resolved": scenario.resolvedTOML]))
        } else {
            print(scenario.resolvedTOML, terminator: scenario.resolvedTOML.hasSuffix("\n") ? "" : "\n")
            Terminal.info("\(config): valid (\(scenario.mode.rawValue) run, tissue \(scenario.tissue.name))", quiet: output.quiet)
        }
    }
}
