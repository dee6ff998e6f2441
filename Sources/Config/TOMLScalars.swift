/// Strings, booleans and numbers of the TOML parser.

extension TOMLTextParser {
    // MARK: Strings

    /// Appends the UTF-8 bytes of a Unicode scalar.
    public static func appendScalar(_ scalar: Unicode.Scalar, to out: inout [UInt8]) {
        out.append(contentsOf: Array(String(Character(scalar)).utf8))
    }

    /// Parses an escape sequence after the backslash.
    public mutating func parseEscape(into out: inout [UInt8]) throws {
        guard let c = peek() else { throw error("unterminated escape sequence") }
        advance()
        switch c {
        case UInt8(ascii: "b"): out.append(0x08)
        case UInt8(ascii: "t"): out.append(0x09)
        case UInt8(ascii: "n"): out.append(0x0A)
        case UInt8(ascii: "f"): out.append(0x0C)
        case UInt8(ascii: "r"): out.append(0x0D)
        case UInt8(ascii: "\""): out.append(0x22)
        case UInt8(ascii: "\\"): out.append(0x5C)
        case UInt8(ascii: "u"), UInt8(ascii: "U"):
            let n = c == UInt8(ascii: "u") ? 4 : 8
            guard pos + n <= bytes.count,
                  let code = UInt32(String(decoding: bytes[pos..<pos + n], as: UTF8.self), radix: 16),
                  bytes[pos..<pos + n].allSatisfy({ TOMLTextParser.isHexDigit($0) })
            else { throw error("invalid escape `\\\(Character(Unicode.Scalar(c)))`: expected \(n) hexadecimal digits") }
            guard let scalar = Unicode.Scalar(code) else {
                throw error("invalid escape: U+\(String(code, radix: 16, uppercase: true)) is not a Unicode scalar value")
            }
            advance(n)
            TOMLTextParser.appendScalar(scalar, to: &out)
        default:
            let shown = c >= 0x20 && c < 0x7F ? "\\\(Character(Unicode.Scalar(c)))" : "\\"
            throw error("invalid escape sequence `\(shown)` in a string")
        }
    }

    public static func isHexDigit(_ c: UInt8) -> Bool {
        (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66)
    }

    public func checkStringByte(_ c: UInt8, multiline: Bool) throws {
        if (c < 0x20 && c != 0x09 && !(multiline && (c == 0x0A || c == 0x0D))) || c == 0x7F {
            throw error("control character U+\(hex(UInt32(c))) must be escaped in a string")
        }
    }

    public mutating func parseBasicString() throws -> String {
        let startLine = line
        advance()  // "
        var out: [UInt8] = []
        while true {
            guard let c = peek() else { throw error("unterminated string (opened on line \(startLine))", line: startLine) }
            if c == UInt8(ascii: "\"") {
                advance()
                return String(decoding: out, as: UTF8.self)
            }
            if c == 0x0A || c == 0x0D {
                throw error("unterminated string: a basic string must end on the line where it starts (use \"\"\" for multi-line strings)")
            }
            if c == UInt8(ascii: "\\") {
                advance()
                try parseEscape(into: &out)
                continue
            }
            try checkStringByte(c, multiline: false)
            out.append(c)
            advance()
        }
    }

    public mutating func parseLiteralString() throws -> String {
        let startLine = line
        advance()  // '
        let start = pos
        while true {
            guard let c = peek() else { throw error("unterminated literal string (opened on line \(startLine))", line: startLine) }
            if c == UInt8(ascii: "'") {
                let s = String(decoding: bytes[start..<pos], as: UTF8.self)
                advance()
                return s
            }
            if c == 0x0A || c == 0x0D {
                throw error("unterminated literal string: it must end on the line where it starts (use ''' for multi-line strings)")
            }
            try checkStringByte(c, multiline: false)
            advance()
        }
    }

    /// At a run of `quote` bytes inside a multi-line string: fewer than 3 are content; 3 to 5 close
    /// the string, the 1 or 2 before the closing three being content. Returns whether it closed.
    mutating func closesMultiline(quote: UInt8, into out: inout [UInt8], what: String) throws -> Bool {
        var run = 0
        while peek(run) == quote { run += 1 }
        if run > 5 { throw error("too many quotes at the end of a \(what)") }
        out.append(contentsOf: repeatElement(quote, count: run < 3 ? run : run - 3))
        advance(run)
        return run >= 3
    }

    public mutating func parseMultilineBasicString() throws -> String {
        let startLine = line
        advance(3)
        _ = try consumeNewline()  // a newline right after the opening delimiter is trimmed
        var out: [UInt8] = []
        while true {
            guard let c = peek() else { throw error("unterminated multi-line string (opened on line \(startLine))", line: startLine) }
            if c == UInt8(ascii: "\"") {
                if try closesMultiline(quote: c, into: &out, what: "multi-line string") { return String(decoding: out, as: UTF8.self) }
                continue
            }
            if c == UInt8(ascii: "\\") {
                // Line-ending backslash: `\`, optional blanks, a newline, then all whitespace is trimmed.
                var k = 1
                while let b = peek(k), b == 0x20 || b == 0x09 { k += 1 }
                if peek(k) == 0x0A || (peek(k) == 0x0D && peek(k + 1) == 0x0A) {
                    advance(k)
                    while true {
                        skipBlanks()
                        if try !consumeNewline() { break }
                    }
                    continue
                }
                advance()
                try parseEscape(into: &out)
                continue
            }
            if try consumeNewline() {
                out.append(0x0A)
                continue
            }
            try checkStringByte(c, multiline: true)
            out.append(c)
            advance()
        }
    }

    public mutating func parseMultilineLiteralString() throws -> String {
        let startLine = line
        advance(3)
        _ = try consumeNewline()
        var out: [UInt8] = []
        while true {
            guard let c = peek() else { throw error("unterminated multi-line literal string (opened on line \(startLine))", line: startLine) }
            if c == UInt8(ascii: "'") {
                if try closesMultiline(quote: c, into: &out, what: "multi-line literal string") { return String(decoding: out, as: UTF8.self) }
                continue
            }
            if try consumeNewline() {
                out.append(0x0A)
                continue
            }
            try checkStringByte(c, multiline: true)
            out.append(c)
            advance()
        }
    }

    // MARK: Booleans and numbers

    public static func isTokenByte(_ c: UInt8) -> Bool {
        isBareKeyByte(c) || c == UInt8(ascii: "+") || c == UInt8(ascii: ".") || c == UInt8(ascii: ":")
    }

    public mutating func parseScalarToken() throws -> TOMLValue {
        let startLine = line
        let start = pos
        while let c = peek(), TOMLTextParser.isTokenByte(c) { advance() }
        if pos == start {
            throw error("expected a value, found \(describeCurrent())")
        }
        let token = String(decoding: bytes[start..<pos], as: UTF8.self)
        switch token {
        case "true": return TOMLValue(.boolean(true), line: startLine)
        case "false": return TOMLValue(.boolean(false), line: startLine)
        case "inf", "+inf": return TOMLValue(.float(.infinity), line: startLine)
        case "-inf": return TOMLValue(.float(-.infinity), line: startLine)
        case "nan", "+nan", "-nan": return TOMLValue(.float(.nan), line: startLine)
        default: break
        }
        if TOMLTextParser.looksLikeDateTime(token) {
            throw error("date-time values are not supported (`\(token)`)", line: startLine)
        }
        if let kind = try TOMLTextParser.number(token, error: { error($0, line: startLine) }) {
            return TOMLValue(kind, line: startLine)
        }
        if token.first.map({ $0.isLetter }) == true {
            throw error("invalid value `\(token)`: strings must be quoted (\"\(token)\")", line: startLine)
        }
        throw error("invalid value `\(token)`", line: startLine)
    }

    /// `1979-05-27…` or `07:32:00…`.
    public static func looksLikeDateTime(_ token: String) -> Bool {
        let b = Array(token.utf8)
        func digits(_ r: Range<Int>) -> Bool { r.upperBound <= b.count && b[r].allSatisfy { $0 >= 0x30 && $0 <= 0x39 } }
        if digits(0..<4), b.count > 4, b[4] == UInt8(ascii: "-") { return true }
        if digits(0..<2), b.count > 2, b[2] == UInt8(ascii: ":") { return true }
        return false
    }

    /// Digits of `radix` with single underscores between digits; returns them without underscores.
    public static func digitRun(_ s: Substring, isDigit: (Character) -> Bool) -> String? {
        guard let first = s.first, let last = s.last, isDigit(first), isDigit(last) else { return nil }
        var out = ""
        var previousUnderscore = false
        for ch in s {
            if ch == "_" {
                if previousUnderscore { return nil }
                previousUnderscore = true
            } else if isDigit(ch) {
                previousUnderscore = false
                out.append(ch)
            } else {
                return nil
            }
        }
        return out
    }

    /// Interprets a TOML integer or float token; nil if it is not a number.
    public static func number(_ token: String, error: (String) -> ScenarioError) throws -> TOMLValue.Kind? {
        let decimal: (Character) -> Bool = { $0.isASCII && $0.isNumber }
        for (prefix, radix) in [("0x", 16), ("0o", 8), ("0b", 2)] where token.hasPrefix(prefix) {
            let body = token.dropFirst(2)
            let isDigit: (Character) -> Bool = { $0.isASCII && $0.hexDigitValue.map { $0 < radix } == true }
            guard let digits = digitRun(body, isDigit: isDigit) else { return nil }
            guard let v = Int64(digits, radix: radix) else {
                throw error("integer `\(token)` does not fit in 64 bits")
            }
            return .integer(v)
        }
        var rest = Substring(token)
        var sign = ""
        if let f = rest.first, f == "+" || f == "-" {
            sign = f == "-" ? "-" : ""
            rest = rest.dropFirst()
        }
        // Split into integer part, fraction and exponent.
        var intPart = rest
        var fraction: Substring? = nil
        var exponent: Substring? = nil
        if let e = rest.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            exponent = rest[rest.index(after: e)...]
            intPart = rest[..<e]
        }
        if let dot = intPart.firstIndex(of: ".") {
            fraction = intPart[intPart.index(after: dot)...]
            intPart = intPart[..<dot]
        }
        guard let intDigits = digitRun(intPart, isDigit: decimal) else { return nil }
        if intDigits.count > 1, intDigits.first == "0" {
            throw error("leading zeros are not allowed in `\(token)`")
        }
        var text = sign + intDigits
        if let fraction {
            guard let f = digitRun(fraction, isDigit: decimal) else { return nil }
            text += "." + f
        }
        if var exponent {
            var expSign = ""
            if let f = exponent.first, f == "+" || f == "-" {
                expSign = f == "-" ? "-" : ""
                exponent = exponent.dropFirst()
            }
            guard let e = digitRun(exponent, isDigit: decimal) else { return nil }
            text += "e" + expSign + e
        }
        if fraction == nil && exponent == nil {
            guard let v = Int64(text) else { throw error("integer `\(token)` does not fit in 64 bits") }
            return .integer(v)
        }
        guard let d = Double(text) else { return nil }
        if d.isInfinite { throw error("float `\(token)` is too large") }
        return .float(d)
    }
}
