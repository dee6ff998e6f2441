/// The tables and keys a configuration may contain (its schema), and the split of a parsed document
/// into sections whose values remember the file and line they came from.

/// The keys of one table (each declared once, `KeySpec`) and its sub-tables.
public struct TableSchema: Sendable {
    public let name: String
    public let keys: [KeySpec]
    public let subtables: [TableSchema]
    /// What the table is for (one line, for the key reference).
    public let doc: String
    /// When the table is read at all ("run.mode = \"transient\""); nil: always.
    public let readWhen: String?
    /// The key whose value decides which other keys are read (`KeySpec.kinds`): "kind" in most tables.
    public let selector: String

    public init(_ name: String, _ keys: [KeySpec], subtables: [TableSchema] = [], readWhen: String? = nil,
                selector: String = "kind", _ doc: String = "") {
        self.name = name
        self.keys = keys
        self.subtables = subtables
        self.readWhen = readWhen
        self.selector = selector
        self.doc = doc
    }

    public var keyNames: [String] { keys.map(\.name) }

    /// The declaration of `key`; a loader that reads an undeclared key is a programming error.
    public func spec(_ key: String) -> KeySpec {
        guard let spec = keys.first(where: { $0.name == key }) else {
            preconditionFailure("key `\(key)` is read but not declared in the schema of [\(name)]")
        }
        return spec
    }

    /// Key and sub-table names, for suggestions.
    public var allNames: [String] { keyNames + subtables.map(\.name) }

    /// Keys read only by some values of this table's selector (`kind`): its value → those keys.
    public var keysByKind: [String: [String]] {
        var out: [String: [String]] = [:]
        if case .choice(let kinds)? = keys.first(where: { $0.name == selector })?.value {
            for kind in kinds { out[kind] = [] }
        }
        for key in keys {
            for kind in key.kinds ?? [] { out[kind, default: []].append(key.name) }
        }
        return out
    }
}

extension TableSchema {
    /// Every schema table with its dotted path ("tissue.dispersion").
    public static func flatten(_ tables: [TableSchema], prefix: String = "") -> [(path: String, table: TableSchema)] {
        tables.flatMap { t -> [(path: String, table: TableSchema)] in
            let path = prefix.isEmpty ? t.name : prefix + "." + t.name
            return [(path, t)] + flatten(t.subtables, prefix: path)
        }
    }
}

/// A configuration value and where it came from.
public struct SourcedValue {
    public var value: TOMLValue
    /// Display path of the file, or "--set".
    public var file: String
    /// 1-based line, nil for command-line overrides.
    public var line: Int?
    /// Dotted key as written in its source, e.g. "tissue.porosity" or "dispersion.D_star".
    public var name: String

    /// Line of an element of this value (array elements on their own lines).
    public func line(of element: TOMLValue) -> Int? {
        guard line != nil else { return nil }
        return element.line > 0 ? element.line : line
    }
}

/// The values of one table of a configuration.
public struct ConfigSection {
    /// Dotted table name in its file ("grid", "tissue.dispersion").
    public var name: String
    /// File that defines (or should define) the table.
    public var file: String
    /// Line of the table's header, if it exists.
    public var line: Int?
    public var isPresent: Bool
    /// Appended to "missing required key" messages, e.g. why the key is needed.
    public var missingHint: String = ""
    /// The declared keys of this table.
    public var schema: TableSchema?
    /// Where reads of this section are recorded (the loader's record), and under which table path:
    /// a tissue file's `[dispersion]` is recorded as the scenario's `[tissue.dispersion]`.
    public var record: ConfigRecord?
    public var recordPath: String
    public private(set) var values: [String: SourcedValue] = [:]
    public private(set) var order: [String] = []

    public init(name: String, file: String, line: Int? = nil, isPresent: Bool = false, schema: TableSchema? = nil,
                record: ConfigRecord? = nil) {
        self.name = name
        self.file = file
        self.line = line
        self.isPresent = isPresent
        self.schema = schema
        self.record = record
        self.recordPath = name
    }

    public subscript(key: String) -> SourcedValue? { values[key] }

    /// Removes `key` (and its place in the order); returns the removed value.
    @discardableResult
    public mutating func remove(_ key: String) -> SourcedValue? {
        order.removeAll { $0 == key }
        return values.removeValue(forKey: key)
    }

    public mutating func set(_ key: String, _ value: SourcedValue) {
        if values[key] == nil { order.append(key) }
        values[key] = value
    }
}

/// The sections of one configuration document, keyed by dotted table path.
public struct ConfigSections {
    public var sections: [String: ConfigSection]
    public let schema: [TableSchema]
    /// What the loader read from these sections, and the values it resolved.
    public let record: ConfigRecord

    public subscript(path: String) -> ConfigSection {
        get { sections[path]! }
        set { sections[path] = newValue }
    }

    /// Splits `document` into sections, reporting unknown tables and keys (with suggestions) and
    /// tables given as values.
    public init(document: TOMLTable, schema: [TableSchema], file: String, diagnostics: Diagnostics) {
        self.schema = schema
        let record = ConfigRecord()
        self.record = record
        var sections: [String: ConfigSection] = [:]
        for (path, table) in TableSchema.flatten(schema) {
            sections[path] = ConfigSection(name: path, file: file, schema: table, record: record)
        }

        func fill(_ table: TOMLTable, schema t: TableSchema, path: String) {
            sections[path]!.isPresent = true
            sections[path]!.line = table.line > 0 ? table.line : nil
            for entry in table.entries {
                let name = path + "." + entry.key
                if t.keyNames.contains(entry.key) {
                    sections[path]!.set(entry.key, SourcedValue(value: entry.value, file: file, line: entry.keyLine, name: name))
                } else if let sub = t.subtables.first(where: { $0.name == entry.key }) {
                    guard let subTable = entry.value.tableValue else {
                        diagnostics.report(file: file, line: entry.keyLine, key: name,
                                           "`\(name)` must be a table ([\(name)]), got \(entry.value.typeDescription)")
                        continue
                    }
                    fill(subTable, schema: sub, path: name)
                } else if entry.value.tableValue != nil, !t.subtables.isEmpty {
                    diagnostics.report(file: file, line: entry.keyLine, key: name,
                                       "unknown table [\(name)]" + DidYouMean.hint(
                                        for: entry.key, among: t.subtables.map(\.name), quote: { "[\(path).\($0)]" },
                                        listName: "valid tables"))
                } else {
                    let what = entry.value.tableValue != nil ? "table [\(name)]" : "key `\(entry.key)` in [\(path)]"
                    diagnostics.report(file: file, line: entry.keyLine, key: name,
                                       "unknown \(what)" + DidYouMean.hint(for: entry.key, among: t.keyNames))
                }
            }
        }

        for entry in document.entries {
            guard let t = schema.first(where: { $0.name == entry.key }) else {
                let tables = schema.map(\.name)
                if entry.value.tableValue != nil {
                    diagnostics.report(file: file, line: entry.keyLine, key: entry.key,
                                       "unknown table [\(entry.key)]" + DidYouMean.hint(
                                        for: entry.key, among: tables, quote: { "[\($0)]" }, listName: "valid tables"))
                } else {
                    diagnostics.report(file: file, line: entry.keyLine, key: entry.key,
                                       "unknown key `\(entry.key)` at the top level: keys belong in a table"
                                        + ConfigSections.tableHint(forKey: entry.key, schema: schema, tables: tables))
                }
                continue
            }
            guard let table = entry.value.tableValue else {
                diagnostics.report(file: file, line: entry.keyLine, key: entry.key,
                                   "`\(entry.key)` must be a table ([\(entry.key)]), got \(entry.value.typeDescription)")
                continue
            }
            fill(table, schema: t, path: t.name)
        }
        self.sections = sections
    }

    /// " (did you mean `grid.cells`?)" for a key given without its table.
    public static func tableHint(forKey key: String, schema: [TableSchema], tables: [String]) -> String {
        let full = TableSchema.flatten(schema).flatMap { p in p.table.keyNames.map { p.path + "." + $0 } }
        if let match = full.first(where: { $0.hasSuffix("." + key) }) { return " (did you mean `\(match)`?)" }
        return " (valid tables: \(tables.map { "[\($0)]" }.joined(separator: ", ")))"
    }
}
