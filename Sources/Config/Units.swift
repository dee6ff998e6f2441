/// Physical quantities written as "<number> <unit>" strings, checked against a dimension and
/// converted to SI.
///
/// Units: m, s, mol, g, Pa, N, L (litre) with the prefixes p n u µ m c k, plus min, h and `1`
/// (dimensionless). A unit expression multiplies factors separated by blanks, `*`, `.` or `·`;
/// `/` divides by the next factor. Exponents are written `^2`, `^-3`, `2`, `-3` or `²`, `⁻³`:
/// "m^2/s", "mol/m^3/s", "mol m-3 s-1", "1e-10 m2 s-1", "µm".

/// Exponents of the SI base dimensions kg, m, s and mol.
public struct Dimension: Equatable, Hashable, Sendable, CustomStringConvertible {
    public var mass: Int
    public var length: Int
    public var time: Int
    public var amount: Int

    public init(mass: Int = 0, length: Int = 0, time: Int = 0, amount: Int = 0) {
        self.mass = mass
        self.length = length
        self.time = time
        self.amount = amount
    }

    public static let dimensionless = Dimension()
    public static let length = Dimension(length: 1)
    public static let time = Dimension(time: 1)
    public static let mass = Dimension(mass: 1)
    public static let amount = Dimension(amount: 1)
    /// mol m-3
    public static let concentration = Dimension(length: -3, amount: 1)
    /// mol m-3 s-1
    public static let reactionRate = Dimension(length: -3, time: -1, amount: 1)
    /// m2 s-1
    public static let diffusivity = Dimension(length: 2, time: -1)
    /// m s-1
    public static let velocity = Dimension(length: 1, time: -1)
    /// Pa = kg m-1 s-2
    public static let pressure = Dimension(mass: 1, length: -1, time: -2)
    /// N = kg m s-2
    public static let force = Dimension(mass: 1, length: 1, time: -2)

    public static func * (a: Dimension, b: Dimension) -> Dimension {
        Dimension(mass: a.mass + b.mass, length: a.length + b.length, time: a.time + b.time, amount: a.amount + b.amount)
    }

    public func raised(to p: Int) -> Dimension {
        Dimension(mass: mass * p, length: length * p, time: time * p, amount: amount * p)
    }

    /// UDUNITS-style SI form: "m", "mol m-3 s-1", "m2 s-1", "kg m-1 s-2", "1".
    public var description: String {
        let parts = [("kg", mass), ("mol", amount), ("m", length), ("s", time)]
            .filter { $0.1 != 0 }
            .map { $0.1 == 1 ? $0.0 : "\($0.0)\($0.1)" }
        return parts.isEmpty ? "1" : parts.joined(separator: " ")
    }

    /// "a length (m)", "a concentration (mol m-3)", or "a quantity in kg m2" for unnamed ones.
    public var phrase: String {
        let names: [Dimension: String] = [
            .dimensionless: "a dimensionless number", .length: "a length", .time: "a time", .mass: "a mass",
            .amount: "an amount of substance", .concentration: "a concentration", .reactionRate: "a reaction rate",
            .diffusivity: "a diffusivity", .velocity: "a velocity", .pressure: "a pressure", .force: "a force",
        ]
        if let name = names[self] { return "\(name) (\(self))" }
        return "a quantity in \(self)"
    }

    /// An example value with units, for messages.
    public var example: String {
        let examples: [Dimension: String] = [
            .dimensionless: "0.5", .length: "20 um", .time: "5 ms", .concentration: "2 mol/m^3",
            .reactionRate: "1.5 mol/m^3/s", .diffusivity: "1e-10 m^2/s", .velocity: "1 mm/s", .pressure: "10 Pa",
        ]
        return examples[self] ?? "1 \(self)"
    }
}

/// A parsed unit expression: SI value = number × 10^powerOfTen × factor.
public struct UnitScale: Equatable, Sendable {
    public var dimension: Dimension
    /// Decimal part of the scale (prefixes, g → kg, L → m³), kept exact.
    public var powerOfTen: Int
    /// Remaining exact factor (60 for min, 3600 for h).
    public var factor: Double

    public static let one = UnitScale(dimension: .dimensionless, powerOfTen: 0, factor: 1)

    public static func * (a: UnitScale, b: UnitScale) -> UnitScale {
        UnitScale(dimension: a.dimension * b.dimension, powerOfTen: a.powerOfTen + b.powerOfTen, factor: a.factor * b.factor)
    }

    public func raised(to p: Int) -> UnitScale {
        var f = 1.0
        for _ in 0..<abs(p) { f *= factor }
        return UnitScale(dimension: dimension.raised(to: p), powerOfTen: powerOfTen * p, factor: p >= 0 ? f : 1 / f)
    }
}

/// Why a quantity string could not be read.
public struct UnitError: Error, Equatable, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

public enum Units {
    /// Units that take the prefixes p n u µ m c k.
    private static let prefixable: [String: UnitScale] = [
        "m": UnitScale(dimension: .length, powerOfTen: 0, factor: 1),
        "s": UnitScale(dimension: .time, powerOfTen: 0, factor: 1),
        "mol": UnitScale(dimension: .amount, powerOfTen: 0, factor: 1),
        "g": UnitScale(dimension: .mass, powerOfTen: -3, factor: 1),
        "Pa": UnitScale(dimension: .pressure, powerOfTen: 0, factor: 1),
        "N": UnitScale(dimension: .force, powerOfTen: 0, factor: 1),
        "L": UnitScale(dimension: .length.raised(to: 3), powerOfTen: -3, factor: 1),
    ]
    /// Units without prefixes.
    private static let plain: [String: UnitScale] = [
        "min": UnitScale(dimension: .time, powerOfTen: 0, factor: 60),
        "h": UnitScale(dimension: .time, powerOfTen: 0, factor: 3600),
    ]
    private static let prefixes: [Character: Int] = [
        "p": -12, "n": -9, "u": -6, "µ": -6, "μ": -6, "m": -3, "c": -2, "k": 3,
    ]
    /// Largest magnitude of a unit exponent ("m^99").
    public static let maxExponent: UInt = 99
    public static let knownUnitsHint = "known units: m, s, mol, g, Pa, N, L, min, h, 1, with prefixes p n u µ m c k"

    /// The scale of one unit symbol, e.g. "um", "mol", "kPa", "min".
    public static func symbol(_ s: String) -> UnitScale? {
        if let u = plain[s] ?? prefixable[s] { return u }
        guard let p = s.first, let power = prefixes[p], let base = prefixable[String(s.dropFirst())] else { return nil }
        return UnitScale(dimension: base.dimension, powerOfTen: base.powerOfTen + power, factor: base.factor)
    }

    /// Parses a unit expression such as "mol/m^3/s" or "m2 s-1" ("" and "1" are dimensionless).
    public static func parseUnit(_ expression: String) throws(UnitError) -> UnitScale {
        let superscripts: [Character: Character] = [
            "⁰": "0", "¹": "1", "²": "2", "³": "3", "⁴": "4", "⁵": "5", "⁶": "6", "⁷": "7", "⁸": "8", "⁹": "9", "⁻": "-",
        ]
        let chars = Array(expression)
        var i = 0
        var result = UnitScale.one
        var divideNext = false
        var expectFactor = true  // true at the start and after an explicit separator
        func fail(_ m: String) -> UnitError { UnitError(message: m) }
        func isLetter(_ c: Character) -> Bool { c.isLetter || c == "µ" || c == "μ" }

        while i < chars.count {
            let c = chars[i]
            if c == " " || c == "\t" { i += 1; continue }
            if c == "*" || c == "." || c == "·" {
                if expectFactor { throw fail("unit `\(expression)`: `\(c)` must come between two units") }
                expectFactor = true
                i += 1
                if c == "*", i < chars.count, chars[i] == "*" { throw fail("unit `\(expression)`: use `^` for powers") }
                continue
            }
            if c == "/" {
                if expectFactor {
                    throw fail("unit `\(expression)`: `/` must come between two units (write 1/s, not /s)")
                }
                divideNext = true
                expectFactor = true
                i += 1
                continue
            }
            // A factor: a symbol (or "1") with an optional exponent.
            var scale: UnitScale
            if isLetter(c) {
                var j = i
                while j < chars.count, isLetter(chars[j]) { j += 1 }
                let name = String(chars[i..<j])
                guard let s = symbol(name) else {
                    let whole = expression.trimmingBlanks()
                    let context = whole == name ? "" : " in `\(whole)`"
                    throw fail("unknown unit `\(name)`\(context) (\(knownUnitsHint))")
                }
                scale = s
                i = j
            } else if c == "1" {
                scale = .one
                i += 1
            } else {
                throw fail("unexpected `\(c)` in unit `\(expression)`")
            }
            // Exponent.
            var exponentText = ""
            if i < chars.count, chars[i] == "^" {
                i += 1
                if i < chars.count, chars[i] == "-" || chars[i] == "+" { exponentText.append(chars[i]); i += 1 }
                while i < chars.count, chars[i].isASCII, chars[i].isNumber { exponentText.append(chars[i]); i += 1 }
                if exponentText.isEmpty || exponentText == "-" || exponentText == "+" {
                    throw fail("unit `\(expression)`: `^` must be followed by an integer exponent")
                }
            } else if i < chars.count, chars[i] == "-" || (chars[i].isASCII && chars[i].isNumber) {
                if chars[i] == "-" { exponentText = "-"; i += 1 }
                while i < chars.count, chars[i].isASCII, chars[i].isNumber { exponentText.append(chars[i]); i += 1 }
                if exponentText == "-" { throw fail("unit `\(expression)`: `-` must be followed by an integer exponent") }
            } else {
                while i < chars.count, let d = superscripts[chars[i]] { exponentText.append(d); i += 1 }
            }
            var power = 1
            if !exponentText.isEmpty {
                guard let p = Int(exponentText) else { throw fail("unit `\(expression)`: invalid exponent `\(exponentText)`") }
                // Bounded so that powers, prefixes and dimensions cannot overflow (found by fuzzing).
                guard p.magnitude <= maxExponent else {
                    throw fail("unit `\(expression)`: exponent \(exponentText) is out of range (at most \(maxExponent) in magnitude)")
                }
                power = p
            }
            if divideNext { power = -power }
            result = result * scale.raised(to: power)
            divideNext = false
            expectFactor = false
            if i < chars.count, isLetter(chars[i]) {
                throw fail("unit `\(expression)`: separate units with a blank, `*` or `/`")
            }
        }
        if divideNext { throw fail("unit `\(expression)`: `/` must be followed by a unit") }
        if expectFactor && !chars.allSatisfy({ $0 == " " || $0 == "\t" }) {
            throw fail("unit `\(expression)` ends with a separator")
        }
        return result
    }

    /// Splits "<number> <unit>" into the decimal mantissa, its exponent and the unit text.
    private static func splitNumber(_ text: String) -> (mantissa: String, exponent: Int, unit: String)? {
        let chars = Array(text)
        var i = 0
        var mantissa = ""
        if i < chars.count, chars[i] == "+" || chars[i] == "-" { mantissa.append(chars[i]); i += 1 }
        var digits = 0
        while i < chars.count, chars[i].isASCII, chars[i].isNumber { mantissa.append(chars[i]); i += 1; digits += 1 }
        if i < chars.count, chars[i] == "." {
            mantissa.append("."); i += 1
            while i < chars.count, chars[i].isASCII, chars[i].isNumber { mantissa.append(chars[i]); i += 1; digits += 1 }
        }
        guard digits > 0 else { return nil }
        var exponent = 0
        if i < chars.count, chars[i] == "e" || chars[i] == "E" {
            var j = i + 1
            var e = ""
            if j < chars.count, chars[j] == "+" || chars[j] == "-" { e.append(chars[j]); j += 1 }
            var expDigits = 0
            while j < chars.count, chars[j].isASCII, chars[j].isNumber { e.append(chars[j]); j += 1; expDigits += 1 }
            if expDigits > 0, let v = Int(e) {
                exponent = v
                i = j
            }
        }
        return (mantissa, exponent, String(chars[i...]))
    }

    /// Parses "20 um" (or "1e-10 m^2/s", "2 mol m-3", ...) to an SI value and its dimension.
    ///
    /// Decimal scales are applied to the decimal text before conversion, so "20 um" gives exactly
    /// the `Double` nearest to 2e-5.
    public static func parseQuantity(_ text: String) throws(UnitError) -> (value: Double, dimension: Dimension) {
        let trimmed = text.trimmingBlanks()
        switch trimmed {
        case "inf", "+inf": return (.infinity, .dimensionless)
        case "-inf": return (-.infinity, .dimensionless)
        case "nan": return (.nan, .dimensionless)
        default: break
        }
        guard let (mantissa, exponent, unitText) = splitNumber(trimmed) else {
            throw UnitError(message: "`\(text)` does not start with a number (expected e.g. \"20 um\")")
        }
        let scale = try parseUnit(unitText)
        let (power, overflow) = exponent.addingReportingOverflow(scale.powerOfTen)
        guard !overflow, let decimal = Double("\(mantissa)e\(power)") else {
            throw UnitError(message: "`\(text)`: the number is out of range")
        }
        return (decimal * scale.factor, scale.dimension)
    }

    /// Parses a quantity string and checks its dimension; returns the SI value.
    public static func value(of text: String, expecting dimension: Dimension) throws(UnitError) -> Double {
        let (value, got) = try parseQuantity(text)
        guard got == dimension else {
            throw UnitError(message: "expected \(dimension.phrase), got \(got)")
        }
        return value
    }
}

extension String {
    public func trimmingBlanks() -> String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" || f == "\n" || f == "\r" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" || l == "\n" || l == "\r" { s = s.dropLast() }
        return String(s)
    }
}
