import ArgumentParser
import Closure
import Foundation
import NeuralNet

/// `tissue evaluate MODEL DATA`: accuracy of a model on (a split of) a training set.
struct EvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Accuracy of an η model on a data set: MAPE, MAE, max and signed mean error, per η band.")

    enum Split: String, ExpressibleByArgument, CaseIterable { case test, validation, train, all }

    @Argument(help: "A model file (.h5).") var model: String
    @Argument(help: "Data: the reference CSV or a training-set .h5 file.") var data: String

    @Option(help: "Which rows: test (realisation % 5 == 4), validation, train, or all.")
    var split: Split = .test

    @Option(help: "Seed of the validation split (default: the model's training seed).")
    var seed: UInt64?

    @OptionGroup var output: OutputOptions

    func run() throws {
        let m = try ModelFile.read(path: model)
        let set = try TrainingSet.load(path: data)
        let seed = seed ?? UInt64(m.trainingNumbers["seed"] ?? 0)
        let fraction = m.trainingNumbers["validation_fraction"] ?? 0.05
        let s = RealizationSplit(set, seed: seed, validationFraction: fraction)
        let rows: [Int] = switch split {
        case .test: s.test
        case .validation: s.validation
        case .train: s.train
        case .all: Array(0..<set.count)
        }
        guard !rows.isEmpty else { throw UserError("\(data): the \(split.rawValue) split is empty") }
        let metrics = try ClosureTraining.evaluate(model: m, data: set.subset(rows))
        if output.json {
            var fields: [String: Any] = ["model": model, "data": data, "split": split.rawValue]
            for (k, v) in metrics.summary(prefix: split.rawValue) { fields[k] = v }
            print(Terminal.json(fields))
            return
        }
        print("\(model) on \(data), \(split.rawValue) split (\(metrics.count) rows)")
        print(String(format: "  MAPE %.4f %%   MAE %.3e   max |error| %.3e   mean signed error %+.3e",
                     metrics.mape, metrics.mae, metrics.maxAbsoluteError, metrics.meanSignedError))
        print("  η band        rows     MAPE %     MAE")
        for b in metrics.bands where b.count > 0 {
            print(String(format: "  [%.1f, %.1f)  %7d  %9.4f  %.3e", b.lower, b.upper, b.count, b.mape, b.mae))
        }
    }
}
