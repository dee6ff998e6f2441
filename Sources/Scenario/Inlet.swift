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

    /// The schedule of a present `[inlet]` table (nil when absent or invalid; problems reported).
    /// The level defaults to `defaultLevel` (the tissue's cL). Only the chosen kind's keys are read.
    static func read(_ r: SectionReader, level defaultLevel: Double?, directory: String) -> InletSchedule? {
        guard r.tableIsGiven else { return nil }
        guard let kind = r.choice("kind", Kind.self) else { return nil }
        if kind == .table {
            guard let (path, _) = r.path("file", relativeTo: directory), let v = r.section["file"] else { return nil }
            do {
                let (times, levels) = try readTable(path: path, reportAs: v)
                return try InletSchedule.table(times: times, levels: levels)
            } catch let e as ScenarioError {
                r.diagnostics.report(e)
            } catch {
                r.report(v, "\(path): \(error)")
            }
            return nil
        }
        let level = r.quantity("concentration", default: defaultLevel ?? 0)
        switch kind {
        case .constant:
            return level.map { .constant(level: $0) }
        case .step:
            let t = r.quantity("time")
            return level.flatMap { c in t.map { .step(before: 0, after: c, time: $0) } }
        case .bolus:
            let start = r.quantity("start")
            let tau = r.quantity("duration")
            return level.flatMap { c in start.flatMap { s in tau.map { .bolus(level: c, start: s, duration: $0) } } }
        case .exponential:
            let tau = r.quantity("decay_time")
            return level.flatMap { c in tau.map { .exponential(level: c, decayTime: $0) } }
        case .periodic:
            let period = r.quantity("period")
            let tau = r.quantity("duration")
            if let period, let tau, tau > period, let v = r.section["duration"] {
                r.report(v, "\(v.name) = \(TOMLSerializer.inline(v.value)) must not exceed inlet.period (\(period) s)")
                return nil
            }
            return level.flatMap { c in period.flatMap { p in tau.map { .periodic(level: c, period: p, duration: $0) } } }
        case .table:
            return nil
        }
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
