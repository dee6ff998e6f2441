/// Typed, range-checked reads of configuration values; every problem is reported to a
/// `Diagnostics` with the file, line and key, and the read returns nil.

/// An interval of allowed values, e.g. 0 < porosity < 1.
public struct AllowedRange: Sendable {
    public var lower: Double?
    public var lowerInclusive = false
    public var upper: Double?
    public var upperInclusive = false
    /// Name of the upper bound when it is another key (e.g. "end_time"), for messages.
    public var upperName: String? = nil

    public init(lower: Double? = nil, lowerInclusive: Bool = false, upper: Double? = nil, upperInclusive: Bool = false,
                upperName: String? = nil) {
        self.lower = lower
        self.lowerInclusive = lowerInclusive
        self.upper = upper
        self.upperInclusive = upperInclusive
        self.upperName = upperName
    }

    public static let positive = AllowedRange(lower: 0)
    public static let nonNegative = AllowedRange(lower: 0, lowerInclusive: true)
    public static let unitInterval = AllowedRange(lower: 0, upper: 1)
    public static let unitIntervalClosedAbove = AllowedRange(lower: 0, upper: 1, upperInclusive: true)
    public static func atLeast(_ v: Double) -> AllowedRange { AllowedRange(lower: v, lowerInclusive: true) }

    public func contains(_ x: Double) -> Bool {
        if let lower, lowerInclusive ? x < lower : x <= lower { return false }
        if let upper, upperInclusive ? x > upper : x >= upper { return false }
        return true
    }

    /// "0 < porosity < 1", "length > 0", "cells >= 3", "0 < time_step <= end_time (10.0 s)".
    public func describe(_ name: String, unit: String = "") -> String {
        let lowOp = lowerInclusive ? "<=" : "<", highOp = upperInclusive ? "<=" : "<"
        var upperText: String? = nil
        if let upper {
            upperText = upperName.map { "\($0) (\(AllowedRange.format(upper))\(unit))" } ?? AllowedRange.format(upper)
        }
        switch (lower, upperText) {
        case let (l?, u?): return "\(AllowedRange.format(l)) \(lowOp) \(name) \(highOp) \(u)"
        case let (l?, nil): return "\(name) \(lowerInclusive ? ">=" : ">") \(AllowedRange.format(l))"
        case let (nil, u?): return "\(name) \(highOp) \(u)"
        case (nil, nil): return "any \(name)"
        }
    }

    /// Integral values without a decimal point ("0", "3"), others with full precision.
    public static func format(_ x: Double) -> String {
        if x == x.rounded(), abs(x) < 1e15 { return String(Int64(x)) }
        return TOMLSerializer.float(x)
    }
}

/// Reads the keys of one section by name, with the type, unit, range and default its declaration
/// (`KeySpec`) gives; every key looked at, and the value resolved for it, goes to the section's
/// `ConfigRecord`.
public struct SectionReader {
    public let section: ConfigSection
    public let diagnostics: Diagnostics

    public init(_ section: ConfigSection, _ diagnostics: Diagnostics) {
        self.section = section
        self.diagnostics = diagnostics
    }

    private func fullKey(_ key: String) -> String { section.name + "." + key }

    /// The declaration of `key` in this section's table.
    public func spec(_ key: String) -> KeySpec {
        guard let schema = section.schema else { preconditionFailure("section [\(section.name)] has no schema") }
        return schema.spec(key)
    }

    public func isPresent(_ key: String) -> Bool { section[key] != nil }

    /// Whether the table is given at all (a header or any key); marks it as looked at.
    public var tableIsGiven: Bool {
        section.record?.markTableRead(section.recordPath)
        return section.isPresent || !section.order.isEmpty
    }

    /// Records the resolved `value` of `key` for the resolved configuration.
    public func record(_ key: String, _ value: TOMLValue) {
        section.record?.record(section.recordPath, key, value)
    }

    /// The raw value (marking the key as read); reports a missing required key.
    public func raw(_ key: String, required: Bool) -> SourcedValue? {
        section.record?.markRead(section.recordPath, key)
        if let v = section[key] { return v }
        if required {
            // A table given only through --set (no header in the file) is present too.
            if section.isPresent || !section.order.isEmpty {
                diagnostics.report(file: section.file, line: section.line, key: fullKey(key),
                                   "missing required key `\(key)` in [\(section.name)]\(section.missingHint)")
            } else {
                diagnostics.report(file: section.file, line: nil, key: section.name,
                                   "missing required table [\(section.name)]\(section.missingHint)")
            }
        }
        return nil
    }

    public func report(_ v: SourcedValue, line: Int? = nil, _ message: String) {
        diagnostics.report(file: v.file, line: line ?? v.line, key: v.name, message)
    }

    /// Whether `values` (read from the array `source`) increase strictly; otherwise reports the first
    /// element that does not, at its own line, and returns false.
    public func checkStrictlyIncreasing(_ values: [Double], _ source: SourcedValue) -> Bool {
        let elements = source.value.arrayValue ?? []
        guard let i = values.indices.dropFirst().first(where: { values[$0] <= values[$0 - 1] }), i < elements.count else { return true }
        report(source, line: source.line(of: elements[i]),
               "\(source.name) must be strictly increasing: \(source.name)[\(i)] = \(TOMLSerializer.inline(elements[i])) follows \(TOMLSerializer.inline(elements[i - 1]))")
        return false
    }

    /// Reports `key` if it is given together with another key that gives the same thing.
    public func forbid(_ key: String, _ reason: String) {
        if let v = section[key] { report(v, "\(v.name) is not allowed here: \(reason)") }
    }

    // MARK: Quantities

    /// A physical value: a number in SI units or a string with units, checked against the key's
    /// dimension and range (`range` replaces the declared one when it depends on other keys).
    /// `value` replaces the declared default when that depends on other keys.
    public func quantity(_ key: String, range: AllowedRange? = nil, default value: Double? = nil) -> Double? {
        let spec = spec(key)
        guard case .quantity(let dimension) = spec.value else { preconditionFailure("\(fullKey(key)) is not declared as a quantity") }
        let fallback = value ?? spec.defaultValue?.doubleValue
        guard let v = raw(key, required: fallback == nil) else {
            if let fallback { record(key, TOMLValue(.float(fallback))) }
            return fallback
        }
        let x = quantity(v.value, of: v, dimension, range ?? spec.range, name: key)
        if let x {
            record(key, TOMLValue(.float(x)))
            if let (plausible, words) = spec.plausible, !plausible.contains(x) {
                let at = v.line.map { "\(v.file):\($0)" } ?? v.file
                let bare = v.value.stringValue == nil && dimension != .dimensionless
                    ? ": a plain number is read in SI units (\(dimension)); give units, e.g. \"20 um\"" : ""
                section.record?.warn("warning: \(at): \(v.name) = \(TOMLSerializer.inline(v.value)) is far outside what tissues have (\(words))\(bare)")
            }
        }
        return x
    }

    /// Converts one value (or array element `element` of `v`).
    public func quantity(_ element: TOMLValue, of v: SourcedValue, _ dimension: Dimension, _ range: AllowedRange?,
                  name: String, label: String? = nil) -> Double? {
        let shown = "\(label ?? v.name) = \(TOMLSerializer.inline(element))"
        let line = v.line(of: element)
        let x: Double
        switch element.kind {
        case .integer, .float:
            x = element.doubleValue!
        case .string(let s):
            do {
                x = try Units.value(of: s, expecting: dimension)
            } catch {
                report(v, line: line, "\(shown): \(error.message)")
                return nil
            }
        default:
            let expected = dimension == .dimensionless
                ? "a number"
                : "\(dimension.phrase): a number in SI units or a string with units such as \"\(dimension.example)\""
            report(v, line: line, "\(label ?? v.name) must be \(expected), got \(element.typeDescription) (\(TOMLSerializer.inline(element)))")
            return nil
        }
        guard x.isFinite else {
            report(v, line: line, "\(shown) is not a finite number")
            return nil
        }
        if let range, !range.contains(x) {
            let unit = dimension == .dimensionless ? "" : " \(dimension)"
            report(v, line: line, "\(shown) is out of range: expected \(range.describe(name, unit: unit))")
            return nil
        }
        return x
    }

    /// An array of physical values; each element checked like `quantity`.
    public func quantityArray(_ key: String, range: AllowedRange? = nil, required: Bool = true)
        -> (values: [Double], source: SourcedValue)? {
        let spec = spec(key)
        guard case .quantities(let dimension) = spec.value else { preconditionFailure("\(fullKey(key)) is not declared as an array of quantities") }
        guard let v = raw(key, required: required) else { return nil }
        guard let elements = v.value.arrayValue else {
            report(v, "\(v.name) must be an array of \(dimension == .dimensionless ? "numbers" : "values in \(dimension)"), got \(v.value.typeDescription)")
            return nil
        }
        var out: [Double] = []
        var ok = true
        for (i, e) in elements.enumerated() {
            if let x = quantity(e, of: v, dimension, range ?? spec.range, name: "\(key)[\(i)]", label: "\(v.name)[\(i)]") {
                out.append(x)
            } else {
                ok = false
            }
        }
        guard ok else { return nil }
        record(key, TOMLValue(.array(out.map { TOMLValue(.float($0)) })))
        return (out, v)
    }

    // MARK: Integers, strings, choices

    /// An integer in the declared range (`value` replaces a declared default).
    public func integer(_ key: String, default value: Int? = nil) -> Int? {
        let spec = spec(key)
        guard case .integer = spec.value else { preconditionFailure("\(fullKey(key)) is not declared as an integer") }
        let fallback = value ?? spec.defaultValue?.integerValue.flatMap { Int(exactly: $0) }
        guard let v = raw(key, required: fallback == nil) else {
            if let fallback { record(key, TOMLValue(.integer(Int64(fallback)))) }
            return fallback
        }
        guard case .integer(let i) = v.value.kind else {
            report(v, "\(v.name) must be an integer, got \(v.value.typeDescription) (\(TOMLSerializer.inline(v.value)))")
            return nil
        }
        if let minimum = spec.range?.lower, Double(i) < minimum {
            report(v, "\(v.name) = \(i) is out of range: expected \(key) >= \(AllowedRange.format(minimum))")
            return nil
        }
        if let maximum = spec.range?.upper, Double(i) > maximum {
            report(v, "\(v.name) = \(i) is out of range: expected \(key) <= \(AllowedRange.format(maximum))")
            return nil
        }
        guard let n = Int(exactly: i) else {
            report(v, "\(v.name) = \(i) is too large")
            return nil
        }
        record(key, TOMLValue(.integer(i)))
        return n
    }

    /// A non-empty array of integers in `minimum…maximum` (`.other` key); its declared default when absent.
    public func integers(_ key: String, atLeast minimum: Int64, atMost maximum: Int64? = nil) -> [Int64]? {
        let fallback = spec(key).defaultValue?.arrayValue?.compactMap(\.integerValue)
        guard let v = raw(key, required: fallback == nil) else {
            if let fallback { record(key, TOMLValue(.array(fallback.map { TOMLValue(.integer($0)) }))) }
            return fallback
        }
        var values: [Int64] = []
        for element in v.value.arrayValue ?? [] {
            guard case .integer(let i) = element.kind, i >= minimum, i <= maximum ?? .max else { break }
            values.append(i)
        }
        guard let elements = v.value.arrayValue, !elements.isEmpty, values.count == elements.count else {
            let range = maximum.map { "in \(minimum)…\($0)" } ?? ">= \(minimum)"
            report(v, "\(v.name) must be a non-empty array of integers \(range), got \(TOMLSerializer.inline(v.value))")
            return nil
        }
        record(key, TOMLValue(.array(values.map { TOMLValue(.integer($0)) })))
        return values
    }

    /// A string (`.string` or `.path` key); paths are returned as written, see `path`.
    public func string(_ key: String, default value: String? = nil, nonEmpty: Bool = false) -> String? {
        let spec = spec(key)
        let fallback = value ?? spec.defaultValue?.stringValue
        guard let v = raw(key, required: fallback == nil) else {
            if let fallback { record(key, TOMLValue(.string(fallback))) }
            return fallback
        }
        guard let s = v.value.stringValue else {
            report(v, "\(v.name) must be a string, got \(v.value.typeDescription) (\(TOMLSerializer.inline(v.value)))")
            return nil
        }
        if nonEmpty && s.trimmingBlanks().isEmpty {
            report(v, "\(v.name) must not be empty")
            return nil
        }
        record(key, TOMLValue(.string(s)))
        return s
    }

    /// A file named relative to `directory` (the configuration's): the resolved path, and the name
    /// as written (normalised), which is what the resolved configuration keeps.
    public func path(_ key: String, relativeTo directory: String, default value: String? = nil) -> (resolved: String, written: String)? {
        guard let written = string(key, default: value, nonEmpty: true).map(Paths.normalize) else { return nil }
        record(key, TOMLValue(.string(written)))
        return (Paths.resolve(written, relativeTo: directory), written)
    }

    /// One of the raw values of `T`, e.g. "central" | "upwind", among those the key declares.
    public func choice<T: RawRepresentable & CaseIterable>(_ key: String, _ type: T.Type, default value: T? = nil) -> T?
        where T.RawValue == String {
        let spec = spec(key)
        guard case .choice(let allowed) = spec.value else { preconditionFailure("\(fullKey(key)) is not declared as a choice") }
        let fallback = value ?? spec.defaultValue?.stringValue.flatMap(T.init(rawValue:))
        guard let v = raw(key, required: fallback == nil) else {
            if let fallback { record(key, TOMLValue(.string(fallback.rawValue))) }
            return fallback
        }
        let list = allowed.map { "\"\($0)\"" }.joined(separator: ", ")
        guard let s = v.value.stringValue else {
            report(v, "\(v.name) must be one of \(list), got \(v.value.typeDescription) (\(TOMLSerializer.inline(v.value)))")
            return nil
        }
        guard let c = T(rawValue: s), allowed.contains(s) else {
            let suggestion = DidYouMean.suggestion(for: s, among: allowed).map { " (did you mean \"\($0)\"?)" } ?? ""
            report(v, "\(v.name) = \(TOMLSerializer.inline(v.value)) is not allowed: expected one of \(list)\(suggestion)")
            return nil
        }
        record(key, TOMLValue(.string(s)))
        return c
    }

    /// true or false.
    public func boolean(_ key: String) -> Bool? {
        let spec = spec(key)
        let fallback = spec.defaultValue?.boolValue
        guard let v = raw(key, required: fallback == nil) else {
            if let fallback { record(key, TOMLValue(.boolean(fallback))) }
            return fallback
        }
        guard let b = v.value.boolValue else {
            report(v, "\(v.name) must be true or false, got \(v.value.typeDescription) (\(TOMLSerializer.inline(v.value)))")
            return nil
        }
        record(key, TOMLValue(.boolean(b)))
        return b
    }
}
