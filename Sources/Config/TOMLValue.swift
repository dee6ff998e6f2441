/// The in-memory form of a TOML document: values and tables that remember their source lines.

/// A TOML value and the 1-based line where it starts in its source (0 when it has no source line,
/// e.g. a value built in code or given on the command line).
public struct TOMLValue: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case string(String)
        case integer(Int64)
        case float(Double)
        case boolean(Bool)
        /// A static array or an array of tables (`[[name]]`), elements in order.
        case array([TOMLValue])
        /// A table: a `[header]` table, a dotted-key table or an inline table.
        case table(TOMLTable)
    }

    public var kind: Kind
    public var line: Int

    public init(_ kind: Kind, line: Int = 0) {
        self.kind = kind
        self.line = line
    }

    public var stringValue: String? {
        if case .string(let s) = kind { return s }
        return nil
    }

    public var integerValue: Int64? {
        if case .integer(let i) = kind { return i }
        return nil
    }

    /// The value of a float, or of an integer converted to `Double`.
    public var doubleValue: Double? {
        switch kind {
        case .float(let d): return d
        case .integer(let i): return Double(i)
        default: return nil
        }
    }

    public var boolValue: Bool? {
        if case .boolean(let b) = kind { return b }
        return nil
    }

    public var arrayValue: [TOMLValue]? {
        if case .array(let a) = kind { return a }
        return nil
    }

    public var tableValue: TOMLTable? {
        if case .table(let t) = kind { return t }
        return nil
    }

    /// The TOML type name with an article, for messages: "a string", "an integer", ...
    public var typeDescription: String {
        switch kind {
        case .string: return "a string"
        case .integer: return "an integer"
        case .float: return "a float"
        case .boolean: return "a boolean"
        case .array: return "an array"
        case .table: return "a table"
        }
    }
}

/// A TOML table: keys in insertion order, each with the line of its key.
public struct TOMLTable: Sendable, Equatable {
    public struct Entry: Sendable, Equatable {
        public var key: String
        /// 1-based line of the key (0 when unknown).
        public var keyLine: Int
        public var value: TOMLValue

        public init(key: String, keyLine: Int, value: TOMLValue) {
            self.key = key
            self.keyLine = keyLine
            self.value = value
        }
    }

    public private(set) var entries: [Entry] = []
    /// Line where the table was opened (its header, inline brace or first dotted key); 0 for the root.
    public var line: Int

    public init(line: Int = 0) {
        self.line = line
    }

    public var keys: [String] { entries.map(\.key) }
    public var isEmpty: Bool { entries.isEmpty }

    public func entry(_ key: String) -> Entry? {
        entries.first { $0.key == key }
    }

    public subscript(key: String) -> TOMLValue? {
        entry(key)?.value
    }

    /// Value at a dotted path of keys, e.g. `["tissue", "dispersion", "peclet"]`.
    public subscript(path path: [String]) -> TOMLValue? {
        guard let first = path.first, let value = self[first] else { return nil }
        if path.count == 1 { return value }
        return value.tableValue?[path: Array(path.dropFirst())]
    }

    /// Sets `key` to `value`, replacing an existing entry in place or appending a new one.
    public mutating func set(_ key: String, _ value: TOMLValue, keyLine: Int? = nil) {
        if let i = entries.firstIndex(where: { $0.key == key }) {
            entries[i].value = value
            if let keyLine { entries[i].keyLine = keyLine }
        } else {
            entries.append(Entry(key: key, keyLine: keyLine ?? value.line, value: value))
        }
    }

    public mutating func removeValue(forKey key: String) {
        entries.removeAll { $0.key == key }
    }
}
