import Foundation
import HDF5Kit
import NeuralNet
import Numerics

/// The training loss of the surrogate: mean absolute or squared error per pixel, or the
/// source-weighted MAE (1/n) Σ wᵢ |ŷᵢ − yᵢ| with wᵢ = 1 + λ on source pixels (αᵢ > 0), 1 elsewhere,
/// which puts weight on the sources that are a few per cent of the lattice.
public enum SurrogateLoss: String, Sendable, CaseIterable {
    case mae
    case mse
    case sourceWeighted = "source-weighted"

    var loss: Loss { self == .mse ? .mse : .mae }
}

/// The last layer of the surrogate: the linear convolution's output, or that output divided by its
/// maximum (so predictions are normalised like the targets, c / max c, by construction).
public enum SurrogateOutput: String, Sendable, CaseIterable {
    case linear
    case maxNormalized = "max-normalized"
}

/// How to train a surrogate (architecture, optimiser, split, budget).
public struct SurrogateTrainingSettings: Sendable, Equatable {
    public var channels: [Int] = [8, 16, 32, 64]
    public var poolFactors: [Int] = [2, 2, 5]
    public var convolutionsPerBlock = 2
    public var kernel = 3
    public var leakySlope = 0.02
    public var output: SurrogateOutput = .linear
    public var epochs = 10
    public var batchSize = 16
    public var loss: SurrogateLoss = .mae
    /// λ of the source-weighted loss.
    public var sourceWeight = 10.0
    public var learningRate = 1e-3
    /// Per-epoch learning-rate factor.
    public var decay = 1.0
    public var patience = 0
    public var checkpointEvery = 1
    /// Fraction of the data set held out for validation (best weights, early stopping).
    public var validationFraction = 0.05
    /// Use only this many of the remaining samples for training (0 = all): learning curves.
    public var trainingSamples = 0
    /// Stop after the epoch after which another epoch of the same length would end past this many
    /// minutes of training (0 = no limit).
    public var timeLimitMinutes = 0.0
    public var seed: UInt64 = 1

    public init() {}

    public func spec(size: Int) throws -> EncoderDecoderSpec {
        do {
            return try EncoderDecoderSpec(size: size, channels: channels, poolFactors: poolFactors,
                                          convolutionsPerBlock: convolutionsPerBlock, kernel: kernel, leakySlope: leakySlope,
                                          normalizeOutput: output == .maxNormalized)
        } catch let error as NeuralNetError { throw SurrogateError("\(error)") }
    }

    public var trainingConfig: TrainingConfig {
        TrainingConfig(epochs: epochs, batchSize: batchSize, loss: loss.loss, learningRate: learningRate,
                       schedule: decay == 1 ? .constant : .exponential(rate: decay), seed: seed, patience: patience,
                       checkpointInterval: checkpointEvery)
    }
}

/// Splitting, data preparation and training of a surrogate on a `SurrogateDataset`.
public enum SurrogateTraining {
    /// Validation = a seeded `validationFraction` of the positions (at least one); training = the
    /// rest in a seeded order, cut to `trainingSamples` if > 0. Smaller `trainingSamples` with the
    /// same seed give nested subsets.
    public static func split(count: Int, validationFraction: Double, trainingSamples: Int, seed: UInt64)
        -> (training: [Int], validation: [Int])
    {
        var order = Array(0..<count)
        var rng = SplitMix64.stream(seed: seed, index: 0x5350_4C49_5421)   // "SPLIT!"
        RandomDraws.shuffle(&order, &rng)
        let nv = min(count - 1, max(1, Int((validationFraction * Double(count)).rounded())))
        let validation = Array(order[0..<nv]).sorted()
        var training = Array(order[nv...])
        if trainingSamples > 0 && trainingSamples < training.count { training = Array(training[0..<trainingSamples]) }
        return (training, validation)
    }

    /// Rows = samples: features α, targets c / max c, and the loss weights of `loss`.
    public static func trainingData(_ set: SurrogateDataset, positions: [Int], loss: SurrogateLoss,
                                    sourceWeight: Double) throws -> TrainingData<Float> {
        let sub = set.subset(positions)
        let weights: [Float]? = loss == .sourceWeighted ? sub.inputs.map { $0 > 0 ? Float(1 + sourceWeight) : 1 } : nil
        do {
            return try TrainingData(features: sub.inputs, targets: sub.targets, inputWidth: set.parameters.pixels,
                                    outputWidth: set.parameters.pixels, weights: weights)
        } catch let error as NeuralNetError { throw SurrogateError("\(error)") }
    }

    /// The thrown error that ends a run at its time limit (after the epoch's checkpoint).
    struct TimeLimitReached: Error {}

    /// Trains (or, with `resumeFrom`, continues) a surrogate on `set`; calls `onEpoch` after each
    /// epoch. Returns the best model (validation loss) with its validation metrics and history.
    public static func train(_ set: SurrogateDataset, settings: SurrogateTrainingSettings,
                             checkpoint: CheckpointDestination?, resumeFrom: String? = nil,
                             onEpoch: (EpochReport) throws -> Void = { _ in }) throws
        -> (model: SurrogateModel, result: TrainingResult<Float>, stoppedAtTimeLimit: Bool)
    {
        guard set.count >= 2 else { throw SurrogateError("a data set of \(set.count) samples cannot be split into training and validation") }
        let spec = try settings.spec(size: set.parameters.latticeSize)
        let (trainPositions, validationPositions) = split(count: set.count, validationFraction: settings.validationFraction,
                                                          trainingSamples: settings.trainingSamples, seed: settings.seed)
        let training = try trainingData(set, positions: trainPositions, loss: settings.loss, sourceWeight: settings.sourceWeight)
        let validation = try trainingData(set, positions: validationPositions, loss: settings.loss, sourceWeight: settings.sourceWeight)
        let config = settings.trainingConfig
        let trainer: Trainer<Float>
        if let resumeFrom {
            trainer = try Trainer(resumingFrom: resumeFrom, training: training, validation: validation, config: config,
                                  checkpoint: checkpoint)
        } else {
            trainer = try Trainer(encoderDecoder: .initialized(spec: spec, seed: settings.seed), training: training,
                                  validation: validation, config: config, checkpoint: checkpoint)
        }
        let watch = Stopwatch()
        let priorSeconds = trainer.state.history.seconds.reduce(0, +)
        var stoppedAtLimit = false
        let result: TrainingResult<Float>
        do {
            result = try trainer.run { report in
                try onEpoch(report)
                // Stop when another epoch as long as this one would end past the limit.
                if settings.timeLimitMinutes > 0, priorSeconds + watch.seconds + report.seconds > settings.timeLimitMinutes * 60 {
                    throw TimeLimitReached()
                }
            }
        } catch is TimeLimitReached {
            stoppedAtLimit = true
            let s = trainer.state
            result = TrainingResult(architecture: s.architecture, parameters: s.bestParameters, finalParameters: s.parameters,
                                    history: s.history, bestEpoch: s.bestEpoch, bestValidationLoss: s.bestValidationLoss,
                                    epochsRun: s.epoch, stopReason: .maxEpochs)
        }
        var model = try SurrogateModel(network: try result.encoderDecoder(), parameters: set.parameters)
        let vset = set.subset(validationPositions)
        let predictions = try model.predict(vset.inputs, rows: vset.count)
        model.validation = SurrogateMetrics(predictions: predictions, targets: vset.targets, inputs: vset.inputs,
                                            pixels: set.parameters.pixels)
        model.history = result.history
        model.training = [
            "epochs_run": Double(result.epochsRun), "best_epoch": Double(result.bestEpoch),
            "best_validation_loss": result.bestValidationLoss, "training_samples": Double(training.rows),
            "validation_samples": Double(validation.rows), "learning_rate": settings.learningRate,
            "decay": settings.decay, "batch_size": Double(settings.batchSize), "seed": Double(settings.seed),
            "source_weight": settings.sourceWeight, "wall_seconds": result.history.seconds.reduce(0, +),
            "parameters": Double(spec.parameterCount),
        ]
        model.trainingText = [
            "loss": settings.loss.rawValue,
            "stop_reason": stoppedAtLimit ? "time_limit" : result.stopReason.rawValue,
            "data_fingerprint": String(training.fingerprint, radix: 16),
        ]
        return (model, result, stoppedAtLimit)
    }
}
