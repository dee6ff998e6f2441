/// A TOML v1.0 parser that keeps line numbers (dates and times are rejected).
///
/// Supported: comments; `[table]`, `[a.b]` and `[[array.of.tables]]` headers; bare, quoted and
/// dotted keys; basic, literal and multi-line strings; decimal/hex/octal/binary integers with
/// underscores; floats with exponents, `inf` and `nan`; booleans; multi-line arrays with
/// trailing commas; inline tables. The TOML rules on redefinition are enforced: duplicate keys,
/// tables defined twice, extending inline tables or static arrays are errors.
public enum TOMLParser {
    /// Parses a whole document. Errors are `ScenarioError`s naming `file` and the line.
    public static func parse(_ text: String, file: String) throws -> TOMLTable {
        var parser = TOMLTextParser(text: text, file: file)
        return try parser.parseDocument()
    }

    /// Parses a single TOML value that must make up all of `text` (surrounding blanks allowed),
    /// e.g. the right-hand side of a `--set key=value` override.
    public static func parseValue(_ text: String, file: String) throws -> TOMLValue {
        var parser = TOMLTextParser(text: text, file: file)
        parser.skipBlanks()
        var value = try parser.parseValue()
        parser.skipBlanks()
        if !parser.atEnd {
            throw parser.error("unexpected \(parser.describeCurrent()) after the value")
        }
        value.line = 0
        return value
    }

    /// Parses a dotted key (e.g. `grid.cells` or `tissue."D_beta"`) that makes up all of `text`.
    public static func parseKey(_ text: String, file: String) throws -> [String] {
        var parser = TOMLTextParser(text: text, file: file)
        parser.skipBlanks()
        let key = try parser.parseKey().map(\.name)
        parser.skipBlanks()
        if !parser.atEnd {
            throw parser.error("unexpected \(parser.describeCurrent()) after the key")
        }
        return key
    }
}

// MARK: - Table tree under construction

/// Mutable table used while parsing; records how the table came to exist, which decides
/// whether it may be reopened later.
private final class TableNode {
    public enum Origin {
        /// Created as the parent of a `[a.b]` header; may be defined once by its own header later.
        case implicit
        /// Defined by a `[header]` (or as an element of `[[array]]`).
        case header
        /// Created by a dotted key `a.b = 1`; can be extended by dotted keys in the same table.
        case dotted
    }

    public enum Item {
        case value(TOMLValue)
        case table(TableNode)
        case tableArray([TableNode])
    }

    public var origin: Origin
    public var line: Int
    public var order: [String] = []
    public var items: [String: Item] = [:]
    public var keyLines: [String: Int] = [:]

    public init(origin: Origin, line: Int) {
        self.origin = origin
        self.line = line
    }

    public func insert(_ key: String, _ item: Item, line: Int) {
        if items[key] == nil { order.append(key) }
        items[key] = item
        keyLines[key] = line
    }

    public func frozen() -> TOMLTable {
        var table = TOMLTable(line: line)
        for key in order {
            let keyLine = keyLines[key] ?? 0
            switch items[key]! {
            case .value(let v):
                table.set(key, v, keyLine: keyLine)
            case .table(let t):
                table.set(key, TOMLValue(.table(t.frozen()), line: t.line), keyLine: keyLine)
            case .tableArray(let ts):
                let elements = ts.map { TOMLValue(.table($0.frozen()), line: $0.line) }
                table.set(key, TOMLValue(.array(elements), line: keyLine), keyLine: keyLine)
            }
        }
        return table
    }
}

// MARK: - Parser

/// Recursive-descent parser over the UTF-8 bytes of one TOML text (document structure here,
/// strings and numbers in TOMLScalars.swift).
public struct TOMLTextParser {
    public let bytes: [UInt8]
    /// Name used in error messages.
    public let file: String
    /// Byte offset of the next unread byte.
    public var pos = 0
    /// 1-based line of `pos`.
    public var line = 1
    /// Arrays and inline tables currently open (bounded: the parser recurses on them).
    public var depth = 0
    /// Deepest nesting accepted; far beyond any configuration, far below a stack overflow.
    public static let maxDepth = 100

    public init(text: String, file: String) {
        var b = Array(text.utf8)
        if b.starts(with: [0xEF, 0xBB, 0xBF]) { b.removeFirst(3) }
        self.bytes = b
        self.file = file
    }

    // MARK: Cursor

    public var atEnd: Bool { pos >= bytes.count }

    public func peek(_ offset: Int = 0) -> UInt8? {
        let i = pos + offset
        return i < bytes.count ? bytes[i] : nil
    }

    public func error(_ message: String, line: Int? = nil) -> ScenarioError {
        ScenarioError(file: file, line: line ?? self.line, message: message)
    }

    public func describeCurrent() -> String {
        guard let c = peek() else { return "end of input" }
        switch c {
        case UInt8(ascii: "\n"), UInt8(ascii: "\r"): return "end of line"
        case 0x20...0x7E: return "`\(Character(Unicode.Scalar(c)))`"
        default:
            // Decode the whole UTF-8 sequence for the message.
            var end = pos + 1
            while end < bytes.count, bytes[end] & 0xC0 == 0x80 { end += 1 }
            let s = String(decoding: bytes[pos..<end], as: UTF8.self)
            return c < 0x20 || c == 0x7F ? "control character U+\(hex(UInt32(c)))" : "`\(s)`"
        }
    }

    public func hex(_ v: UInt32) -> String {
        let s = String(v, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - s.count)) + s
    }

    public mutating func advance(_ n: Int = 1) { pos += n }

    public mutating func skipBlanks() {
        while let c = peek(), c == 0x20 || c == 0x09 { pos += 1 }
    }

    /// Consumes a newline (`\n` or `\r\n`) if there is one.
    public mutating func consumeNewline() throws -> Bool {
        if peek() == UInt8(ascii: "\n") {
            pos += 1; line += 1
            return true
        }
        if peek() == UInt8(ascii: "\r") {
            guard peek(1) == UInt8(ascii: "\n") else { throw error("a carriage return must be followed by a line feed") }
            pos += 2; line += 1
            return true
        }
        return false
    }

    /// Skips a `#` comment up to (not including) the end of the line.
    public mutating func skipComment() throws {
        guard peek() == UInt8(ascii: "#") else { return }
        pos += 1
        while let c = peek(), c != UInt8(ascii: "\n") {
            if c == UInt8(ascii: "\r"), peek(1) == UInt8(ascii: "\n") { break }
            if (c < 0x20 && c != 0x09) || c == 0x7F {
                throw error("control character U+\(hex(UInt32(c))) is not allowed in a comment")
            }
            pos += 1
        }
    }

    /// Requires the rest of the line to be blank or a comment, then consumes the newline.
    public mutating func expectLineEnd(after what: String) throws {
        skipBlanks()
        try skipComment()
        if atEnd { return }
        if try consumeNewline() { return }
        throw error("expected the end of the line after \(what), found \(describeCurrent())")
    }

    /// Skips blanks, comments and newlines (inside arrays).
    public mutating func skipBlanksCommentsNewlines() throws {
        while true {
            skipBlanks()
            try skipComment()
            if try !consumeNewline() { return }
        }
    }

    // MARK: Document

    public mutating func parseDocument() throws -> TOMLTable {
        let root = TableNode(origin: .header, line: 0)
        var current = root
        while true {
            try skipBlanksCommentsNewlines()
            guard let c = peek() else { break }
            if c == UInt8(ascii: "[") {
                current = try parseHeader(root: root)
            } else {
                try parseKeyValue(into: current, inline: false)
                try expectLineEnd(after: "the value")
            }
        }
        return root.frozen()
    }

    /// Parses `[a.b]` or `[[a.b]]` and returns the table that following key/value pairs go to.
    fileprivate mutating func parseHeader(root: TableNode) throws -> TableNode {
        let headerLine = line
        advance()  // [
        let isArray = peek() == UInt8(ascii: "[")
        if isArray { advance() }
        skipBlanks()
        let key = try parseKey()
        skipBlanks()
        let close = isArray ? "]]" : "]"
        if isArray {
            guard peek() == UInt8(ascii: "]"), peek(1) == UInt8(ascii: "]") else {
                throw error("expected `]]` to close the array-of-tables header, found \(describeCurrent())")
            }
            advance(2)
        } else {
            guard peek() == UInt8(ascii: "]") else {
                throw error("expected `]` to close the table header, found \(describeCurrent())")
            }
            advance()
        }
        let name = key.map(\.name).map(TOMLSerializer.key).joined(separator: ".")
        try expectLineEnd(after: "`\(isArray ? "[[" : "[")\(name)\(close)`")

        // Walk to the parent, creating implicit tables.
        var table = root
        var path: [String] = []
        for part in key.dropLast() {
            path.append(part.name)
            let shown = path.map(TOMLSerializer.key).joined(separator: ".")
            switch table.items[part.name] {
            case nil:
                let t = TableNode(origin: .implicit, line: headerLine)
                table.insert(part.name, .table(t), line: headerLine)
                table = t
            case .table(let t)?:
                table = t
            case .tableArray(let ts)?:
                table = ts[ts.count - 1]
            case .value(let v)?:
                let what = v.tableValue != nil ? "an inline table" : "a value"
                throw error("cannot open `[\(name)]`: `\(shown)` is already \(what) (line \(v.line)); inline tables and values cannot be extended", line: headerLine)
            }
        }
        let last = key[key.count - 1].name
        let existing = table.items[last]
        let firstLine = table.keyLines[last] ?? 0
        if isArray {
            switch existing {
            case nil:
                let t = TableNode(origin: .header, line: headerLine)
                table.insert(last, .tableArray([t]), line: headerLine)
                return t
            case .tableArray(let ts)?:
                let t = TableNode(origin: .header, line: headerLine)
                table.items[last] = .tableArray(ts + [t])
                return t
            case .table?:
                throw error("cannot define `[[\(name)]]`: `\(name)` is already a table (line \(firstLine))", line: headerLine)
            case .value?:
                throw error("cannot define `[[\(name)]]`: `\(name)` is already a value (line \(firstLine)); a static array cannot be extended", line: headerLine)
            }
        }
        switch existing {
        case nil:
            let t = TableNode(origin: .header, line: headerLine)
            table.insert(last, .table(t), line: headerLine)
            return t
        case .table(let t)?:
            switch t.origin {
            case .implicit:
                t.origin = .header
                t.line = headerLine
                table.keyLines[last] = headerLine
                return t
            case .header:
                throw error("table `[\(name)]` is defined twice (first on line \(t.line))", line: headerLine)
            case .dotted:
                throw error("table `[\(name)]` was already defined by dotted keys (line \(t.line))", line: headerLine)
            }
        case .tableArray?:
            throw error("cannot define `[\(name)]`: `\(name)` is an array of tables (line \(firstLine))", line: headerLine)
        case .value(let v)?:
            throw error("cannot define `[\(name)]`: `\(name)` is already \(v.tableValue != nil ? "an inline table" : "a value") (line \(v.line))", line: headerLine)
        }
    }

    /// Parses `key = value` and stores it in `table`, creating dotted sub-tables.
    fileprivate mutating func parseKeyValue(into table: TableNode, inline: Bool) throws {
        let keyLine = line
        let key = try parseKey()
        skipBlanks()
        let shownKey = key.map(\.name).map(TOMLSerializer.key).joined(separator: ".")
        guard peek() == UInt8(ascii: "=") else {
            throw error("expected `=` after the key `\(shownKey)`, found \(describeCurrent())")
        }
        advance()
        skipBlanks()
        let value = try parseValue()

        var target = table
        var path: [String] = []
        for part in key.dropLast() {
            path.append(part.name)
            let shown = path.map(TOMLSerializer.key).joined(separator: ".")
            switch target.items[part.name] {
            case nil:
                let t = TableNode(origin: .dotted, line: keyLine)
                target.insert(part.name, .table(t), line: keyLine)
                target = t
            case .table(let t)? where t.origin == .dotted:
                target = t
            case .table(let t)?:
                throw error("cannot add `\(shownKey)`: table `\(shown)` was already defined by a header (line \(t.line))", line: keyLine)
            case .tableArray?:
                throw error("cannot add `\(shownKey)`: `\(shown)` is an array of tables", line: keyLine)
            case .value(let v)?:
                throw error("cannot add `\(shownKey)`: `\(shown)` is already \(v.tableValue != nil ? "an inline table" : "a value") (line \(v.line))", line: keyLine)
            }
        }
        let last = key[key.count - 1].name
        if target.items[last] != nil {
            let first = target.keyLines[last] ?? 0
            throw error("duplicate key `\(shownKey)` (first defined on line \(first))", line: keyLine)
        }
        target.insert(last, .value(value), line: keyLine)
    }

    // MARK: Keys

    /// A dotted key: simple keys separated by `.` (blanks allowed around the dots).
    public mutating func parseKey() throws -> [(name: String, line: Int)] {
        var parts: [(name: String, line: Int)] = []
        while true {
            skipBlanks()
            parts.append((try parseSimpleKey(), line))
            skipBlanks()
            if peek() == UInt8(ascii: ".") {
                advance()
                continue
            }
            return parts
        }
    }

    public mutating func parseSimpleKey() throws -> String {
        guard let c = peek() else { throw error("expected a key, found end of input") }
        if c == UInt8(ascii: "\"") {
            if peek(1) == UInt8(ascii: "\""), peek(2) == UInt8(ascii: "\"") {
                throw error("a multi-line string cannot be a key")
            }
            return try parseBasicString()
        }
        if c == UInt8(ascii: "'") {
            if peek(1) == UInt8(ascii: "'"), peek(2) == UInt8(ascii: "'") {
                throw error("a multi-line string cannot be a key")
            }
            return try parseLiteralString()
        }
        let start = pos
        while let c = peek(), TOMLTextParser.isBareKeyByte(c) { advance() }
        if pos == start {
            throw error("expected a key, found \(describeCurrent())")
        }
        return String(decoding: bytes[start..<pos], as: UTF8.self)
    }

    public static func isBareKeyByte(_ c: UInt8) -> Bool {
        (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || (c >= 0x30 && c <= 0x39)
            || c == UInt8(ascii: "_") || c == UInt8(ascii: "-")
    }

    // MARK: Values

    public mutating func parseValue() throws -> TOMLValue {
        let startLine = line
        guard let c = peek() else { throw error("expected a value, found end of input") }
        switch c {
        case UInt8(ascii: "\""):
            if peek(1) == UInt8(ascii: "\""), peek(2) == UInt8(ascii: "\"") {
                return TOMLValue(.string(try parseMultilineBasicString()), line: startLine)
            }
            return TOMLValue(.string(try parseBasicString()), line: startLine)
        case UInt8(ascii: "'"):
            if peek(1) == UInt8(ascii: "'"), peek(2) == UInt8(ascii: "'") {
                return TOMLValue(.string(try parseMultilineLiteralString()), line: startLine)
            }
            return TOMLValue(.string(try parseLiteralString()), line: startLine)
        case UInt8(ascii: "["):
            return try parseArray()
        case UInt8(ascii: "{"):
            return try parseInlineTable()
        case UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "#"):
            throw error("expected a value, found \(describeCurrent())")
        default:
            return try parseScalarToken()
        }
    }

    /// Counts one more level of nesting; throws beyond `maxDepth`.
    public mutating func enterNested() throws {
        depth += 1
        if depth > Self.maxDepth {
            throw error("arrays and inline tables are nested more than \(Self.maxDepth) deep")
        }
    }

    public mutating func parseArray() throws -> TOMLValue {
        let startLine = line
        try enterNested()
        defer { depth -= 1 }
        advance()  // [
        var elements: [TOMLValue] = []
        while true {
            try skipBlanksCommentsNewlines()
            if peek() == UInt8(ascii: "]") {
                advance()
                break
            }
            if atEnd { throw error("unterminated array (opened on line \(startLine))", line: startLine) }
            elements.append(try parseValue())
            try skipBlanksCommentsNewlines()
            if peek() == UInt8(ascii: ",") {
                advance()
                continue
            }
            if peek() == UInt8(ascii: "]") {
                advance()
                break
            }
            if atEnd { throw error("unterminated array (opened on line \(startLine))", line: startLine) }
            throw error("expected `,` or `]` in the array, found \(describeCurrent())")
        }
        return TOMLValue(.array(elements), line: startLine)
    }

    public mutating func parseInlineTable() throws -> TOMLValue {
        let startLine = line
        try enterNested()
        defer { depth -= 1 }
        advance()  // {
        let table = TableNode(origin: .header, line: startLine)
        skipBlanks()
        if peek() == UInt8(ascii: "}") {
            advance()
            return TOMLValue(.table(table.frozen()), line: startLine)
        }
        while true {
            skipBlanks()
            if peek() == UInt8(ascii: "}") {
                throw error("a trailing comma is not allowed in an inline table")
            }
            try parseKeyValue(into: table, inline: true)
            skipBlanks()
            if peek() == UInt8(ascii: ",") {
                advance()
                continue
            }
            if peek() == UInt8(ascii: "}") {
                advance()
                break
            }
            if atEnd || peek() == UInt8(ascii: "\n") || peek() == UInt8(ascii: "\r") {
                throw error("unterminated inline table (opened on line \(startLine)); inline tables must be on one line")
            }
            throw error("expected `,` or `}` in the inline table, found \(describeCurrent())")
        }
        return TOMLValue(.table(table.frozen()), line: startLine)
    }
}
