import Config
import Foundation
import Macroscale

/// `[inlet]` of a transient scenario: the inlet concentration cL(t). Kinds and their keys:
/// - `constant`: `concentration` (default: the tissue's cL) — e.g. 0 for a washout;
/// - `step`: 0 before `time`, `concentration` from then on;
/// - `bolus`: `concentration` for `duration` from `start` (default 0), 0 otherwise;
/// - `exponential`: `concentration` · e^(−t/`decay_time`) (plasma clearance);
/// - `periodic`: `concentration` during the first `duration` of every `period`;
/// - `table`: a CSV `file` of two columns, t (s) and cL (mol m⁻³), times strictly increasing,
///   interpolated monotonically (no overshoot), held at its end values.
enum InletReader {
    enum Kind: String, CaseIterable { case constant, step, bolus, exponential, periodic, table }

    /// Keys each kind reads (besides `kind`).
    static let keys: [Kind: [String]] = [
        .constant: ["concentration"], .step: ["concentration", "time"], .bolus: ["concentration", "start", "duration"],
        .exponential: ["concentration", "decay_time"], .periodic: ["concentration", "period", "duration"], .table: ["file"],
    ]

    /// The schedule and its resolved TOML table, or nil (absent table, or problems reported).
    static func read(_ r: SectionReader, level defaultLevel: Double?, endTime: Double?,
                     directory: String) -> (schedule: InletSchedule, text: TOMLValue)? {
        guard r.section.isPresent || !r.section.order.isEmpty else { return nil }
        guard let kind = r.choice("kind", Kind.self) else { return nil }
        for key in Set(keys.values.joined()).sorted() where !keys[kind]!.contains(key) {
            r.forbid(key, "it is not used with inlet.kind = \"\(kind.rawValue)\"")
        }
        var fields: [(String, TOMLValue)] = [("kind", TOMLValue(.string(kind.rawValue)))]
        func quantity(_ key: String, _ dimension: Config.Dimension, _ range: AllowedRange, default value: Double? = nil) -> Double? {
            let v = r.quantity(key, dimension, range, default: value)
            if let v { fields.append((key, TOMLValue(.float(v)))) }
            return v
        }
        let schedule: InletSchedule?
        switch kind {
        case .table:
            guard let file = r.string("file", nonEmpty: true), let v = r.section["file"] else { return nil }
            let path = Paths.resolve(file, relativeTo: directory)
            fields.append(("file", TOMLValue(.string(Paths.normalize(file)))))
            do {
                let (times, levels) = try readTable(path: path, reportAs: v)
                schedule = try InletSchedule.table(times: times, levels: levels)
            } catch let e as ScenarioError {
                r.diagnostics.report(e)
                return nil
            } catch {
                r.report(v, "\(path): \(error)")
                return nil
            }
        default:
            let level = quantity("concentration", .concentration, .nonNegative, default: defaultLevel ?? 0)
            switch kind {
            case .constant: schedule = level.map { .constant(level: $0) }
            case .step:
                let t = quantity("time", .time, .nonNegative)
                schedule = level.flatMap { c in t.map { .step(before: 0, after: c, time: $0) } }
            case .bolus:
                let start = quantity("start", .time, .nonNegative, default: 0)
                let tau = quantity("duration", .time, .positive)
                schedule = level.flatMap { c in start.flatMap { s in tau.map { .bolus(level: c, start: s, duration: $0) } } }
            case .exponential:
                let tau = quantity("decay_time", .time, .positive)
                schedule = level.flatMap { c in tau.map { .exponential(level: c, decayTime: $0) } }
            case .periodic:
                let period = quantity("period", .time, .positive)
                let tau = quantity("duration", .time, .positive)
                if let period, let tau, tau > period, let v = r.section["duration"] {
                    r.report(v, "\(v.name) = \(TOMLSerializer.inline(v.value)) must not exceed inlet.period (\(period) s)")
                    return nil
                }
                schedule = level.flatMap { c in period.flatMap { p in tau.map { .periodic(level: c, period: p, duration: $0) } } }
            case .table: schedule = nil
            }
        }
        guard let schedule else { return nil }
        var table = TOMLTable()
        for (k, v) in fields { table.set(k, v) }
        return (schedule, TOMLValue(.table(table)))
    }

    /// A two-column CSV (t in s, cL in mol m⁻³): `#`/`%` comments and one header line allowed;
    /// errors name the file and the line.
    static func readTable(path: String, reportAs v: SourcedValue) throws -> ([Double], [Double]) {
        let text = try Paths.read(path, what: "the inlet table", reportAs: v.file, line: v.line, key: v.name)
        var times: [Double] = [], levels: [Double] = []
        for (number, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix("%") { continue }
            let fields = line.split(whereSeparator: { $0 == "," || $0 == ";" || $0 == " " || $0 == "\t" })
            guard fields.count >= 2, let t = Double(fields[0]), let c = Double(fields[1]) else {
                if times.isEmpty && number == 0 { continue }   // a header line
                throw ScenarioError(file: path, line: number + 1, message: "expected two numbers 't_s,c_mol_m3', got '\(line)'")
            }
            guard t.isFinite, c.isFinite, c >= 0 else {
                throw ScenarioError(file: path, line: number + 1, message: "concentration \(c) mol/m^3 must be ≥ 0 (and t finite)")
            }
            if let last = times.last, t <= last {
                throw ScenarioError(file: path, line: number + 1, message: "times must increase strictly: \(t) s follows \(last) s")
            }
            times.append(t)
            levels.append(c)
        }
        guard times.count >= 2 else { throw ScenarioError(file: path, message: "the inlet table needs at least 2 rows") }
        return (times, levels)
    }
}
