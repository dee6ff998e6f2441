import ArgumentParser
import Scenario

/// `tissue`: the TissueTransport command line. Each subcommand lives in its own file and
/// only wires library calls together: no physics here.
@main
struct TissueCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tissue",
        abstract: "Coupled macroscale tissue-transport simulator (upscaled CDR with a learned effectiveness factor).",
        version: programVersion,
        subcommands: [RunCommand.self, TrainCommand.self, EvaluateCommand.self, DNSCommand.self, DispersionCommand.self, SurrogateCommand.self, CheckCommand.self, InspectCommand.self])
}

/// Flags every subcommand shares.
struct OutputOptions: ParsableArguments {
    @Flag(name: .long, help: "No progress bar or informational messages on stderr.")
    var quiet = false

    @Flag(name: .long, help: "Print a machine-readable JSON summary on stdout.")
    var json = false
}
