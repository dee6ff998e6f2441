import ArgumentParser
import Workflows

/// `tissue evaluate MODEL DATA…`: accuracy of a model on (a split of) a training set.
struct EvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Accuracy of an η model on a data set: MAPE, MAE, max and signed mean error, per η band.")

    @Argument(help: "A model file (.h5).") var model: String
    @Argument(help: "Data: the reference CSV or training-set .h5 files (several are one set, as in training).") var data: [String]

    @Option(help: "Which rows: test (realisation % 5 == 4), validation, train, or all.")
    var split: EvaluateWorkflow.Split = .test

    @Option(help: "Seed of the validation split (default: the model's training seed).")
    var seed: UInt64?

    @OptionGroup var output: ReportOptions

    func run() throws {
        output.show(try EvaluateWorkflow.run(model: model, data: data, split: split, seed: seed))
    }
}

extension EvaluateWorkflow.Split: ExpressibleByArgument {}
