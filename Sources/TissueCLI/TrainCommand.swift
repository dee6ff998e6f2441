import ArgumentParser
import Closure
import Foundation
import HDF5Kit
import NeuralNet
import Scenario

/// `tissue train CONFIG`: train the η network and write a `model` file.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train the effectiveness-factor network on a training set (reference CSV or training-set HDF5).")

    @Argument(help: "Training config (TOML), e.g. examples/train-reference.toml.", completion: .file(extensions: ["toml"]))
    var config: String

    @Option(name: [.short, .customLong("output")], help: "Model file to write (default: the config's [output] model).")
    var outputPath: String?

    @Option(name: .customLong("set"), help: ArgumentHelp("Override a key: section.key=value (repeatable).", valueName: "key=value"))
    var overrides: [String] = []

    @Flag(help: "Continue from the config's checkpoint file (ends with the same weights as an uninterrupted run).")
    var resume = false

    @OptionGroup var output: OutputOptions

    func run() throws {
        let scenario = try ScenarioLoader.loadTraining(path: config, overrides: overrides)
        let modelPath = outputPath ?? scenario.modelPath
        try output.checkOutput(modelPath)
        let quiet = output.quiet || output.json
        if resume && !FileManager.default.fileExists(atPath: scenario.checkpointPath) {
            throw UserError("--resume: no checkpoint at \(scenario.checkpointPath) (set output.checkpoint, or start without --resume)")
        }
        let data = try TrainingSet.concatenated(try scenario.dataPaths.map { try TrainingSet.load(path: $0) })
        Terminal.info("tissue train: \(data.count) rows from \(scenario.dataPaths.joined(separator: " + ")); features \(scenario.features.map(\.name)); layers \([scenario.features.count] + scenario.hidden + [1])",
                      quiet: quiet)
        let plan = ClosureTrainingPlan(
            features: scenario.features, hidden: scenario.hidden, activation: scenario.activation,
            initialization: scenario.initialization, validationFraction: scenario.validationFraction,
            config: TrainingConfig(epochs: scenario.epochs, batchSize: scenario.batchSize, loss: scenario.loss,
                                   learningRate: scenario.learningRate,
                                   schedule: scenario.decay < 1 ? .exponential(rate: scenario.decay) : .constant,
                                   seed: scenario.seed, patience: scenario.patience,
                                   checkpointInterval: scenario.checkpointEvery))
        let checkpoint = scenario.checkpointEvery > 0
            ? CheckpointDestination(path: scenario.checkpointPath, programVersion: programVersion, configText: scenario.resolvedTOML)
            : nil
        let bar = ProgressBar(label: "epochs", total: scenario.epochs, quiet: output.quiet)
        let outcome: ClosureTrainingOutcome
        do {
            outcome = try ClosureTraining.train(
                data: data, plan: plan, checkpoint: checkpoint, resumeFrom: resume ? scenario.checkpointPath : nil,
                programVersion: programVersion, shouldStop: { StopSignal.requested }) { report in
                bar.update(report.epoch, note: String(format: "loss %.4g  val MAPE %.3f%%  best @%d",
                                                      report.trainLoss, report.validationMAPE, report.bestEpoch))
                if !Terminal.stderrIsTerminal && !quiet && (report.epoch % 10 == 0 || report.epoch == 1) {
                    Terminal.info(String(format: "epoch %d/%d  train loss %.5g  val loss %.5g  val MAPE %.4f%%  %.1f s",
                                         report.epoch, report.epochs, report.trainLoss, report.validationLoss,
                                         report.validationMAPE, report.seconds), quiet: false)
                }
            }
        } catch let stop as TrainingInterrupted {
            throw StopSignal.exit(stop.description)
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
        if output.json {
            print(Terminal.json(summary))
        } else {
            print("wrote \(modelPath)")
            for key in summary.keys.sorted() where key != "model" { print("  \(key): \(summary[key]!)") }
        }
    }
}
