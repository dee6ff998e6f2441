import Config
import Foundation

/// The points of a parameter sweep (`tissue sweep`): each `--vary section.key=…` (or each entry of
/// the config's `[sweep] vary = [...]`) is one axis; several axes give the grid product, the first
/// varying slowest. A point is a set of `--set` overrides applied to the scenario, so every key that
/// `--set` accepts can be swept and each point is loaded and validated like a `tissue run`.
///
/// Axis syntax: `section.key=v1,v2,…` (values as for `--set`, optionally with units: `20 um`) or
/// `section.key=lo:hi:n[:log]` (n ≥ 2 points from lo to hi inclusive, evenly or log spaced; lo < hi,
/// lo > 0 for log; lo and hi may carry units).
public struct SweepAxis: Sendable, Equatable {
    /// The dotted key, e.g. "tissue.peclet".
    public var key: String
    /// The spec as given ("tissue.peclet=1:100:20:log").
    public var spec: String
    /// The override value text of each point (what `--set key=TEXT` would be).
    public var texts: [String]
    /// The SI value of each point.
    public var values: [Double]
    /// UDUNITS string of the values ("1", "m", "mol m-3"): the units written in the spec, else those
    /// the key is declared with (`Schema`).
    public var units: String

    /// Parses one axis (syntax and values only; the key is checked against the scenario by `SweepPlan.load`).
    /// `source` names where the spec came from in messages ("--vary" or "FILE:LINE").
    public static func parse(_ spec: String, source: String = "--vary") throws -> SweepAxis {
        func fail(_ message: String) -> ScenarioError {
            ScenarioError(file: source, message: "`\(spec)`: \(message)")
        }
        guard let eq = spec.firstIndex(of: "=") else {
            throw fail("expected section.key=v1,v2,… or section.key=lo:hi:n[:log]")
        }
        let key = String(spec[..<eq]).trimmingBlanks()
        let body = String(spec[spec.index(after: eq)...]).trimmingBlanks()
        guard !key.isEmpty, !body.isEmpty else { throw fail("expected section.key=v1,v2,… or section.key=lo:hi:n[:log]") }
        if body.contains(":") && !body.contains(",") {
            return try range(key: key, spec: spec, body: body, fail: fail)
        }
        var texts: [String] = [], values: [Double] = []
        var dimension: Config.Dimension? = nil
        for item in body.split(separator: ",", omittingEmptySubsequences: false).map({ String($0).trimmingBlanks() }) {
            guard !item.isEmpty else { throw fail("empty value in the list (expected v1,v2,…)") }
            let (value, d) = try quantity(item, fail: fail)
            if let dimension, d != .dimensionless, dimension != .dimensionless, d != dimension {
                throw fail("`\(item)` is \(d.phrase), the other values \(dimension.phrase)")
            }
            if d != .dimensionless || dimension == nil { dimension = d }
            texts.append(item)
            values.append(value)
        }
        return SweepAxis(key: key, spec: spec, texts: texts, values: values, units: (dimension ?? .dimensionless).description)
    }

    /// `lo:hi:n[:log]`: the points are computed in SI and passed as SI numbers with their units.
    static func range(key: String, spec: String, body: String, fail: (String) -> ScenarioError) throws -> SweepAxis {
        let parts = body.split(separator: ":", omittingEmptySubsequences: false).map { String($0).trimmingBlanks() }
        let expected = "expected lo:hi:n or lo:hi:n:log"
        guard parts.count == 3 || parts.count == 4 else { throw fail(expected) }
        let (lo, loDimension) = try quantity(parts[0], fail: fail)
        let (hi, hiDimension) = try quantity(parts[1], fail: fail)
        guard let n = Int(parts[2]) else { throw fail("n = `\(parts[2])` is not an integer (\(expected))") }
        let logSpacing: Bool
        switch parts.count == 4 ? parts[3] : "lin" {
        case "log": logSpacing = true
        case "lin": logSpacing = false
        default: throw fail("`\(parts[3])`: expected `log` (or `lin`) as the 4th field (\(expected))")
        }
        guard n >= 2 else { throw fail("n = \(n): a range needs at least 2 points (\(expected))") }
        guard n <= 1_000_000 else { throw fail("n = \(n): at most 1000000 points") }
        guard lo.isFinite, hi.isFinite else { throw fail("lo and hi must be finite") }
        guard loDimension == hiDimension || loDimension == .dimensionless || hiDimension == .dimensionless else {
            throw fail("lo is \(loDimension.phrase) but hi \(hiDimension.phrase)")
        }
        guard lo < hi else { throw fail("lo = \(parts[0]) is not below hi = \(parts[1]) (\(expected) with lo < hi)") }
        if logSpacing && lo <= 0 { throw fail("log spacing needs lo > 0, got lo = \(parts[0])") }
        let dimension = loDimension == .dimensionless ? hiDimension : loDimension
        let points: [Double] = (0..<n).map { i in
            if i == 0 { return lo }
            if i == n - 1 { return hi }
            let t = Double(i) / Double(n - 1)
            return logSpacing ? exp(log(lo) + (log(hi) - log(lo)) * t) : lo + (hi - lo) * t
        }
        // Integer ends of an evenly spaced dimensionless range whose points are all whole: integers,
        // so that integer keys (solver.max_iterations, run.seed) can be swept too.
        let integral = !logSpacing && dimension == .dimensionless && Int64(parts[0]) != nil && Int64(parts[1]) != nil
            && points.allSatisfy { $0 == $0.rounded() && abs($0) < 9e15 }
        let texts = points.map { v -> String in
            if integral { return String(Int64(v)) }
            let number = TOMLSerializer.float(v)
            return dimension == .dimensionless ? number : "\"\(number) \(dimension)\""
        }
        let values = try texts.map { try quantity($0, fail: fail).value }
        return SweepAxis(key: key, spec: spec, texts: texts, values: values, units: dimension.description)
    }

    /// The SI value and dimension of an override value text, read as `--set` reads it (TOML, or a bare
    /// string) and converted as the loader converts it (plain numbers are SI).
    static func quantity(_ text: String, fail: (String) -> ScenarioError) throws -> (value: Double, dimension: Config.Dimension) {
        if let v = try? TOMLParser.parseValue(text, file: Overrides.source) {
            if let d = v.doubleValue { return (d, .dimensionless) }
            guard let s = v.stringValue else { throw fail("`\(text)` is \(v.typeDescription); a sweep varies numbers (optionally with units)") }
            return try quantity(s, fail: fail)
        }
        do { return try Units.parseQuantity(text) } catch {
            throw fail("`\(text)` is not a number with optional units (\(error))")
        }
    }
}

/// A sweep: its axes and the scenario they are applied to.
public struct SweepPlan: Sendable {
    public var axes: [SweepAxis]

    public init(axes: [SweepAxis]) { self.axes = axes }

    /// Number of runs: the product of the axis lengths.
    public var count: Int { axes.reduce(1) { $0 * $1.values.count } }

    public var parameterNames: [String] { axes.map(\.key) }

    /// The index of each axis at run `index` (the first axis varies slowest).
    public func coordinates(of index: Int) -> [Int] {
        var rest = index
        var result = [Int](repeating: 0, count: axes.count)
        for k in axes.indices.reversed() {
            result[k] = rest % axes[k].values.count
            rest /= axes[k].values.count
        }
        return result
    }

    /// The `section.key=value` overrides of run `index`.
    public func overrides(of index: Int) -> [String] {
        zip(axes, coordinates(of: index)).map { "\($0.key)=\($0.texts[$1])" }
    }

    /// The SI parameter values of run `index`.
    public func values(of index: Int) -> [Double] {
        zip(axes, coordinates(of: index)).map { $0.values[$1] }
    }

    /// The `[sweep]` table of this plan, appended to the resolved base config in a sweep's files.
    public var toml: String {
        let list = TOMLValue(.array(axes.map { TOMLValue(.string($0.spec)) }))
        return "\n[sweep]\nvary = \(TOMLSerializer.inline(list))\n"
    }

    /// Keys a sweep may not vary: every run shares one grid (`/sweep/x`).
    static let gridKeys = ["grid.cells": "grid.cells sets the grid", "tissue.length": "tissue.length sets the grid's extent"]

    /// The plan of a sweep of the scenario at `config`: the `vary` specs (the config's `[sweep] vary` when
    /// empty), each key checked against the scenario's keys (the did-you-mean of `--set`), with the
    /// units of plain-number axes taken from the base config; and the `[sweep] file` output, if any.
    /// `overrides` and `unset` are the base config's `--set` and `--unset`.
    public static func load(config: String, vary: [String], overrides: [String] = [], unset: [String] = [])
        throws -> (plan: SweepPlan, output: String?) {
        let text = try Paths.read(config, what: "the scenario file", reportAs: config)
        let (sections, diagnostics) = try ScenarioLoader.sections(of: text, path: config, schema: Schema.scenario,
                                                                  overrides: overrides, unset: unset)
        let table = SectionReader(sections["sweep"], diagnostics)
        let output = table.isPresent("file") ? table.string("file", nonEmpty: true) : nil
        var specs: [(String, String)] = vary.map { ($0, "--vary") }
        if specs.isEmpty, let v = sections["sweep"]["vary"] {
            guard let items = v.value.arrayValue, items.allSatisfy({ $0.stringValue != nil }) else {
                throw ScenarioError(file: v.file, line: v.line, key: v.name,
                                    message: "sweep.vary must be an array of strings like \"tissue.peclet=1:100:20:log\"")
            }
            specs = items.map { ($0.stringValue!, "\(v.file):\(v.line(of: $0) ?? v.line ?? 0)") }
        }
        try diagnostics.throwIfAny()
        guard !specs.isEmpty else {
            throw ScenarioError(file: config, message: "nothing to sweep: give --vary section.key=… or a [sweep] table with vary = [\"section.key=lo:hi:n\"]")
        }
        var axes = try specs.map { try SweepAxis.parse($0.0, source: $0.1) }
        for (i, axis) in axes.enumerated() {
            if let reason = gridKeys[axis.key] {
                throw ScenarioError(file: specs[i].1, key: axis.key,
                                    message: "`\(axis.spec)`: \(reason), and all runs of a sweep share one grid (/sweep/x); run one sweep per value with --set \(axis.key)=…")
            }
            if let j = axes.indices.first(where: { $0 < i && axes[$0].key == axis.key }) {
                throw ScenarioError(file: specs[i].1, key: axis.key, message: "`\(axis.spec)`: \(axis.key) is already varied by `\(axes[j].spec)`")
            }
        }
        // Unknown keys: the same message as `--set` gives, naming the spec.
        let (_, keyDiagnostics) = try ScenarioLoader.sections(of: text, path: config, schema: Schema.scenario,
                                                                   overrides: overrides + axes.map { "\($0.key)=0" }, unset: unset)
        for (i, axis) in axes.enumerated() {
            if let problem = keyDiagnostics.problems.first(where: { $0.file == Overrides.source && $0.key == axis.key }) {
                throw ScenarioError(file: specs[i].1, key: axis.key, message: "`\(axis.spec)`: \(problem.message)")
            }
        }
        // Plain numbers are SI: a plain-number axis has the units of its key's declaration. Values of
        // another dimension, or fractions for an integer key, are refused before any run.
        for (i, axis) in axes.enumerated() {
            let spec = Schema.spec(ofKey: axis.key, in: Schema.scenario)
            let fail = { (why: String) in ScenarioError(file: specs[i].1, key: axis.key, message: "`\(axis.spec)`: \(why)") }
            switch spec?.value {
            case .quantity(let d)?, .quantities(let d)?:
                if axis.units == Config.Dimension.dimensionless.description {
                    axes[i].units = d.description
                } else if axis.units != d.description {
                    throw fail("\(axis.key) is \(d == .dimensionless ? "a number" : d.phrase), not a value in \(axis.units)")
                }
            case .integer?:
                if let v = axis.values.first(where: { $0 != $0.rounded() }) {
                    throw fail("\(axis.key) is an integer, but the axis has \(v)")
                }
            default:
                break
            }
        }
        return (SweepPlan(axes: axes), output)
    }
}
