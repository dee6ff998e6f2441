/// Lexical path handling for files named in configurations (no file-system access, no symlinks).
import Foundation

public enum Paths {
    /// Directory part of `path`: "examples/brain.toml" → "examples", "brain.toml" → "", "/a.toml" → "/".
    public static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "" }
        if slash == path.startIndex { return "/" }
        return String(path[..<slash])
    }

    /// File name without directory and extension: "examples/brain.toml" → "brain".
    public static func stem(_ path: String) -> String {
        let name = path.split(separator: "/").last.map(String.init) ?? ""
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return name }
        return String(name[..<dot])
    }

    /// `path` without its extension: "results/brain.h5" → "results/brain" (a dot in a directory name
    /// is not an extension).
    public static func droppingExtension(_ path: String) -> String {
        guard let dot = path.lastIndex(of: "."), !path[dot...].contains("/") else { return path }
        return String(path[..<dot])
    }

    /// Removes "." and "x/.." components: "examples/../tissues/brain.toml" → "tissues/brain.toml".
    public static func normalize(_ path: String) -> String {
        let absolute = path.hasPrefix("/")
        var parts: [Substring] = []
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            if part == "." { continue }
            if part == "..", let last = parts.last, last != ".." {
                parts.removeLast()
                continue
            }
            if part == "..", absolute { continue }
            parts.append(part)
        }
        let joined = parts.joined(separator: "/")
        if absolute { return "/" + joined }
        return joined.isEmpty ? "." : joined
    }

    /// `path` resolved against `directory` (unless absolute), normalised.
    public static func resolve(_ path: String, relativeTo directory: String) -> String {
        if path.hasPrefix("/") || directory.isEmpty { return normalize(path) }
        return normalize(directory + "/" + path)
    }

    /// The text of a file, or a `ScenarioError` saying why it cannot be read.
    public static func read(_ path: String, what: String, reportAs file: String, line: Int? = nil, key: String? = nil) throws -> String {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ScenarioError(file: file, line: line, key: key, message: "cannot read \(what) `\(path)`: no such file")
        }
        guard !isDirectory.boolValue else {
            throw ScenarioError(file: file, line: line, key: key, message: "cannot read \(what) `\(path)`: it is a directory")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ScenarioError(file: file, line: line, key: key, message: "cannot read \(what) `\(path)`: permission denied or I/O error")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ScenarioError(file: file, line: line, key: key, message: "cannot read \(what) `\(path)`: not UTF-8 text")
        }
        return text
    }
}
