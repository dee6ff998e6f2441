/// The key reference of a configuration file kind, written from its declarations (`TableSchema`,
/// `KeySpec`) as Markdown: one table per configuration table, with each key's type and unit,
/// allowed range, default and meaning. `docs/config-keys.md` is this text (a test keeps it current).
public enum KeyReference {
    public static func markdown(title: String, intro: String, tables: [TableSchema]) -> String {
        var out = "## \(title)\n\n\(intro)\n"
        for (path, table) in TableSchema.flatten(tables) {
            out += "\n### [\(path)]\n\n"
            var about = table.doc.isEmpty ? "" : capitalised(table.doc) + "."
            if let when = table.readWhen { about += (about.isEmpty ? "" : " ") + "Read when \(when)." }
            if !about.isEmpty { out += about + "\n\n" }
            out += "| key | type | allowed | default | meaning |\n|---|---|---|---|---|\n"
            for key in table.keys {
                var meaning = key.doc
                if let (_, words) = key.plausible { meaning += "; a value outside \(words) is warned about" }
                if let kinds = key.kinds {
                    meaning += " (only with `\(table.selector)` = " + kinds.map { "\"\($0)\"" }.joined(separator: " or ") + ")"
                }
                out += "| `\(key.name)` | \(escaped(key.typeDescription)) | \(escaped(allowed(key))) | "
                    + "\(escaped(key.defaultDescription)) | \(escaped(meaning)) |\n"
            }
        }
        return out
    }

    /// The allowed values in words ("0 < value < 1", "value >= 3"; units are in the type), or "—".
    static func allowed(_ key: KeySpec) -> String {
        guard let range = key.range, range.lower != nil || range.upper != nil else { return "—" }
        return range.describe("value")
    }

    static func capitalised(_ s: String) -> String { s.prefix(1).uppercased() + s.dropFirst() }

    /// Pipes would end a Markdown table cell.
    static func escaped(_ s: String) -> String { s.replacingOccurrences(of: "|", with: "\\|") }
}
