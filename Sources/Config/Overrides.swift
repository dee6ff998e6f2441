/// Command-line overrides applied to a configuration before validation: `--set section.key=value`
/// and `--unset section.key`.
///
/// Switching a table's `kind` with `--set` (e.g. `closure.kind=analytic`) drops the keys of that
/// table that only another kind reads (`KeySpec.kinds` in the file kind's schema), with a note.
public enum Overrides {
    /// Removes each `section.key` of `unset`; an unknown table or key is an error with a suggestion.
    public static func unset(_ keys: [String], in sections: inout ConfigSections, diagnostics: Diagnostics) {
        for text in keys {
            let path: [String]
            do { path = try TOMLParser.parseKey(text, file: source) } catch {
                diagnostics.report(file: source, line: nil, "invalid key `\(text)` in --unset")
                continue
            }
            guard let (section, key) = locate(path, schema: sections.schema, diagnostics: diagnostics) else { continue }
            sections[section].remove(key)
        }
    }

    /// After the overrides: for each table whose selector (`kind`) was set on the command line, the
    /// keys that only other values of it read (`KeySpec.kinds`) are dropped; returns a note per key.
    public static func dropKeysOfOtherKinds(_ overrides: [String], in sections: inout ConfigSections) -> [String] {
        var notes: [String] = []
        for (table, schema) in TableSchema.flatten(sections.schema) {
            let kinds = schema.keysByKind
            let selector = table + "." + schema.selector
            guard !kinds.isEmpty, sections.sections[table] != nil,
                  overrides.contains(where: { $0.split(separator: "=").first.map { String($0).trimmingBlanks() } == selector }),
                  let kind = sections[table][schema.selector]?.value.stringValue, let own = kinds[kind] else { continue }
            let others = Set(kinds.values.joined()).subtracting(own)
            for key in sections[table].order where others.contains(key) {
                let owner = kinds.filter { $0.value.contains(key) }.map(\.key).sorted().joined(separator: "\" or \"")
                sections[table].remove(key)
                notes.append("note: --set \(selector)=\(kind): dropped \(table).\(key), which only \(selector) = \"\(owner)\" reads")
            }
        }
        return notes
    }

    /// Source name used in messages about overrides.
    public static let source = "--set"

    /// Applies each `section.key=value` to `sections`. The value is parsed as a TOML value; text
    /// that is not valid TOML is taken as a string (`--set closure.kind=analytic`).
    public static func apply(_ overrides: [String], to sections: inout ConfigSections, diagnostics: Diagnostics) {
        for text in overrides {
            guard let eq = text.firstIndex(of: "=") else {
                diagnostics.report(file: source, line: nil, "expected `section.key=value`, got `\(text)`")
                continue
            }
            let keyText = String(text[..<eq])
            let valueText = String(text[text.index(after: eq)...]).trimmingBlanks()
            let path: [String]
            do {
                path = try TOMLParser.parseKey(keyText, file: source)
            } catch {
                diagnostics.report(file: source, line: nil, "invalid key `\(keyText.trimmingBlanks())` in `\(text)`")
                continue
            }
            guard let (section, key) = locate(path, schema: sections.schema, diagnostics: diagnostics) else { continue }
            let value = (try? TOMLParser.parseValue(valueText, file: source)) ?? TOMLValue(.string(valueText))
            let name = path.joined(separator: ".")
            sections[section].set(key, SourcedValue(value: value, file: source, line: nil, name: name))
        }
    }

    /// The section path and key an override addresses, or nil after reporting why it is unknown.
    static func locate(_ path: [String], schema: [TableSchema], diagnostics: Diagnostics) -> (String, String)? {
        let dotted = path.joined(separator: ".")
        guard path.count >= 2 else {
            diagnostics.report(file: source, line: nil, key: dotted,
                               "`\(dotted)` needs its table, as in `table.key=value`"
                                + ConfigSections.tableHint(forKey: dotted, schema: schema, tables: schema.map(\.name)))
            return nil
        }
        var tables = schema
        var sectionPath: [String] = []
        var current: TableSchema? = nil
        for part in path.dropLast() {
            let parentName = sectionPath.joined(separator: ".")
            guard let t = tables.first(where: { $0.name == part }) else {
                let shown = (sectionPath + [part]).joined(separator: ".")
                let candidates = tables.map(\.name)
                let hint = DidYouMean.hint(for: part, among: candidates, quote: { "[\(sectionPath.isEmpty ? $0 : parentName + "." + $0)]" },
                                           listName: "valid tables")
                diagnostics.report(file: source, line: nil, key: dotted, "unknown table [\(shown)]\(hint)")
                return nil
            }
            sectionPath.append(part)
            current = t
            tables = t.subtables
        }
        let key = path[path.count - 1]
        let section = sectionPath.joined(separator: ".")
        guard let table = current, table.keyNames.contains(key) else {
            let hint = DidYouMean.hint(for: key, among: current?.keyNames ?? [])
            diagnostics.report(file: source, line: nil, key: dotted, "unknown key `\(key)` in [\(section)]\(hint)")
            return nil
        }
        return (section, key)
    }
}
