import Foundation

/// Messages and progress for humans go to stderr; stdout carries results (or JSON).
enum Terminal {
    static var stderrIsTerminal: Bool { isatty(STDERR_FILENO) == 1 }

    static func info(_ message: String, quiet: Bool) {
        if !quiet { FileHandle.standardError.write(Data((message + "\n").utf8)) }
    }

    /// Serialises a flat summary as one JSON object (keys sorted, stable output).
    static func json(_ fields: [String: Any]) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }
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

/// An error for the user: printed as "tissue: error: <message>", exit code 1.
struct UserError: Error, CustomStringConvertible {
    let description: String
    init(_ message: String) { description = message }
}
