import HDF5Kit
import NeuralNet

/// What to train: the features, the architecture and the optimiser settings.
public struct ClosureTrainingPlan: Sendable {
    public var features: [EffectivenessFeature]
    /// Hidden-layer widths, e.g. [1024, 512, 256, 64, 16] (the reference's).
    public var hidden: [Int]
    public var activation: Activation
    public var initialization: WeightInitialization
    public var validationFraction: Double
    /// Epochs, batch, loss, learning rate and schedule, seed, patience, checkpoint interval.
    public var config: TrainingConfig

    public init(features: [EffectivenessFeature] = EffectivenessFeature.allCases, hidden: [Int] = [1024, 512, 256, 64, 16],
                activation: Activation = .relu, initialization: WeightInitialization = .glorotUniform,
                validationFraction: Double = 0.05, config: TrainingConfig) {
        self.features = features
        self.hidden = hidden
        self.activation = activation
        self.initialization = initialization
        self.validationFraction = validationFraction
        self.config = config
    }
}

/// A trained closure model with its training record and held-out metrics.
public struct ClosureTrainingOutcome: Sendable {
    public var model: ModelFile
    public var result: TrainingResult<Float>
    public var split: RealizationSplit
    public var validationMetrics: EtaMetrics
    public var testMetrics: EtaMetrics
}

/// Trains the η network on a training set: split by realisation, min–max scaler fitted on the
/// training rows only, float32 training through `Trainer`, best weights by validation loss,
/// then metrics on the validation and test realisations.
public enum ClosureTraining {
    /// Scaled network inputs and targets for `rows` of `data`.
    static func networkData(_ data: TrainingSet, rows: [Int], features: [EffectivenessFeature],
                            scaler: MinMaxScaler) throws -> TrainingData<Float> {
        let subset = data.subset(rows)
        let scaled = try scaler.transform(subset.featureColumns(features), as: Float.self).scaled
        return try TrainingData(features: scaled, targets: subset.eta.map { Float($0) }, inputWidth: features.count)
    }

    /// Runs (or, with `resumeFrom`, continues) a training; `onEpoch` sees every epoch's report.
    public static func train(data: TrainingSet, plan: ClosureTrainingPlan, checkpoint: CheckpointDestination?,
                             resumeFrom: String? = nil, programVersion: String,
                             shouldStop: () -> Bool = { false },
                             onEpoch: (EpochReport) throws -> Void = { _ in }) throws -> ClosureTrainingOutcome {
        let split = RealizationSplit(data, seed: plan.config.seed, validationFraction: plan.validationFraction)
        guard split.train.count >= plan.config.batchSize else {
            throw TrainingSetError(file: data.source, message: "\(split.train.count) training rows: fewer than one batch (\(plan.config.batchSize))")
        }
        guard !split.validation.isEmpty, !split.test.isEmpty else {
            throw TrainingSetError(file: data.source, message: "too few realisations for a validation and a test split (\(Set(data.realization).count) realisations)")
        }
        let scaler = try MinMaxScaler(fitting: data.subset(split.train).featureColumns(plan.features), width: plan.features.count)
        let training = try networkData(data, rows: split.train, features: plan.features, scaler: scaler)
        let validation = try networkData(data, rows: split.validation, features: plan.features, scaler: scaler)
        let trainer: Trainer<Float>
        if let resumeFrom {
            trainer = try Trainer(resumingFrom: resumeFrom, training: training, validation: validation,
                                  config: plan.config, checkpoint: checkpoint)
        } else {
            let network = try DenseNetwork<Float>.initialized(widths: [plan.features.count] + plan.hidden + [1],
                                                              activation: plan.activation,
                                                              initialization: plan.initialization, seed: plan.config.seed)
            trainer = try Trainer(network: network, training: training, validation: validation,
                                  config: plan.config, checkpoint: checkpoint)
        }
        // A stop request (e.g. SIGTERM) ends the run after the current epoch, with a checkpoint of it.
        let result = try trainer.run { report in
            try onEpoch(report)
            if shouldStop() {
                if let checkpoint, !report.checkpointWritten { try trainer.writeCheckpoint(to: checkpoint) }
                throw TrainingInterrupted(epoch: report.epoch, checkpointPath: checkpoint?.path)
            }
        }
        var model = try ModelFile(network: try result.network(), scaler: scaler, featureNames: plan.features.map(\.name))
        let validationMetrics = try evaluate(model: model, data: data.subset(split.validation))
        let testMetrics = try evaluate(model: model, data: data.subset(split.test))
        model.trainingAttributes = [
            "data_file": data.source, "data_sha256": data.sha256, "program_version": programVersion,
            "stop_reason": result.stopReason.rawValue, "loss": plan.config.loss.rawValue,
            "initialization": plan.initialization.rawValue, "learning_rate_schedule": "\(plan.config.schedule)",
            "split": "by realisation: test = index % 5 == 4, validation = seeded \(plan.validationFraction) of the rest",
        ]
        var numbers: [String: Double] = [
            "seed": Double(plan.config.seed), "epochs_run": Double(result.epochsRun), "best_epoch": Double(result.bestEpoch),
            "best_validation_loss": result.bestValidationLoss, "batch_size": Double(plan.config.batchSize),
            "learning_rate": plan.config.learningRate, "validation_fraction": plan.validationFraction,
            "train_rows": Double(split.train.count), "validation_rows": Double(split.validation.count),
            "test_rows": Double(split.test.count),
        ]
        numbers.merge(validationMetrics.summary(prefix: "validation")) { $1 }
        numbers.merge(testMetrics.summary(prefix: "test")) { $1 }
        model.trainingNumbers = numbers
        model.trainingHistory = result.history
        return ClosureTrainingOutcome(model: model, result: result, split: split, validationMetrics: validationMetrics,
                                      testMetrics: testMetrics)
    }

    /// η predicted by `model` for every row of `data` (features picked by the model's names,
    /// clamped and scaled as in the closure).
    public static func predict(model: ModelFile, data: TrainingSet) throws -> [Double] {
        let features = try model.featureNames.map { name -> EffectivenessFeature in
            guard let f = EffectivenessFeature(name: name) else {
                throw ClosureError.featureMismatch(file: "model", found: model.featureNames, expected: EffectivenessFeature.names)
            }
            return f
        }
        let scaled = try model.scaler.transform(data.featureColumns(features), as: Float.self).scaled
        return try model.network.predict(scaled, rows: data.count).map { Double($0) }
    }

    /// Metrics of `model` on `data`.
    public static func evaluate(model: ModelFile, data: TrainingSet) throws -> EtaMetrics {
        EtaMetrics(predicted: try predict(model: model, data: data), actual: data.eta)
    }
}

/// Training stopped on request after `epoch`; its state is in the checkpoint (if there is one).
public struct TrainingInterrupted: Error, CustomStringConvertible {
    public let epoch: Int
    public let checkpointPath: String?
    public var description: String {
        "training stopped after epoch \(epoch)" + (checkpointPath.map { "; its state is in \($0) (continue with --resume)" }
            ?? " (no checkpoint: set training.checkpoint_every to be able to resume)")
    }
}
