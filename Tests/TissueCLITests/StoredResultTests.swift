import Foundation
import Testing
import HDF5Kit

/// Fixed scenarios whose numbers must not change while the code around them is restructured
/// (issue 27: "every existing output stays the same to 1e-10 relative"). Each case runs the CLI on
/// a small, fixed input and compares chosen datasets of its output with values stored in
/// `StoredResults/stored-results.json`, which the code before the restructuring wrote
/// (commit 3e414a7, `TISSUE_RECORD_STORED=1 swift test --filter StoredResultTests`).
///
/// Deliberate changes of the physics re-record the values, each named here:
/// - issue 26: the tissue files' D*(Pe) from the tissues' own (Voronoi) geometry instead of the
///   published circle-row table (every brain and liver case);
/// - issue 26: the examples' default closure models/eta-mlp-tissue.h5 (Voronoi unit cells, compact
///   network) instead of models/eta-mlp-dns.h5 (the cases that use the default model).
///
/// Tolerance: |a − b| ≤ 1e-10 · max |b| per dataset (relative to the dataset's scale, so entries
/// near zero are not held to a relative bound they cannot meet). NaN (pressure inside cells) is
/// stored as null and must stay NaN.
@Suite(.serialized) struct StoredResultTests {
    /// One CLI invocation and the datasets of its output file to hold fixed.
    struct Case: Sendable, CustomStringConvertible {
        var name: String
        /// CLI arguments; `OUT` is replaced by the output path, `DIR` by the case's directory.
        var arguments: [String]
        /// Datasets of the output file, read as Double.
        var datasets: [String]
        /// Optional config file written into DIR before the run (name, text; `ROOT` = repository root).
        var config: (name: String, text: String)? = nil
        /// Keep every `stride`-th value of large datasets.
        var stride = 1
        var description: String { name }
    }

    static let steadyPaths = ["macro/x", "macro/c", "macro/eta", "macro/dcdx"]

    /// A scenario with a closure other than the shipped network, on the brain tissue.
    static func brainScenario(closure: String, mode: String = "steady", extra: String = "") -> String {
        """
        [run]
        mode = "\(mode)"
        seed = 0
        [tissue]
        file = "ROOT/tissues/brain.toml"
        [grid]
        cells = 120
        [solver]
        convection = "central"
        tolerance = 1e-10
        max_iterations = 50
        [closure]
        \(closure)
        [dispersion]
        kind = "table"
        \(extra)
        [output]
        file = "unused.h5"
        """
    }

    static let cases: [Case] = [
        Case(name: "brain-mlp", arguments: ["run", "examples/brain.toml", "-o", "OUT", "--set", "grid.cells=150"],
             datasets: steadyPaths),
        Case(name: "liver-mlp-upwind", arguments: ["run", "examples/liver.toml", "-o", "OUT", "--set", "grid.cells=90",
                                                     "--set", "solver.convection=upwind"],
             datasets: steadyPaths),
        Case(name: "brain-reference-model", arguments: ["run", "examples/brain.toml", "-o", "OUT", "--set", "grid.cells=80",
                                                          "--set", "closure.model=ROOT/models/eta-mlp-reference.h5"],
             datasets: steadyPaths),
        Case(name: "brain-constant", arguments: ["run", "DIR/constant.toml", "-o", "OUT"], datasets: steadyPaths,
             config: ("constant.toml", brainScenario(closure: "kind = \"constant\"\neta = 0.74"))),
        Case(name: "brain-analytic", arguments: ["run", "DIR/analytic.toml", "-o", "OUT"], datasets: steadyPaths,
             config: ("analytic.toml", brainScenario(closure: "kind = \"analytic\""))),
        Case(name: "brain-transient-bdf2-mlp", arguments: ["run", "examples/brain-transient.toml", "-o", "OUT",
                                                             "--set", "transient.scheme=bdf2", "--set", "transient.time_step=0.2 ms",
                                                             "--set", "grid.cells=100", "--set", "transient.end_time=4 ms",
                                                             "--set", "transient.output_times=[\"1 ms\", \"4 ms\"]"],
             datasets: ["macro/t", "macro/c_t", "macro/eta"]),
        Case(name: "brain-transient-euler-constant", arguments: ["run", "DIR/euler.toml", "-o", "OUT"],
             datasets: ["macro/t", "macro/c_t"],
             config: ("euler.toml", brainScenario(closure: "kind = \"constant\"\neta = 0.5", mode: "transient", extra: """
                 [transient]
                 scheme = "backward-euler"
                 end_time = "3 ms"
                 time_step = "0.25 ms"
                 output_times = ["1 ms", "3 ms"]
                 initial_concentration = "0.5 mol/m^3"
                 """))),
        Case(name: "unitcell-fixed-grid", arguments: ["dns", "unitcell", "--samples", "2", "--seed", "11",
                                                        "--cells-per-tile", "24", "-o", "OUT"],
             datasets: ["samples/features", "samples/eta", "samples/inputs"]),
        Case(name: "strip-dns", arguments: ["dns", "tissue", "examples/validate-brain.toml", "--seed", "5", "-o", "OUT",
                                              "--set", "dns.grid_spacing=0.1 um", "--set", "dns.copies=2"],
             datasets: ["fields/c", "fields/u", "fields/p"], stride: 7),
    ]

    static let storePath = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("StoredResults/stored-results.json")

    static var recording: Bool { ProcessInfo.processInfo.environment["TISSUE_RECORD_STORED"] == "1" }

    /// Runs a case; returns its datasets (thinned by the case's stride).
    static func values(of c: Case, dir: URL) throws -> [String: [Double?]] {
        let out = dir.appendingPathComponent("\(c.name).h5").path
        if let config = c.config {
            try config.text.replacingOccurrences(of: "ROOT", with: CLI.root.path)
                .write(to: dir.appendingPathComponent(config.name), atomically: true, encoding: .utf8)
        }
        let args = c.arguments.map {
            $0.replacingOccurrences(of: "OUT", with: out).replacingOccurrences(of: "DIR", with: dir.path)
                .replacingOccurrences(of: "ROOT", with: CLI.root.path)
        } + ["--quiet"]
        let r = try CLI.run(args)
        guard r.status == 0 else { throw CLIFailure(description: "\(c.name): exit \(r.status): \(r.stderr)") }
        return try datasets(c.datasets, of: out, stride: c.stride)
    }

    static func datasets(_ paths: [String], of file: String, stride: Int) throws -> [String: [Double?]] {
        let f = try HDF5File.open(file)
        defer { try? f.close() }
        var out: [String: [Double?]] = [:]
        for p in paths {
            let all = try f.root.dataset(p).read(Double.self)
            out[p] = Swift.stride(from: 0, to: all.count, by: stride).map { all[$0].isNaN ? nil : all[$0] }
        }
        return out
    }

    struct CLIFailure: Error, CustomStringConvertible { var description: String }

    static func stored() throws -> [String: [String: [Double?]]] {
        let data = try Data(contentsOf: storePath)
        return try JSONDecoder().decode([String: [String: [Double?]]].self, from: data)
    }

    @Test(arguments: cases)
    func outputUnchanged(_ c: Case) throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let now = try Self.values(of: c, dir: dir)
        if Self.recording {
            try Self.record(c.name, now)
            return
        }
        let stored = try #require(try Self.stored()[c.name], "no stored values for \(c.name)")
        #expect(Set(stored.keys) == Set(now.keys))
        for (path, expected) in stored.sorted(by: { $0.key < $1.key }) {
            let got = try #require(now[path])
            #expect(got.count == expected.count, "\(c.name) \(path): \(got.count) values, stored \(expected.count)")
            #expect(zip(got, expected).allSatisfy { ($0 == nil) == ($1 == nil) }, "\(c.name) \(path): NaN pattern changed")
            let scale = expected.compactMap { $0.map(abs) }.max() ?? 0
            let worst = zip(got, expected).compactMap { a, b in a.flatMap { a in b.map { abs(a - $0) } } }.max() ?? 0
            #expect(worst <= 1e-10 * scale, "\(c.name) \(path): max |Δ| = \(worst) (scale \(scale))")
        }
    }

    /// Recording mode: merges one case's values into the store (cases run serially).
    static func record(_ name: String, _ values: [String: [Double?]]) throws {
        var all = (try? stored()) ?? [:]
        all[name] = values
        try FileManager.default.createDirectory(at: storePath.deletingLastPathComponent(), withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try encoder.encode(all).write(to: storePath, options: .atomic)
    }
}
