import Foundation
import Closure
import HDF5Kit
import NeuralNet
import Scenario

/// `tissue train CONFIG`: train the η network and write a `model` file.
public enum TrainWorkflow {
    public struct Request: Sendable {
        public var config: String
        /// Model file (nil: the config's [output] model).
        public var output: String?
        public var overrides: [String]
        public var unset: [String] = []
        /// Continue from the config's checkpoint file.
        public var resume: Bool
        public var policy: OutputPolicy

        public init(config: String, output: String? = nil, overrides: [String] = [], resume: Bool = false,
                    policy: OutputPolicy = OutputPolicy()) {
            self.config = config
            self.output = output
            self.overrides = overrides
            self.resume = resume
            self.policy = policy
        }
    }

    /// The training plan a training scenario describes.
    static func plan(_ scenario: TrainingScenario) -> ClosureTrainingPlan {
        ClosureTrainingPlan(
            features: scenario.features, hidden: scenario.hidden, activation: scenario.activation,
            initialization: scenario.initialization, validationFraction: scenario.validationFraction,
            config: TrainingConfig(epochs: scenario.epochs, batchSize: scenario.batchSize, loss: scenario.loss,
                                   learningRate: scenario.learningRate,
                                   schedule: scenario.decay < 1 ? .exponential(rate: scenario.decay) : .constant,
                                   seed: scenario.seed, patience: scenario.patience,
                                   checkpointInterval: scenario.checkpointEvery))
    }

    public static func run(_ request: Request, reporter: WorkflowReporter) throws -> WorkflowReport {
        let scenario = try ScenarioLoader.loadTraining(path: request.config, overrides: request.overrides, unset: request.unset)
        reporter.configLoaded(warnings: scenario.warnings)
        let modelPath = request.output ?? scenario.modelPath
        try request.policy.checkOutput(modelPath)
        if request.resume && !FileManager.default.fileExists(atPath: scenario.checkpointPath) {
            throw WorkflowError("--resume: no checkpoint at \(scenario.checkpointPath) (set output.checkpoint, or start without --resume)")
        }
        let data = try TrainingSet.concatenated(try scenario.dataPaths.map { try TrainingSet.load(path: $0) })
        reporter.status("tissue train: \(data.count) rows from \(scenario.dataPaths.joined(separator: " + ")); features \(scenario.features.map(\.name)); layers \([scenario.features.count] + scenario.hidden + [1])")
        let checkpoint = scenario.checkpointEvery > 0
            ? CheckpointDestination(path: scenario.checkpointPath, programVersion: programVersion, configText: scenario.resolvedTOML)
            : nil
        reporter.beginProgress("epochs", total: scenario.epochs)
        let outcome: ClosureTrainingOutcome
        do {
            outcome = try ClosureTraining.train(
                data: data, plan: plan(scenario), checkpoint: checkpoint, resumeFrom: request.resume ? scenario.checkpointPath : nil,
                programVersion: programVersion, shouldStop: { reporter.stopRequested }) { report in
                reporter.progress(report.epoch, detail: String(format: "loss %.4g  val MAPE %.3f%%  best @%d",
                                                               report.trainLoss, report.validationMAPE, report.bestEpoch))
                if reporter.wantsLogLines && (report.epoch % 10 == 0 || report.epoch == 1) {
                    reporter.status(String(format: "epoch %d/%d  train loss %.5g  val loss %.5g  val MAPE %.4f%%  %.1f s",
                                           report.epoch, report.epochs, report.trainLoss, report.validationLoss,
                                           report.validationMAPE, report.seconds))
                }
            }
        } catch let stop as TrainingInterrupted {
            throw WorkflowStopped(stop.description)
        }
        try AtomicWrite.hdf5(to: modelPath) { file in
            try FileHeader(kind: ModelFile.kind, programVersion: programVersion, config: scenario.resolvedTOML,
                           seed: scenario.seed).write(to: file)
            try outcome.model.write(to: file)
        }
        let t = outcome.testMetrics, v = outcome.validationMetrics
        let summary: [String: Any] = [
            "model": modelPath, "epochs_run": outcome.result.epochsRun, "best_epoch": outcome.result.bestEpoch,
            "stop_reason": outcome.result.stopReason.rawValue, "train_rows": outcome.split.train.count,
            "validation_rows": outcome.split.validation.count, "test_rows": outcome.split.test.count,
            "validation_mape_percent": v.mape, "test_mape_percent": t.mape, "test_mae": t.mae,
            "test_max_abs_error": t.maxAbsoluteError, "test_mean_signed_error": t.meanSignedError,
            "features": scenario.features.map(\.name),
        ]
        return WorkflowReport(summary: summary, headline: ["wrote \(modelPath)"], hidden: ["model"])
    }
}

/// `tissue evaluate MODEL DATA…`: accuracy of a model on (a split of) a training set; several files
/// are one set, as in training (`TrainingSet.concatenated`), so a model trained on them is evaluated on
/// its own split.
public enum EvaluateWorkflow {
    /// Which rows of the data set.
    public enum Split: String, Sendable, CaseIterable { case test, validation, train, all }

    public static func run(model: String, data files: [String], split: Split, seed: UInt64?) throws -> WorkflowReport {
        guard !files.isEmpty else { throw WorkflowError("give at least one data file") }
        let m = try ModelFile.read(path: model)
        let set = try TrainingSet.concatenated(try files.map { try TrainingSet.load(path: $0) })
        let data = files.joined(separator: " + ")
        let seed = seed ?? UInt64(m.trainingNumbers["seed"] ?? 0)
        let fraction = m.trainingNumbers["validation_fraction"] ?? 0.05
        let s = RealizationSplit(set, seed: seed, validationFraction: fraction)
        let rows: [Int] = switch split {
        case .test: s.test
        case .validation: s.validation
        case .train: s.train
        case .all: Array(0..<set.count)
        }
        guard !rows.isEmpty else { throw WorkflowError("\(data): the \(split.rawValue) split is empty") }
        let metrics = try ClosureTraining.evaluate(model: m, data: set.subset(rows))
        // The data's hash (over features and η), comparable with the model's /model/training@data_sha256.
        var fields: [String: Any] = ["model": model, "data": data, "split": split.rawValue, "data_sha256": set.sha256]
        for (k, v) in metrics.summary(prefix: split.rawValue) { fields[k] = v }
        var text = ["\(model) on \(data), \(split.rawValue) split (\(metrics.count) rows)",
                    String(format: "  MAPE %.4f %%   MAE %.3e   max |error| %.3e   mean signed error %+.3e",
                           metrics.mape, metrics.mae, metrics.maxAbsoluteError, metrics.meanSignedError),
                    "  η band        rows     MAPE %     MAE"]
        for b in metrics.bands where b.count > 0 {
            text.append(String(format: "  [%.1f, %.1f)  %7d  %9.4f  %.3e", b.lower, b.upper, b.count, b.mape, b.mae))
        }
        return WorkflowReport(summary: fields, text: text)
    }
}
