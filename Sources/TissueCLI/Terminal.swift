import Foundation
import Workflows

/// Messages and progress for humans go to stderr; stdout carries results (or JSON).
enum Terminal {
    static var stderrIsTerminal: Bool { isatty(STDERR_FILENO) == 1 }

    static func write(_ message: String) {
        FileHandle.standardError.write(Data((message + "\n").utf8))
    }
}

/// The CLI's side of `WorkflowReporter`: status lines and notes on stderr (off with --quiet; status
/// lines also off with --json), warnings always, a progress bar on a terminal, stop requests from
/// SIGINT/SIGTERM (`StopSignal`).
final class TerminalReporter: WorkflowReporter {
    let quiet: Bool
    let json: Bool
    private var bar: ProgressBar?

    init(quiet: Bool, json: Bool) {
        self.quiet = quiet
        self.json = json
    }

    func status(_ message: String) { if !quiet && !json { Terminal.write(message) } }
    func note(_ message: String) { if !quiet { Terminal.write(message) } }
    func warning(_ message: String) { Terminal.write(message) }
    func beginProgress(_ label: String, total: Int) { bar = ProgressBar(label: label, total: total, quiet: quiet) }
    func progress(_ done: Int, detail: String) { bar?.update(done, note: detail) }
    var stopRequested: Bool { StopSignal.requested }
    var wantsLogLines: Bool { !Terminal.stderrIsTerminal && !quiet && !json }
}

/// A one-line progress bar with ETA on stderr, redrawn at most once per second; silent
/// when stderr is not a terminal or with --quiet.
final class ProgressBar {
    private let label: String
    private let total: Int
    private let enabled: Bool
    private let start = Date()
    private var lastDraw = Date.distantPast

    init(label: String, total: Int, quiet: Bool) {
        self.label = label
        self.total = max(total, 1)
        self.enabled = !quiet && Terminal.stderrIsTerminal
    }

    func update(_ done: Int, note: String = "") {
        guard enabled else { return }
        let now = Date()
        guard done >= total || now.timeIntervalSince(lastDraw) >= 1 else { return }
        lastDraw = now
        let fraction = Double(min(done, total)) / Double(total)
        let width = 30
        let filled = Int(fraction * Double(width))
        let elapsed = now.timeIntervalSince(start)
        let eta = fraction > 0 ? elapsed * (1 - fraction) / fraction : 0
        let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
        let line = String(format: "\r%@ %@ %3.0f%% %d/%d  elapsed %@  ETA %@", label, bar, fraction * 100, done, total,
                          Self.clock(elapsed), Self.clock(eta))
        FileHandle.standardError.write(Data((line + (note.isEmpty ? "" : "  " + note) + "\u{1B}[K").utf8))
        if done >= total { FileHandle.standardError.write(Data("\n".utf8)) }
    }

    static func clock(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String(format: "%d:%02d", s / 60, s % 60)
    }
}
