import ArgumentParser
import Foundation
import Workflows

/// `tissue`: the TissueTransport command line. Each subcommand lives in its own file and
/// only wires library calls together: no physics here.
@main
struct TissueCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tissue",
        abstract: "Coupled macroscale tissue-transport simulator (upscaled CDR with a learned effectiveness factor).",
        version: programVersion,
        subcommands: [RunCommand.self, TrainCommand.self, EvaluateCommand.self, DNSCommand.self, DispersionCommand.self, AverageCommand.self, CompareCommand.self, ValidateCommand.self, SweepCommand.self, PlotCommand.self, SurrogateCommand.self, CheckCommand.self, KeysCommand.self, InspectCommand.self])

    /// The ArgumentParser entry point, after installing the signal handlers (`StopSignal`).
    static func main() {
        StopSignal.install()
        prepareProcess()   // repeated sparse factorisations reuse their pages
        if let unknown = unknownHelpTopic(Array(CommandLine.arguments.dropFirst())) {
            FileHandle.standardError.write(Data("Error: no subcommand '\(unknown)' (see 'tissue --help')\n".utf8))
            Foundation._exit(64)
        }
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let stop as WorkflowStopped {
            let exit = StopSignal.exit(stop.description)
            fflush(nil)   // all stdio output streams
            Foundation._exit(exit.code)
        } catch {
            // Print the error as ArgumentParser would, then leave without atexit handlers: after a
            // failed write (disk full, file-size limit) libhdf5's own shutdown would try to flush
            // the abandoned file again and crash; our outputs are already consistent (atomic writes).
            let code = exitCode(for: error).rawValue
            let message = fullMessage(for: error)
            if !message.isEmpty {
                if code == 0 { print(message) } else { FileHandle.standardError.write(Data((message + "\n").utf8)) }
            }
            fflush(nil)   // all stdio output streams
            Foundation._exit(code)
        }
    }
}

/// `tissue help A B …` naming a subcommand that does not exist: the first unknown name (ArgumentParser
/// would print the top-level help and exit 0).
func unknownHelpTopic(_ arguments: [String]) -> String? {
    guard arguments.first == "help" else { return nil }
    var commands = TissueCommand.configuration.subcommands
    for name in arguments.dropFirst() where !name.hasPrefix("-") {
        guard let command = commands.first(where: { $0._commandName == name }) else { return name }
        commands = command.configuration.subcommands
    }
    return nil
}

/// Flags every subcommand shares: how it reports.
struct ReportOptions: ParsableArguments {
    @Flag(name: .long, help: "No progress bar or informational messages on stderr.")
    var quiet = false

    @Flag(name: .long, help: "Print a machine-readable JSON summary on stdout.")
    var json = false

    func reporter() -> TerminalReporter { TerminalReporter(quiet: quiet, json: json) }

    /// Prints a workflow's report: its JSON summary with --json, else its text.
    func show(_ report: WorkflowReport) {
        if json {
            print(report.json)
        } else {
            for line in report.text { print(line) }
        }
    }
}

/// The flags of subcommands that write files: reporting, and `--overwrite`.
struct OutputOptions: ParsableArguments {
    @OptionGroup var report: ReportOptions

    @Flag(name: .long, help: "Replace existing output files (default: refuse, before any work is done).")
    var overwrite = false

    var policy: OutputPolicy { OutputPolicy(overwrite: overwrite) }
    func reporter() -> TerminalReporter { report.reporter() }
    func show(_ report: WorkflowReport) { self.report.show(report) }
}

/// Turns a workflow's option check into ArgumentParser's usage error.
func validating(_ check: () throws -> Void) throws {
    do { try check() } catch let e as WorkflowError { throw ValidationError(e.description) }
}

/// The unit-cell family options of `dns unitcell` and `dispersion`.
struct GeometryOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Unit-cell family: circle-row (the reference row, εβ > 0.2146), hexagonal (circle lattice, εβ > 0.093), voronoi (periodic Voronoi cells shrunk to the porosity, as in tissue strips) or mask (windows of a segmented image).", valueName: "family"))
    var geometry = "circle-row"

    @Option(help: "Cells per Voronoi tile (--geometry voronoi).")
    var voronoiCells = 8

    @Option(help: "Cells of different sizes (--geometry voronoi): the coefficient of variation of their areas (0: the plain recipe, whose own spread is about 0.1).")
    var cellAreaSpread = 0.0

    @Option(help: ArgumentHelp("Segmented image for --geometry mask: an HDF5 uint8 dataset (nonzero = cell), PGM or PNG.", valueName: "file"),
            completion: .file(extensions: ["h5", "hdf5", "pgm", "png"]))
    var mask: String?

    @Option(help: "Dataset of an HDF5 mask.")
    var maskDataset = "mask"

    @Option(help: ArgumentHelp("Side of one mask pixel, with units (e.g. 0.5um) or in m.", valueName: "length"))
    var pixelSize: String?

    @Option(help: ArgumentHelp("Side of the square mask windows (pixels); each is mirrored into a periodic tile of twice its side.", valueName: "pixels"))
    var window = 64

    @Flag(help: "In PGM/PNG masks, dark pixels are cells (default: bright pixels).")
    var cellsDark = false

    var request: UnitCellGeometryRequest {
        var r = UnitCellGeometryRequest()
        r.geometry = geometry
        r.voronoiCells = voronoiCells
        r.cellAreaSpread = cellAreaSpread
        r.mask = mask
        r.maskDataset = maskDataset
        r.pixelSize = pixelSize
        r.window = window
        r.cellsAreDark = cellsDark
        return r
    }
}
