import ArgumentParser
import Foundation
import HDF5Kit
import Numerics
import Scenario

/// `tissue`: the TissueTransport command line. Each subcommand lives in its own file and
/// only wires library calls together: no physics here.
@main
struct TissueCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tissue",
        abstract: "Coupled macroscale tissue-transport simulator (upscaled CDR with a learned effectiveness factor).",
        version: programVersion,
        subcommands: [RunCommand.self, TrainCommand.self, EvaluateCommand.self, DNSCommand.self, DispersionCommand.self, AverageCommand.self, CompareCommand.self, ValidateCommand.self, SurrogateCommand.self, CheckCommand.self, InspectCommand.self])

    /// The ArgumentParser entry point, after installing the signal handlers (`StopSignal`).
    static func main() {
        StopSignal.install()
        ProcessMemory.keepFreedMemory()   // repeated sparse factorisations reuse their pages
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let stop as ExitCodeError {
            fflush(nil)   // all stdio output streams
            Foundation._exit(stop.code)
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

/// Flags every subcommand shares.
struct OutputOptions: ParsableArguments {
    @Flag(name: .long, help: "No progress bar or informational messages on stderr.")
    var quiet = false

    @Flag(name: .long, help: "Print a machine-readable JSON summary on stdout.")
    var json = false

    @Flag(name: .long, help: "Replace existing output files (default: refuse, before any work is done).")
    var overwrite = false

    /// Before any work: the output's directory can be written and, unless --overwrite, no file is
    /// there yet (an earlier result is never replaced by accident).
    func checkOutput(_ path: String) throws {
        try AtomicWrite.checkDestination(path)
        if !overwrite && FileManager.default.fileExists(atPath: path) {
            throw UserError("\(path) already exists: refusing to replace it (pass --overwrite to replace it)")
        }
    }

    /// OUTPUT.part.h5 beside OUTPUT: the progress file of a campaign or a transient run.
    static func progressPath(_ output: String) -> String {
        (output.hasSuffix(".h5") ? String(output.dropLast(3)) : output) + ".part.h5"
    }

    /// `--resume` of a run that has already finished: a kill between the output's rename and the
    /// progress file's removal leaves both. When `path` exists, is of `kind`, was written from the
    /// same `config` and `seed`, and passes `isValid`, the stale progress file is removed and the
    /// result is true (the run has nothing left to do; with --json the summary says
    /// `"finished_earlier": true`); otherwise false and nothing is touched.
    func finishedEarlier(_ path: String, kind: String, config: String, seed: UInt64,
                         isValid: (String) -> Bool = { _ in true }) -> Bool {
        let part = Self.progressPath(path)
        guard !overwrite, FileManager.default.fileExists(atPath: part), FileManager.default.fileExists(atPath: path),
              let file = try? HDF5File.open(path),
              let header = try? FileHeader.read(from: file, expecting: kind),
              header.config == config, header.seed == seed, isValid(path) else { return false }
        unlink(part)
        Terminal.info("note: \(path) is already the complete result of this run; removed the stale \(part)", quiet: quiet)
        if json { print(Terminal.json(["output": path, "finished_earlier": true, "removed": part])) }
        return true
    }
}
