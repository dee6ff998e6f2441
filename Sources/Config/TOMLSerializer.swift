/// Writes a `TOMLTable` back as canonical TOML.
///
/// Layout: the plain key/value pairs of a table first, then its sub-tables as `[a.b]` sections and
/// arrays of tables as `[[a.b]]` sections, in insertion order. Keys are bare where possible,
/// strings are basic strings with escapes, floats use Swift's shortest round-trip `description`
/// (so parsing the output gives back the same `Double` bit for bit), and long arrays are written
/// one element per line.
public enum TOMLSerializer {
    /// Arrays whose one-line form is longer than this are written one element per line.
    public static let maximumInlineArrayWidth = 80

    /// The document as TOML text, optionally preceded by `#` comment lines.
    public static func serialize(_ table: TOMLTable, headerComment: String? = nil) -> String {
        var lines: [String] = []
        if let headerComment {
            for l in headerComment.split(separator: "\n", omittingEmptySubsequences: false) {
                lines.append(l.isEmpty ? "#" : "# " + l)
            }
            lines.append("")
        }
        emit(table, path: [], isArrayElement: false, into: &lines)
        while lines.last == "" { lines.removeLast() }
        return lines.joined(separator: "\n") + "\n"
    }

    /// One value in inline form, e.g. `"20 um"`, `[1, 2]`, `{ a = 1 }`.
    public static func inline(_ value: TOMLValue) -> String {
        switch value.kind {
        case .string(let s): return string(s)
        case .integer(let i): return String(i)
        case .float(let d): return float(d)
        case .boolean(let b): return b ? "true" : "false"
        case .array(let a): return "[" + a.map(inline).joined(separator: ", ") + "]"
        case .table(let t):
            if t.isEmpty { return "{}" }
            return "{ " + t.entries.map { "\(key($0.key)) = \(inline($0.value))" }.joined(separator: ", ") + " }"
        }
    }

    /// A key, bare when it consists only of `A-Za-z0-9_-`, else a quoted basic string.
    public static func key(_ k: String) -> String {
        let bare = !k.isEmpty && k.utf8.allSatisfy { c in
            (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || (c >= 0x30 && c <= 0x39) || c == 0x5F || c == 0x2D
        }
        return bare ? k : string(k)
    }

    /// A basic string with the escapes TOML requires.
    public static func string(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    let h = String(scalar.value, radix: 16, uppercase: true)
                    out += "\\u" + String(repeating: "0", count: 4 - h.count) + h
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    /// A float with full round-trip precision (`1e-10`, `0.260372`, `2.0`, `inf`, `nan`).
    public static func float(_ d: Double) -> String {
        if d.isNaN { return "nan" }
        if d.isInfinite { return d < 0 ? "-inf" : "inf" }
        return d.description
    }

    // MARK: - Layout

    private static func isArrayOfTables(_ value: TOMLValue) -> Bool {
        guard let a = value.arrayValue, !a.isEmpty else { return false }
        return a.allSatisfy { $0.tableValue != nil }
    }

    private static func emit(_ table: TOMLTable, path: [String], isArrayElement: Bool, into lines: inout [String]) {
        let plain = table.entries.filter { $0.value.tableValue == nil && !isArrayOfTables($0.value) }
        let nested = table.entries.filter { $0.value.tableValue != nil || isArrayOfTables($0.value) }
        let name = path.map(key).joined(separator: ".")
        var wroteHeader = false
        if !path.isEmpty {
            if isArrayElement {
                lines.append("[[\(name)]]")
                wroteHeader = true
            } else if !plain.isEmpty || nested.isEmpty {
                lines.append("[\(name)]")
                wroteHeader = true
            }
        }
        for entry in plain {
            lines.append("\(key(entry.key)) = \(block(entry.value))")
        }
        if !plain.isEmpty || (wroteHeader && nested.isEmpty) {
            lines.append("")
        }
        for entry in nested {
            if let sub = entry.value.tableValue {
                emit(sub, path: path + [entry.key], isArrayElement: false, into: &lines)
            } else if let elements = entry.value.arrayValue {
                for element in elements {
                    emit(element.tableValue!, path: path + [entry.key], isArrayElement: true, into: &lines)
                }
            }
        }
    }

    /// A top-level value: like `inline`, but long arrays are written one element per line.
    private static func block(_ value: TOMLValue) -> String {
        let one = inline(value)
        guard let elements = value.arrayValue, one.count > maximumInlineArrayWidth else { return one }
        return "[\n" + elements.map { "    " + inline($0) + ",\n" }.joined() + "]"
    }
}
