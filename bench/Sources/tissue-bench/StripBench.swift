// `tissue-bench strip CONFIG [--set key=value …] [--seed S] [--matrix PREFIX]`
//
// Tissue-strip DNS timing (bench/strip.sh): the whole `tissue dns tissue` computation of a
// validate scenario (geometry, Stokes flow, Michaelis–Menten transport: `TissueDNSRun.run`,
// not the HDF5 write), then one sparse LU (UMFPACK symbolic + numeric, and one solve) of the
// strip's first Newton matrix J(c = cL) on the whole grid, the step that dominates the
// transport. With `--matrix PREFIX` it writes J as raw little-endian CSC arrays
// (PREFIX.indptr.i64, PREFIX.indices.i64, PREFIX.data.f64) for the SciPy peer
// (bench/strip_peer.py), which factors the same matrix. The right-hand side is b = J·1, so both
// solvers' answers can be checked against the exact x = 1. Prints one JSON line.
import Foundation
import Microscale
import NeuralNet
import Numerics
import Scenario
import Workflows

func stripBench(_ args: [String]) throws {
    guard args.count >= 2, !args[1].hasPrefix("--") else { fail("strip needs a validate scenario (TOML)") }
    var overrides: [String] = []
    var k = 2
    while k < args.count {
        if args[k] == "--set", k + 1 < args.count { overrides.append(args[k + 1]); k += 2 } else { k += 1 }
    }
    // As `tissue dns tissue`.
    setBLASThreads(1)
    ProcessMemory.keepFreedMemory()
    let scenario = try ValidateScenarioLoader.load(path: args[1], overrides: overrides)
    let seed = UInt64(option("--seed", in: args) ?? "") ?? scenario.dns.seeds.first ?? 0
    let watch = Stopwatch()
    let result = try TissueDNSRun.run(scenario, seed: seed)
    let runSeconds = watch.seconds

    let problem = result.transport.problem
    let j = try problem.newtonMatrix(at: [Double](repeating: problem.inletConcentration, count: problem.grid.cellCount))
    let b = j.multiply([Double](repeating: 1, count: j.columns))
    let factorWatch = Stopwatch()
    let lu = try SparseLU(j, refinementSteps: 0)
    let factorSeconds = factorWatch.seconds
    let solveWatch = Stopwatch()
    let x = try lu.solve(b)
    let solveSeconds = solveWatch.seconds
    let error = x.reduce(0) { max($0, abs($1 - 1)) }
    if let prefix = option("--matrix", in: args) {
        try writeRaw(j.columnPointers.map(Int64.init), to: prefix + ".indptr.i64")
        try writeRaw(j.rowIndices.map(Int64.init), to: prefix + ".indices.i64")
        try writeRaw(j.values, to: prefix + ".data.f64")
    }
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    let b0 = result.transport.balance
    print("""
    {"solver": "swift", "tissue": "\(scenario.run.tissue.name)", "nx": \(result.grid.nx), "ny": \(result.grid.ny), \
    "h_m": \(result.grid.h), "run_seconds": \(runSeconds), "geometry_seconds": \(result.geometrySeconds), \
    "flow_seconds": \(result.flowSeconds), "transport_seconds": \(result.transportSeconds), \
    "newton_iterations": \(result.transport.iterations), \
    "relative_imbalance": \(abs(b0.inflow - b0.outflow - b0.uptake) / max(abs(b0.inflow), .leastNormalMagnitude)), \
    "unknowns": \(j.columns), "nonzeros": \(j.nonZeros), "lu_factor_seconds": \(factorSeconds), \
    "lu_solve_seconds": \(solveSeconds), "lu_max_error": \(error), "peak_rss_kib": \(usage.ru_maxrss)}
    """)
}

/// Writes the array's bytes (native = little-endian on x86-64 and arm64) to `path`.
func writeRaw(_ array: [Int64], to path: String) throws {
    try array.withUnsafeBytes { Data($0) }.write(to: URL(fileURLWithPath: path), options: .atomic)
}

func writeRaw(_ array: [Double], to path: String) throws {
    try array.withUnsafeBytes { Data($0) }.write(to: URL(fileURLWithPath: path), options: .atomic)
}
