import ArgumentParser
import Workflows

/// `tissue keys [KIND]`: the reference of every configuration key, written from the declarations.
struct KeysCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "Print the reference of configuration keys (type, unit, allowed range, default, meaning) as Markdown.")

    @Argument(help: ArgumentHelp("File kind: \(KeysWorkflow.kinds.joined(separator: ", ")) (default: all).", valueName: "kind"))
    var kind: String?

    func run() throws {
        print(try KeysWorkflow.reference(kind), terminator: "")
    }
}
