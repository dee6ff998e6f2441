// Benchmark driver for the steady upscaled solve with a reference-size MLP closure
// (6→1024→512→256→64→16→1, 680 801 parameters, seeded random weights).
//
//   tissue-bench write-model PATH [--seed S]
//   tissue-bench surrogate [--model PATH] …   (CNN surrogate vs direct solve; SurrogateBench.swift)
//   tissue-bench steady --model PATH --tissue brain|liver [--cells N] [--repeats R] [--precision float32|float64] [--profile CSV]
//   tissue-bench unitcell --inputs TABLE --rows A,B,… [--cells-per-tile N]   (unit-cell DNS timing; UnitCellBench.swift)
//   tissue-bench families --geometry hexagonal|voronoi --samples N [--seed S]   (grid convergence + timing; UnitCellBench.swift)
//   tissue-bench strip CONFIG [--set key=value …] [--matrix PREFIX]   (tissue-strip DNS timing; StripBench.swift)
//
// Prints one JSON line: best and median solver wall time, closure calls, iterations.
import Closure
import Foundation
import HDF5Kit
import Macroscale
import NeuralNet
import Numerics

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("tissue-bench: \(message)\n".utf8))
    exit(2)
}

func option(_ name: String, in args: [String]) -> String? {
    guard let i = args.firstIndex(of: name), i + 1 < args.count else { return nil }
    return args[i + 1]
}

/// He-initialised ReLU network (hidden widths `hidden`, the reference architecture by default); the
/// output layer is scaled so that η ≈ 0.7 ± 0.2 over the feature box.
func randomReferenceModel(seed: UInt64, hidden: [Int] = [1024, 512, 256, 64, 16]) throws -> ModelFile {
    let widths = [6] + hidden + [1]
    var rng = SplitMix64(seed: seed)
    var layers: [DenseLayer<Float>] = []
    for k in 0..<(widths.count - 1) {
        let fanIn = widths[k], fanOut = widths[k + 1]
        let isLast = k == widths.count - 2
        let std = (2.0 / Double(fanIn)).squareRoot() * (isLast ? 0.05 : 1)
        var w = [Float](repeating: 0, count: fanIn * fanOut)
        for i in 0..<w.count {
            // Box–Muller normal deviate.
            let u1 = max(rng.nextUniform(), 1e-300), u2 = rng.nextUniform()
            w[i] = Float(std * (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2))
        }
        let b = [Float](repeating: isLast ? 0.7 : 0.01, count: fanOut)
        layers.append(try DenseLayer(inputs: fanIn, outputs: fanOut, weights: w, bias: b))
    }
    let scaler = try MinMaxScaler(minimum: [0.2737, 0, 0, 0.01, 0, -0.5], maximum: [0.8255, 100, 250, 1, 10, 5])
    return try ModelFile(network: DenseNetwork(layers: layers, activation: .relu), scaler: scaler,
                         featureNames: EffectivenessFeature.names,
                         trainingAttributes: ["note": "random weights for benchmarking (seed \(seed)); not a trained model"])
}

/// DESIGN §2 tissue table with the reference spline's D* values.
func tissueProblem(_ name: String) -> UpscaledProblem {
    let db = 1e-10
    let (length, r, eps, pe, km, dStar): (Double, Double, Double, Double, Double, Double) = switch name {
    case "brain": (20e-6, 0.47e-6, 0.260372, 8.15732074795076, 226.34676324128571, 6.86972e-11)
    case "liver": (680e-6, 11.67e-6, 0.18724390, 52.2210168759, 1.5, 3.67892e-10)
    default: fail("unknown tissue '\(name)' (brain or liver)")
    }
    return UpscaledProblem(length: length, porosity: eps, velocity: pe * db / r, dispersion: dStar, km: km, Ka: 1,
                           inletConcentration: 2, cellRadius: r, thieleModulusSquared: km * r * r / db,
                           peclet: pe, diffusivityRatio: 0.1)
}

let args = Array(CommandLine.arguments.dropFirst())
guard let command = args.first else { fail("usage: tissue-bench write-model PATH | steady --model PATH --tissue NAME") }
switch command {
case "write-model":
    guard args.count >= 2 else { fail("write-model needs a path") }
    let seed = UInt64(option("--seed", in: args) ?? "42") ?? 42
    let hidden = (option("--hidden", in: args) ?? "1024,512,256,64,16").split(separator: ",").compactMap { Int($0) }
    guard !hidden.isEmpty, hidden.allSatisfy({ $0 > 0 }) else { fail("--hidden: comma-separated positive widths") }
    let model = try randomReferenceModel(seed: seed, hidden: hidden)
    try AtomicWrite.hdf5(to: args[1]) { file in
        try FileHeader(kind: ModelFile.kind, programVersion: "tissue-bench", config: "", seed: seed).write(to: file)
        try model.write(to: file)
    }
    print("{\"model\": \"\(args[1])\", \"parameters\": \(model.network.parameterCount)}")
case "steady":
    guard let modelPath = option("--model", in: args) else { fail("steady needs --model PATH") }
    let tissue = option("--tissue", in: args) ?? "brain"
    let cells = Int(option("--cells", in: args) ?? "1000") ?? 1000
    let repeats = Int(option("--repeats", in: args) ?? "7") ?? 7
    let precision = MLPClosure.Precision(rawValue: option("--precision", in: args) ?? "float32") ?? .float32
    let closure = try MLPClosure(path: modelPath, precision: precision)
    let op = try FiniteVolumeOperator(problem: tissueProblem(tissue), cells: cells, convection: .central)
    let contraction = Double(option("--picard-contraction", in: args) ?? "") ?? SteadySettings().picardContraction
    let solver = try SteadySolver(operator: op, settings: SteadySettings(tolerance: 1e-8, picardContraction: contraction))
    var times: [Double] = []
    var last: SteadySolution? = nil
    for _ in 0..<repeats {
        let s = try solver.solve(closure: closure)
        times.append(s.wallSeconds)
        last = s
    }
    let s = last!
    if let csv = option("--profile", in: args) {
        let text = zip(s.x, s.concentration).map { "\($0),\($1)" }.joined(separator: "\n") + "\n"
        try text.write(toFile: csv, atomically: true, encoding: .utf8)
    }
    times.sort()
    print("""
    {"tissue": "\(tissue)", "cells": \(cells), "precision": "\(precision.rawValue)", "best_seconds": \(times[0]), \
    "median_seconds": \(times[times.count / 2]), "closure_calls": \(s.closureCalls), "iterations": \(s.iterations), \
    "closure_seconds": \(s.closureSeconds), "stop": "\(s.criterion.rawValue)", "final_residual": \(s.residualHistory.last!), \
    "history": \(s.residualHistory), "kinds": \(s.iterationKinds), "eta_min": \(s.eta.min()!), "eta_max": \(s.eta.max()!)}
    """)
case "surrogate":
    try surrogateBench(args)
case "unitcell":
    try unitCellBench(args)
case "strip":
    try stripBench(args)
case "families":
    try familyConvergenceBench(args)
case "dispersion-development":
    try dispersionDevelopmentBench(args)
default:
    fail("unknown command '\(command)'")
}
