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

/// Reads the keys of one section with type, unit and range checks.
public struct SectionReader {
    public let section: ConfigSection
    public let diagnostics: Diagnostics

    public init(_ section: ConfigSection, _ diagnostics: Diagnostics) {
        self.section = section
        self.diagnostics = diagnostics
    }

    private func fullKey(_ key: String) -> String { section.name + "." + key }

    public func isPresent(_ key: String) -> Bool { section[key] != nil }

    /// The raw value; reports a missing required key.
    public func raw(_ key: String, required: Bool) -> SourcedValue? {
        if let v = section[key] { return v }
        if required {
            if section.isPresent {
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

    /// Reports `key` if it is given: it does not apply in this configuration.
    public func forbid(_ key: String, _ reason: String) {
        if let v = section[key] { report(v, "\(v.name) is not allowed here: \(reason)") }
    }

    // MARK: Quantities

    /// A physical value: a number in SI units or a string with units, checked against `dimension`.
    public func quantity(_ key: String, _ dimension: Dimension, _ range: AllowedRange?, default value: Double? = nil) -> Double? {
        guard let v = raw(key, required: value == nil) else { return value }
        return quantity(v.value, of: v, dimension, range, name: key)
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
    public func quantityArray(_ key: String, _ dimension: Dimension, _ range: AllowedRange?, required: Bool = true)
        -> (values: [Double], source: SourcedValue)? {
        guard let v = raw(key, required: required) else { return nil }
        guard let elements = v.value.arrayValue else {
            report(v, "\(v.name) must be an array of \(dimension == .dimensionless ? "numbers" : "values in \(dimension)"), got \(v.value.typeDescription)")
            return nil
        }
        var out: [Double] = []
        var ok = true
        for (i, e) in elements.enumerated() {
            if let x = quantity(e, of: v, dimension, range, name: "\(key)[\(i)]", label: "\(v.name)[\(i)]") {
                out.append(x)
            } else {
                ok = false
            }
        }
        return ok ? (out, v) : nil
    }

    // MARK: Integers, strings, choices

    public func integer(_ key: String, atLeast minimum: Int64, atMost maximum: Int64? = nil, default value: Int? = nil) -> Int? {
        guard let v = raw(key, required: value == nil) else { return value }
        guard case .integer(let i) = v.value.kind else {
            report(v, "\(v.name) must be an integer, got \(v.value.typeDescription) (\(TOMLSerializer.inline(v.value)))")
            return nil
        }
        guard i >= minimum else {
            report(v, "\(v.name) = \(i) is out of range: expected \(key) >= \(minimum)")
            return nil
        }
        if let maximum, i > maximum {
            report(v, "\(v.name) = \(i) is out of range: expected \(key) <= \(maximum)")
            return nil
        }
        guard let n = Int(exactly: i) else {
            report(v, "\(v.name) = \(i) is too large")
            return nil
        }
        return n
    }

    public func string(_ key: String, default value: String? = nil, nonEmpty: Bool = false) -> String? {
        guard let v = raw(key, required: value == nil) else { return value }
        guard let s = v.value.stringValue else {
            report(v, "\(v.name) must be a string, got \(v.value.typeDescription) (\(TOMLSerializer.inline(v.value)))")
            return nil
        }
        if nonEmpty && s.trimmingBlanks().isEmpty {
            report(v, "\(v.name) must not be empty")
            return nil
        }
        return s
    }

    /// One of the raw values of `T`, e.g. "central" | "upwind".
    /// `only` restricts the allowed values to a subset of the cases.
    public func choice<T: RawRepresentable & CaseIterable>(_ key: String, _ type: T.Type, default value: T? = nil,
                                                    only subset: [T]? = nil) -> T?
        where T.RawValue == String {
        guard let v = raw(key, required: value == nil) else { return value }
        let allowed = (subset ?? Array(T.allCases)).map(\.rawValue)
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
        return c
    }
}
