import ArgumentParser
import Workflows

/// `tissue inspect FILE.h5`: the tree of a file with shapes, dtypes, units and attributes.
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Show an HDF5 file's groups and datasets with shapes, dtypes, units and attributes.")

    @Argument(help: "An HDF5 file.", completion: .file(extensions: ["h5"]))
    var file: String

    func run() throws {
        print(try InspectWorkflow.describe(file: file), terminator: "")
    }
}
