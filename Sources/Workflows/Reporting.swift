import Foundation
import Numerics

/// How a workflow talks to whoever runs it (the `tissue` CLI, a test, a script): messages,
/// progress and stop requests go through this delegate, so workflows never print and never
/// install signal handlers. Modelled on SwiftPM's commands over a library that reports through
/// a delegate.
public protocol WorkflowReporter: AnyObject {
    /// A line describing the run about to start ("tissue run: brain, steady, …"); a terminal shows
    /// it unless the user asked for quiet or machine-readable output.
    func status(_ message: String)
    /// An informational note ("note: … exists from an earlier run; starting over"); shown unless quiet.
    func note(_ message: String)
    /// A warning: always shown (extrapolation, a failed realisation, …).
    func warning(_ message: String)
    /// A long task starts: `total` units of `label` (time steps, realisations, epochs).
    func beginProgress(_ label: String, total: Int)
    /// `done` of the current task's units are finished; `detail` is a short note (loss, stage).
    func progress(_ done: Int, detail: String)
    /// Whether the user asked the run to stop (first SIGINT/SIGTERM): a workflow then finishes its
    /// current unit, keeps its progress, and throws `WorkflowStopped`.
    var stopRequested: Bool { get }
    /// Periodic lines for logs when no progress bar is shown (stderr not a terminal), e.g. one line
    /// per 10 training epochs; false when the reporter draws a bar or is quiet.
    var wantsLogLines: Bool { get }
}

extension WorkflowReporter {
    public func progress(_ done: Int) { progress(done, detail: "") }

    /// What loading a configuration has to say: notes (keys dropped by a `--set` of a kind) and
    /// warnings (tables and keys the run does not read).
    func configLoaded(notes: [String] = [], warnings: [String]) {
        for note in notes { self.note(note) }
        for warning in warnings { self.warning(warning) }
    }
}

/// A reporter that shows nothing and never asks to stop (tests, library use).
public final class SilentReporter: WorkflowReporter {
    public init() {}
    public func status(_ message: String) {}
    public func note(_ message: String) {}
    public func warning(_ message: String) {}
    public func beginProgress(_ label: String, total: Int) {}
    public func progress(_ done: Int, detail: String) {}
    public var stopRequested: Bool { false }
    public var wantsLogLines: Bool { false }
}

/// A problem with the user's request (bad option value, missing file, refused overwrite):
/// printed as "Error: <message>", exit status 1.
public struct WorkflowError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ message: String) { description = message }
}

/// The run stopped because the reporter asked it to (`stopRequested`); `message` says where the
/// progress is kept. The CLI exits with 128 + the signal number.
public struct WorkflowStopped: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ message: String) { description = message }
}

/// What a workflow hands back for printing: a flat summary (the `--json` object, keys sorted when
/// serialised) and its human-readable rendering.
public struct WorkflowReport {
    /// Machine-readable fields: numbers, strings, booleans and arrays or dictionaries of them.
    public var summary: [String: Any]
    /// Lines for a human, printed on stdout without `--json`.
    public var text: [String]

    public init(summary: [String: Any], text: [String]) {
        self.summary = summary
        self.text = text
    }

    /// The common rendering: `headline` lines, then "  key: value" for each summary key
    /// (sorted) not in `hidden`.
    public init(summary: [String: Any], headline: [String], hidden: Set<String> = []) {
        self.summary = summary
        self.text = headline + summary.keys.sorted().filter { !hidden.contains($0) }.map { "  \($0): \(summary[$0]!)" }
    }

    /// The summary as one JSON object (keys sorted, stable output).
    public var json: String {
        let data = (try? JSONSerialization.data(withJSONObject: summary, options: [.sortedKeys, .withoutEscapingSlashes]))
            ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}

/// Process-wide settings for a `tissue` process, before any workflow: freed memory is kept for
/// reuse, so repeated sparse factorisations do not return and re-fault their pages.
public func prepareProcess() {
    ProcessMemory.keepFreedMemory()
}
