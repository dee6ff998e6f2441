import Foundation
import HDF5Kit

/// The rules every workflow follows for the files it writes: refuse to replace an existing file
/// unless asked to, before any work; keep a long run's progress beside its output; recognise a
/// `--resume` of a run that had already finished.
public struct OutputPolicy: Sendable {
    /// Replace existing output files (`--overwrite`).
    public var overwrite: Bool

    public init(overwrite: Bool = false) {
        self.overwrite = overwrite
    }

    /// Before any work: the output's directory can be written and, unless `overwrite`, no file is
    /// there yet (an earlier result is never replaced by accident).
    public func checkOutput(_ path: String) throws {
        try AtomicWrite.checkDestination(path)
        if !overwrite && FileManager.default.fileExists(atPath: path) {
            throw WorkflowError("\(path) already exists: refusing to replace it (pass --overwrite to replace it)")
        }
    }

    /// OUTPUT.part.h5 beside OUTPUT: the progress file of a campaign or a transient run.
    public static func progressPath(_ output: String) -> String {
        stem(output) + ".part.h5"
    }

    /// OUTPUT.parts/ beside a data-set file: its finished blocks (resume).
    public static func partDirectory(_ output: String) -> String {
        stem(output) + ".parts"
    }

    /// OUTPUT without a trailing `.h5`.
    static func stem(_ output: String) -> String {
        output.hasSuffix(".h5") ? String(output.dropLast(3)) : output
    }

    /// `--resume` of a run that has already finished: a kill between the output's rename and the
    /// progress file's removal leaves both. When `path` exists, is of `kind`, was written from the
    /// same `config` and `seed`, and passes `isValid`, the stale progress file is removed and the
    /// result is true (the run has nothing left to do); otherwise false and nothing is touched.
    /// Without `requireProgressFile` a complete output is recognised also when there is no progress file.
    public func finishedEarlier(_ path: String, kind: String, config: String, seed: UInt64,
                                reporter: WorkflowReporter, requireProgressFile: Bool = true,
                                isValid: (String) -> Bool = { _ in true }) -> Bool {
        let part = Self.progressPath(path)
        let stale = FileManager.default.fileExists(atPath: part)
        guard !overwrite, stale || !requireProgressFile, FileManager.default.fileExists(atPath: path),
              let file = try? HDF5File.open(path) else { return false }
        let header = try? FileHeader.read(from: file, expecting: kind)
        try? file.close()
        guard let header, header.config == config, header.seed == seed, isValid(path) else { return false }
        unlink(part)
        reporter.note("note: \(path) is already the complete result of this run; " + (stale ? "removed the stale \(part)" : "nothing to do"))
        return true
    }

    /// The summary of a run that had finished earlier (`finishedEarlier`).
    public static func finishedEarlierReport(_ path: String) -> WorkflowReport {
        WorkflowReport(summary: ["output": path, "finished_earlier": true, "removed": progressPath(path)], text: [])
    }
}
