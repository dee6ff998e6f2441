/// What a loader read from a configuration: which keys it looked at, and the value it resolved for
/// each (in SI units, defaults included). The resolved configuration stored in every output is this
/// record, and the keys and tables it never looked at are the "not used by this run" warnings.
public final class ConfigRecord {
    private var read: Set<String> = []
    private var tablesRead: Set<String> = []
    private var entries: [(path: String, key: String, value: TOMLValue)] = []
    /// Values that are valid but implausible (`KeySpec.plausible`), one warning each.
    public private(set) var valueWarnings: [String] = []

    public init() {}

    /// `key` of the table at `path` was looked at.
    public func markRead(_ path: String, _ key: String) {
        read.insert(path + "\u{0}" + key)
        tablesRead.insert(path)
    }

    /// The table at `path` was looked at as a whole (e.g. to find out that it is absent).
    public func markTableRead(_ path: String) { tablesRead.insert(path) }

    public func wasRead(_ path: String, _ key: String) -> Bool { read.contains(path + "\u{0}" + key) }
    public func wasTableRead(_ path: String) -> Bool { tablesRead.contains(path) }

    /// Records the resolved `value` of `key` (replacing an earlier one).
    public func record(_ path: String, _ key: String, _ value: TOMLValue) {
        markRead(path, key)
        if let i = entries.firstIndex(where: { $0.path == path && $0.key == key }) {
            entries[i].value = value
        } else {
            entries.append((path, key, value))
        }
    }

    /// Forgets the resolved value of `key` (it stays marked as read): a key given in other terms,
    /// whose derived counterpart is recorded instead.
    public func forget(_ path: String, _ key: String) {
        entries.removeAll { $0.path == path && $0.key == key }
    }

    public func warn(_ message: String) { valueWarnings.append(message) }

    /// The resolved values as nested tables, in the order they were first read.
    public var resolved: TOMLTable {
        var root = TOMLTable()
        for entry in entries {
            root.setNested(entry.path.split(separator: ".").map(String.init), entry.key, entry.value)
        }
        return root
    }

    /// The resolved configuration as canonical TOML under `header`.
    public func toml(header: String? = nil) -> String {
        TOMLSerializer.serialize(resolved, headerComment: header)
    }
}

extension TOMLTable {
    /// Sets `key` in the sub-table at `path` (created as needed).
    mutating func setNested(_ path: [String], _ key: String, _ value: TOMLValue) {
        guard let first = path.first else {
            set(key, value)
            return
        }
        var sub = self[first]?.tableValue ?? TOMLTable()
        sub.setNested(Array(path.dropFirst()), key, value)
        set(first, TOMLValue(.table(sub)))
    }
}

extension ConfigSections {
    /// The warnings of a load: implausible values, then the tables and keys it never read.
    public func warnings() -> [String] { record.valueWarnings + unusedWarnings() }

    /// A warning for each table and key of the document that the loader never read: the strictness
    /// policy is that misspelled keys are errors, and keys the chosen mode does not read are warnings.
    public func unusedWarnings() -> [String] {
        var warnings: [String] = []
        for (path, _) in TableSchema.flatten(schema) {
            guard let section = sections[path], section.isPresent || !section.order.isEmpty else { continue }
            let table = section.schema
            let readWhen = table?.readWhen.map { " (it is read when \($0))" } ?? ""
            if !record.wasTableRead(section.recordPath) {
                let at = section.line.map { "\(section.file):\($0)" } ?? section.file
                warnings.append("warning: \(at): table [\(path)] is not used by this run\(readWhen)")
                continue
            }
            for key in section.order where !record.wasRead(section.recordPath, key) {
                let v = section[key]!
                let at = v.line.map { "\(v.file):\($0)" } ?? v.file
                var why = ""
                if let kinds = table?.keys.first(where: { $0.name == key })?.kinds {
                    why = " (it is read only when \(path).\(table!.selector) = " + kinds.map { "\"\($0)\"" }.joined(separator: " or ") + ")"
                }
                warnings.append("warning: \(at): \(v.name) is not used by this run\(why)")
            }
        }
        return warnings
    }
}
