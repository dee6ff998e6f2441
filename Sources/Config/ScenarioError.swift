/// Errors of configuration files: every problem names the file, and where possible the line and the key.

/// One or more problems found in a configuration (a scenario file, a tissue file or a `--set` override).
///
/// `file`, `line`, `key` and `message` describe the first problem; `additionalProblems` holds the
/// others when validation collected several. `description` prints one problem per line as
/// `file:line: message` (the line is omitted when unknown, e.g. for `--set` overrides).
public struct ScenarioError: Error, CustomStringConvertible, Equatable, Sendable {
    /// Display path of the file with the problem, or `--set` for a command-line override.
    public var file: String
    /// 1-based line in `file`, when known.
    public var line: Int?
    /// Dotted key the problem is about (e.g. `tissue.porosity`), when there is one.
    public var key: String?
    /// What is wrong, in words.
    public var message: String
    /// Further problems found in the same validation pass (empty for a single problem).
    public var additionalProblems: [ScenarioError]

    public init(file: String, line: Int? = nil, key: String? = nil, message: String,
                additionalProblems: [ScenarioError] = []) {
        self.file = file
        self.line = line
        self.key = key
        self.message = message
        self.additionalProblems = additionalProblems
    }

    /// This problem and the additional ones, each without nested problems.
    public var allProblems: [ScenarioError] {
        var first = self
        first.additionalProblems = []
        return [first] + additionalProblems.flatMap(\.allProblems)
    }

    public var description: String {
        allProblems.map(\.singleLine).joined(separator: "\n")
    }

    private var singleLine: String {
        let location = line.map { "\(file):\($0)" } ?? file
        return location.isEmpty ? message : "\(location): \(message)"
    }
}

/// Collects problems during validation so that all of them are reported at once.
public final class Diagnostics {
    public private(set) var problems: [ScenarioError] = []

    public init() {}

    public var isEmpty: Bool { problems.isEmpty }

    public func report(_ error: ScenarioError) {
        problems.append(contentsOf: error.allProblems)
    }

    public func report(file: String, line: Int?, key: String? = nil, _ message: String) {
        problems.append(ScenarioError(file: file, line: line, key: key, message: message))
    }

    /// Throws the collected problems (files in order of first appearance, lines ascending within a file).
    public func throwIfAny() throws {
        guard let combined = combined() else { return }
        throw combined
    }

    public func combined() -> ScenarioError? {
        guard !problems.isEmpty else { return nil }
        var fileOrder: [String: Int] = [:]
        for p in problems where fileOrder[p.file] == nil { fileOrder[p.file] = fileOrder.count }
        let sorted = problems.enumerated().sorted { a, b in
            let fa = fileOrder[a.element.file]!, fb = fileOrder[b.element.file]!
            if fa != fb { return fa < fb }
            let la = a.element.line ?? 0, lb = b.element.line ?? 0
            if la != lb { return la < lb }
            return a.offset < b.offset
        }.map(\.element)
        var unique: [ScenarioError] = []
        for p in sorted where !unique.contains(p) { unique.append(p) }
        var first = unique[0]
        first.additionalProblems = Array(unique.dropFirst())
        return first
    }
}
