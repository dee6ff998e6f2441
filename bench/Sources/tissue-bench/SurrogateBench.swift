// `tissue-bench surrogate [--model PATH] [--samples M] [--batch B] [--repeats R] [--threads T]`
//
// Side by side, in one process, on the reference problem (100², D = 1, γ = 1/400, R = 5, two disks):
//   * direct solve per sample, factorise + solve: assemble the 5-point operator, UMFPACK symbolic +
//     numeric factorisation, one solve (what a single, isolated field costs);
//   * direct solve per sample, amortised: factorisation reused, one forward/back substitution per field
//     (what our data generation costs per sample);
//   * CNN surrogate inference per sample, batched (B images per forward pass), float32.
// Source maps are built beforehand and are not timed on either side. Prints one JSON line with the
// best-of-R per-sample times and the speed-up ratios.
import Foundation
import NeuralNet
import Numerics
import Surrogate

func surrogateBench(_ args: [String]) throws {
    let samples = Int(option("--samples", in: args) ?? "64") ?? 64
    let batch = Int(option("--batch", in: args) ?? "32") ?? 32
    let repeats = Int(option("--repeats", in: args) ?? "3") ?? 3
    let factorSamples = Int(option("--factor-samples", in: args) ?? "16") ?? 16
    setBLASThreads(Int(option("--threads", in: args) ?? "1") ?? 1)
    let p = DiffusionDecayParameters.reference
    let model: SurrogateModel
    if let path = option("--model", in: args) {
        model = try SurrogateModel.read(path: path)
    } else {
        let spec = try SurrogateTrainingSettings().spec(size: p.latticeSize)
        model = try SurrogateModel(network: .initialized(spec: spec, seed: 1), parameters: p)
    }
    let alphas = (0..<samples).map { p.sourceMap(p.sources(seed: 77, index: $0)) }
    let inputs = alphas.flatMap { $0.map { Float($0) } }

    func best(_ body: () throws -> Void) rethrows -> Double {
        var t = Double.infinity
        for _ in 0..<repeats { let w = Stopwatch(); try body(); t = min(t, w.seconds) }
        return t
    }
    var sink = 0.0
    let factorSolve = try best {
        for k in 0..<factorSamples {
            let solver = try DiffusionDecaySolver(p)
            sink += try solver.solve(sourceMap: alphas[k % samples])[5050]
        }
    } / Double(factorSamples)
    let solver = try DiffusionDecaySolver(p)
    let amortised = try best {
        for a in alphas { sink += try solver.solve(sourceMap: a)[5050] }
    } / Double(samples)
    _ = try model.predict(Array(inputs[0..<(p.pixels * min(batch, samples))]), rows: min(batch, samples), batch: batch)   // warm-up
    let inference = try best {
        sink += Double(try model.predict(inputs, rows: samples, batch: batch)[5050])
    } / Double(samples)
    print("""
    {"lattice": \(p.latticeSize), "samples": \(samples), "batch": \(batch), "repeats": \(repeats), \
    "network": "\(model.network.spec.description)", "parameters": \(model.network.spec.parameterCount), \
    "direct_factor_solve_seconds": \(factorSolve), "direct_amortised_solve_seconds": \(amortised), \
    "cnn_inference_seconds": \(inference), "speedup_vs_factor_solve": \(factorSolve / inference), \
    "speedup_vs_amortised_solve": \(amortised / inference), "checksum": \(sink.isFinite ? 1 : 0)}
    """)
}
