import Foundation
import HDF5Kit

/// One run of a sweep: its profiles and summaries, or why it failed (then NaN).
public struct SweepRunResult: Sendable, Equatable {
    /// Run index in the sweep's grid (first axis slowest).
    public var index: Int
    /// "" for a run that finished; otherwise the error that ended it.
    public var failure: String
    /// ⟨c⟩^β per cell (mol m-3) and η per cell (1); NaN for a failed run.
    public var c: [Double]
    public var eta: [Double]
    /// One value per `SweepFile.summaries` entry.
    public var summary: [Double]
    /// The closure-extrapolation message of the run ("" when no input was clamped).
    public var extrapolation: String

    public var failed: Bool { !failure.isEmpty }

    static func failed(_ index: Int, cells: Int, reason: String) -> SweepRunResult {
        SweepRunResult(index: index, failure: reason.isEmpty ? "failed" : reason,
                       c: Array(repeating: .nan, count: cells), eta: Array(repeating: .nan, count: cells),
                       summary: Array(repeating: .nan, count: SweepFile.summaries.count), extrapolation: "")
    }
}

/// The `sweep` file (DESIGN §5) and its part files (a shard's runs, or the progress of an interrupted
/// sweep, kind `sweep-part`), one layout for both:
///
/// - `/sweep/parameter_names` (the dotted keys), `/sweep/parameter_units`, `/sweep/values` (runs ×
///   parameters, SI; `units` the common unit, "1" if mixed), `/sweep/run_index` (the run of each row),
/// - `/sweep/x` (cell centres, m), `/sweep/c` and `/sweep/eta` (runs × cells),
/// - `/sweep/summary/<name>` (one value per run, `SweepFile.summaries`),
/// - `/sweep/failed` (int8 per run), `/sweep/failure_reason` and `/sweep/closure_extrapolation` (strings, "" if none),
/// - attributes of `/sweep`: `runs` (the whole sweep's run count) and `shard` ("K/N", "1/1" for a whole sweep).
///
/// The root attributes are those of every file; `config` is the resolved base scenario with the
/// sweep's `[sweep]` table, the identity that a resumed or merged sweep must share.
public enum SweepFile {
    public static let kind = "sweep"
    public static let partKind = "sweep-part"

    /// The per-run summaries: name, units, long name.
    public static let summaries: [(name: String, units: String, longName: String)] = [
        ("total_uptake", "mol m-2 s-1",
         "uptake over the strip per unit beta-phase cross-section at the inlet (the run's mass balance: inflow - outflow at steady state)"),
        ("outlet_concentration", "mol m-3", "<c>^beta at x = L (the last cell's value: zero-gradient outlet)"),
        ("penetration_depth", "m",
         "first x where <c>^beta falls to cL/e, linear interpolation between cell centres (NaN: never)"),
        ("eta_min", "1", "smallest effectiveness factor along the strip"),
        ("eta_max", "1", "largest effectiveness factor along the strip"),
        ("clamped_inputs", "1", "clamped closure inputs (cell x feature pairs clamped to the training range at the final state)"),
    ]

    /// The contents of a sweep or sweep-part file.
    public struct Contents: Sendable {
        public var header: FileHeader
        public var parameterNames: [String]
        public var parameterUnits: [String]
        /// Rows of parameter values (SI), one per entry of `results`.
        public var values: [[Double]]
        public var x: [Double]
        /// Ordered by run index.
        public var results: [SweepRunResult]
        /// Runs of the whole sweep.
        public var runs: Int
        public var shard: String
    }

    /// Writes `contents` atomically as a file of `kind`.
    static func write(_ contents: Contents, kind: String, to path: String) throws {
        let n = contents.x.count, runs = contents.results.count, p = contents.parameterNames.count
        try AtomicWrite.hdf5(to: path) { file in
            var header = contents.header
            header.kind = kind
            try header.write(to: file)
            let g = try file.root.createGroup("sweep")
            try g.setAttribute("runs", contents.runs)
            try g.setAttribute("shard", contents.shard)
            try g.writeStrings("parameter_names", contents.parameterNames, longName: "swept config keys (section.key)")
                .setAttribute("units", "1")
            try g.writeStrings("parameter_units", contents.parameterUnits, longName: "units of each swept parameter (SI)")
                .setAttribute("units", "1")
            let common = Set(contents.parameterUnits).count == 1 ? contents.parameterUnits[0] : "1"
            try g.write("values", contents.values.flatMap { $0 }, shape: [runs, p], units: common,
                        longName: "parameter values of each run (SI; units per parameter in parameter_units)")
            try g.write("run_index", contents.results.map { Int64($0.index) }, units: "1", longName: "run index of each row (first parameter varies slowest)")
            try g.write("x", contents.x, units: "m", longName: "cell-centre position along the strip")
            try g.write("c", contents.results.flatMap(\.c), shape: [runs, n], units: "mol m-3",
                        longName: "beta-intrinsic average concentration <c>^beta of each run (NaN: run failed)")
            try g.write("eta", contents.results.flatMap(\.eta), shape: [runs, n], units: "1",
                        longName: "effectiveness factor of each run (NaN: run failed)")
            let s = try g.createGroup("summary")
            for (k, entry) in summaries.enumerated() {
                try s.write(entry.name, contents.results.map { $0.summary[k] }, units: entry.units, longName: entry.longName)
            }
            try g.write("failed", contents.results.map { Int8($0.failed ? 1 : 0) }, units: "1", longName: "1 if the run failed")
            try g.writeStrings("failure_reason", contents.results.map(\.failure), longName: "why the run failed (\"\" if it did not)")
                .setAttribute("units", "1")
            try g.writeStrings("closure_extrapolation", contents.results.map(\.extrapolation),
                               longName: "closure inputs clamped to the training range (\"\" if none)")
                .setAttribute("units", "1")
        }
    }

    /// Reads a `sweep` or `sweep-part` file.
    public static func read(path: String) throws -> Contents {
        let file = try HDF5File.open(path)
        defer { try? file.close() }
        let header = try FileHeader.read(from: file)
        if header.kind != kind { try header.expectKind(partKind, hint: "the output of `tissue sweep`") }
        let g = try file.root.group("sweep")
        let names = try g.dataset("parameter_names").readStrings()
        let units = try g.dataset("parameter_units").readStrings()
        let flat = try g.dataset("values").read(Double.self)
        let index = try g.dataset("run_index").read(Int64.self)
        let x = try g.dataset("x").read(Double.self)
        let c = try g.dataset("c").read(Double.self), eta = try g.dataset("eta").read(Double.self)
        let failure = try g.dataset("failure_reason").readStrings()
        let extrapolation = try g.dataset("closure_extrapolation").readStrings()
        let columns = try summaries.map { try g.dataset("summary/" + $0.name).read(Double.self) }
        let runs = index.count, n = x.count, p = names.count
        guard units.count == p, flat.count == runs * p, c.count == runs * n, eta.count == runs * n, failure.count == runs,
              extrapolation.count == runs, columns.allSatisfy({ $0.count == runs }) else {
            throw HDF5Error(file: path, message: "/sweep datasets disagree in size (\(runs) runs, \(n) cells, \(p) parameters)")
        }
        let results = (0..<runs).map { r in
            SweepRunResult(index: Int(index[r]), failure: failure[r], c: Array(c[(r * n)..<((r + 1) * n)]),
                           eta: Array(eta[(r * n)..<((r + 1) * n)]), summary: columns.map { $0[r] },
                           extrapolation: extrapolation[r])
        }
        return Contents(header: header, parameterNames: names, parameterUnits: units,
                        values: (0..<runs).map { Array(flat[($0 * p)..<(($0 + 1) * p)]) }, x: x, results: results,
                        runs: try g.intAttribute("runs"), shard: try g.stringAttribute("shard"))
    }

    /// The CSV summary beside a sweep file: one line per run with its parameters, whether it failed,
    /// its summaries and the failure reason; the header gives the units in brackets.
    static func csv(_ contents: Contents) -> String {
        func quoted(_ s: String) -> String { "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }
        func number(_ x: Double) -> String { x.isNaN ? "nan" : x.description }
        let header = ["run"] + zip(contents.parameterNames, contents.parameterUnits).map { "\($0) [\($1)]" } + ["failed"]
            + summaries.map { "\($0.name) [\($0.units)]" } + ["failure_reason"]
        var lines = [header.joined(separator: ",")]
        for (result, values) in zip(contents.results, contents.values) {
            let fields = [String(result.index)] + values.map(number) + [result.failed ? "1" : "0"]
                + result.summary.map(number) + [quoted(result.failure)]
            lines.append(fields.joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// OUT.csv beside OUT.h5.
    static func csvPath(_ output: String) -> String { OutputPolicy.stem(output) + ".csv" }
}
