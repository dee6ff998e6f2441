/// Fuzz target: the two checkpoint readers behind `--resume` — a training checkpoint
/// (`Trainer(resumingFrom:)` = `TrainingCheckpoint.read` + resumability checks, then one more
/// epoch, as `tissue train --resume` does) and a transient run's saved state
/// (`UpscaledRun.solve(resume:)` = `readCheckpoint`, then the rest of the run, as
/// `tissue run --resume` does).
///
/// Input: byte 0 bit 1 chooses the reader (0 training, 1 transient); byte 0 bit 0 the mode
/// (see `Fuzz/Support/HDF5Mutation.swift`).
import Foundation
import HDF5Kit
import Macroscale
import NeuralNet
import Numerics
import Scenario
import Workflows

/// 40 rows of a smooth function of two features (a training set, and a validation set).
private func data(rows: Int, seed: UInt64) throws -> TrainingData<Float> {
    var rng = SplitMix64(seed: seed)
    var x: [Float] = [], y: [Float] = []
    for _ in 0..<rows {
        let a = rng.nextUniform(), b = rng.nextUniform()
        x += [Float(a), Float(b)]
        y.append(Float(0.3 + 0.5 * a * a + 0.3 * sin(3 * b)))
    }
    return try TrainingData(features: x, targets: y, inputWidth: 2)
}

private let training = try! data(rows: 40, seed: 10)
private let validation = try! data(rows: 12, seed: 20)
private func config(epochs: Int) -> TrainingConfig {
    TrainingConfig(epochs: epochs, batchSize: 16, loss: .mape, learningRate: 3e-3, schedule: .exponential(rate: 0.9),
                   seed: 1, checkpointInterval: 1)
}

private let trainingTarget = HDF5FuzzTarget(
    makeTemplate: { path in
        let net = try DenseNetwork<Float>.initialized(widths: [2, 8, 1], activation: .tanh, initialization: .heUniform, seed: 1)
        let trainer = try Trainer(network: net, training: training, validation: validation, config: config(epochs: 2))
        _ = try trainer.run()
        try trainer.writeCheckpoint(to: CheckpointDestination(path: path, programVersion: "fuzz", configText: "epochs = 2\n"))
    },
    read: { path in
        let trainer = try Trainer<Float>(resumingFrom: path, training: training, validation: validation, config: config(epochs: 3))
        _ = try trainer.run()
    },
    errorTypes: [NeuralNetError.self])

/// The 6-cell transient brain run of the `upscaled` target (4 steps), saved after step 2.
private let transientRun: UpscaledRun = {
    let tissue = FuzzSupport.write(Array(FuzzSupport.tissueText.utf8), to: "checkpoint-tissue.toml")
    let scenario = try! ScenarioLoader.load(text: FuzzSupport.smallTransientScenario(tissueFile: tissue), path: FuzzSupport.scratch + "/checkpoint.toml")
    return try! UpscaledRun(scenario: scenario)
}()

private let transientTarget = HDF5FuzzTarget(
    makeTemplate: { path in
        var steps = 0
        do {
            _ = try transientRun.solve(checkpointPath: path, shouldStop: { steps >= 2 }, progress: { _, _ in steps += 1 })
        } catch is TransientInterrupted {}
    },
    read: { path in
        // The saved state is read again by the rest of the run: never written over here.
        _ = try transientRun.solve(checkpointPath: path, resume: true)
    },
    errorTypes: [MacroscaleError.self])

@_cdecl("LLVMFuzzerInitialize")
public func initialize(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> CInt {
    if let dir = ProcessInfo.processInfo.environment["FUZZ_EXPORT_SEEDS"] {
        trainingTarget.exportSeeds(to: dir + "/checkpoint", name: "training-checkpoint")
        transientTarget.exportSeeds(to: dir + "/transient", name: "transient-checkpoint")
    }
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCheckpointFile(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let first = bytes.first else { return 0 }
    if first & 2 == 0 {
        trainingTarget.run(bytes, name: "training-checkpoint")
    } else {
        transientTarget.run(bytes, name: "transient-checkpoint")
    }
    return 0
}
