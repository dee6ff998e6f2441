/// Fuzz target: the `model` file reader (`ModelFile.read`, used by `closure.kind = "mlp"` and
/// `tissue evaluate`). Inputs: see `Fuzz/Support/HDF5Mutation.swift`.
import Closure
import Foundation
import HDF5Kit
import NeuralNet

private let target = HDF5FuzzTarget(
    makeTemplate: { path in
        // 6 → 3 → 1, as the shipped model but tiny.
        let network = try DenseNetwork<Float>(layers: [
            DenseLayer(inputs: 6, outputs: 3, weights: (0..<18).map { Float($0) / 10 - 0.9 }, bias: [0.1, -0.2, 0.3]),
            DenseLayer(inputs: 3, outputs: 1, weights: [0.5, -0.25, 0.125], bias: [0.7]),
        ], activation: .relu)
        let scaler = try MinMaxScaler(minimum: [0.27, 0, 0, 0.01, 0, 0], maximum: [0.83, 100, 50, 1, 10, 5])
        let model = try ModelFile(network: network, scaler: scaler, featureNames: EffectivenessFeature.names,
                                  trainingAttributes: ["data_sha256": "00ff"], trainingNumbers: ["epochs": 3, "test_mape": 0.5])
        let file = try HDF5File.create(path)
        try FileHeader(kind: ModelFile.kind, programVersion: "fuzz", config: "[run]\nseed = 1\n", seed: 1).write(to: file)
        try model.write(to: file)
        try file.close()
    },
    read: { path in
        // What `closure.kind = "mlp"` does: load, then evaluate rows (one inside, one outside the
        // training range). Evaluation may fail on a non-finite η, but only with a ClosureError.
        let closure = try MLPClosure(path: path)
        do {
            _ = try closure.evaluate(FeatureBatch(values: [0.5, 1, 1, 0.5, 1, 0.1, 0.1, 500, -3, 2, 20, 9]),
                                     sensitivities: [.concentration, .concentrationGradient])
        } catch is ClosureError {}
    },
    errorTypes: [NeuralNetError.self, ClosureError.self])

@_cdecl("LLVMFuzzerInitialize")
public func initialize(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> CInt {
    if let dir = ProcessInfo.processInfo.environment["FUZZ_EXPORT_SEEDS"] { target.exportSeeds(to: dir, name: "model") }
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzModelFile(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    target.run(Array(UnsafeBufferPointer(start: data, count: size)), name: "model")
    return 0
}
