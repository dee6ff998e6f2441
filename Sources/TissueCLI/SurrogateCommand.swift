import ArgumentParser
import Workflows

/// `tissue surrogate generate|merge|train|evaluate|predict|learning-curve`: the CNN surrogate for
/// steady diffusion–decay fields (DESIGN §9).
struct SurrogateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "surrogate",
        abstract: "CNN surrogate for steady diffusion–decay fields: data generation, training, evaluation, prediction.",
        subcommands: [Generate.self, Merge.self, Train.self, Evaluate.self, Predict.self, LearningCurveCommand.self])

    // MARK: generate

    struct Generate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Solve D∇²c − γc + α = 0 directly for seeded random disk sources; write the training and test sets (chunked HDF5).")

        @Argument(help: "Surrogate config (TOML), e.g. examples/surrogate.toml.", completion: .file(extensions: ["toml"]))
        var config: String

        @Option(name: .customLong("set"), help: ArgumentHelp("Override a key: section.key=value (repeatable).", valueName: "key=value"))
        var overrides: [String] = []

        @Option(help: "Which sets to write: train, test or both.")
        var only: SurrogateWorkflows.Sets = .both

        @Option(help: "Run every N-th sample only (K/N, 1 ≤ K ≤ N); join the outputs with `tissue surrogate merge`.")
        var shard: String?

        @Flag(help: "Keep the finished blocks of an interrupted run (OUTPUT.parts/) instead of starting over.")
        var resume = false

        @Option(help: ArgumentHelp("Stop after writing this many new blocks (simulates an interrupted run).", visibility: .hidden))
        var stopAfterBlocks: Int?

        @OptionGroup var output: OutputOptions

        var request: SurrogateWorkflows.GenerateRequest {
            var r = SurrogateWorkflows.GenerateRequest(config: config)
            r.overrides = overrides
            r.only = only
            r.shard = shard
            r.resume = resume
            r.stopAfterBlocks = stopAfterBlocks
            r.policy = output.policy
            return r
        }

        func validate() throws {
            try validating { try request.validate() }
        }

        func run() throws {
            output.show(try SurrogateWorkflows.generate(request, reporter: output.reporter()))
        }
    }

    // MARK: merge

    struct Merge: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Join shard outputs into one data set, in sample order.")

        @Argument(help: "Output data set.")
        var outputPath: String

        @Argument(help: "Shard files (surrogate-dataset).")
        var parts: [String]

        @OptionGroup var output: OutputOptions

        func run() throws {
            output.show(try SurrogateWorkflows.merge(output: outputPath, parts: parts))
        }
    }

    // MARK: train

    struct Train: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Train the encoder–decoder on the config's training set; write a surrogate-model file.")

        @Argument(help: "Surrogate config (TOML).", completion: .file(extensions: ["toml"]))
        var config: String

        @Option(name: [.short, .customLong("output")], help: "Model file to write (default: the config's [output] model).")
        var outputPath: String?

        @Option(name: .customLong("set"), help: ArgumentHelp("Override a key: section.key=value (repeatable).", valueName: "key=value"))
        var overrides: [String] = []

        @Flag(help: "Continue from the config's checkpoint (same weights as an uninterrupted run).")
        var resume = false

        @Option(help: "OpenBLAS threads (default 1).")
        var threads: Int = 1

        @OptionGroup var output: OutputOptions

        func run() throws {
            var request = SurrogateWorkflows.TrainRequest(config: config)
            request.output = outputPath
            request.overrides = overrides
            request.resume = resume
            request.threads = threads
            request.policy = output.policy
            output.show(try SurrogateWorkflows.train(request, reporter: output.reporter()))
        }
    }

    // MARK: evaluate

    struct Evaluate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Accuracy of a surrogate model on a data set: MAE (lattice, sources, bands R1–R3), max error; inference time.")

        @Argument(help: "Surrogate model (surrogate-model HDF5).")
        var model: String

        @Argument(help: "Data set (surrogate-dataset HDF5), e.g. the test set.")
        var data: String

        @Option(help: "Images per inference pass (1 is the fastest per image on a CPU: the buffers stay in cache).")
        var batch: Int = 1

        @Option(help: "OpenBLAS threads (default 1).")
        var threads: Int = 1

        @OptionGroup var output: ReportOptions

        func run() throws {
            output.show(try SurrogateWorkflows.evaluate(model: model, data: data, batch: batch, threads: threads,
                                                        reporter: output.reporter()))
        }
    }

    // MARK: predict

    struct Predict: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Predict normalised fields for the source maps of a data set; write HDF5 (+ XDMF for ParaView).")

        @Argument(help: "Surrogate model (surrogate-model HDF5).")
        var model: String

        @Argument(help: "Data set whose /inputs to predict (surrogate-dataset HDF5).")
        var data: String

        @Option(name: [.short, .customLong("output")], help: "Prediction file to write.")
        var outputPath: String = "results/surrogate/prediction.h5"

        @Option(help: "Predict only the first COUNT samples.")
        var count: Int?

        @OptionGroup var output: OutputOptions

        func run() throws {
            output.show(try SurrogateWorkflows.predict(model: model, data: data, output: outputPath, count: count,
                                                       policy: output.policy, reporter: output.reporter()))
        }
    }

    // MARK: learning-curve

    struct LearningCurveCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "learning-curve",
            abstract: "Train on fractions of the training set with several seeds; test MAE vs N, fit a − b·ln N, SVG plot.")

        @Argument(help: "Surrogate config (TOML).", completion: .file(extensions: ["toml"]))
        var config: String

        @Option(name: .customLong("set"), help: ArgumentHelp("Override a key: section.key=value (repeatable).", valueName: "key=value"))
        var overrides: [String] = []

        @Option(name: .customLong("from-csv"), parsing: .upToNextOption,
                help: "Only fit and plot the points of these learning-curve.csv files (e.g. one run per seed).")
        var fromCSV: [String] = []

        @OptionGroup var output: OutputOptions

        func run() throws {
            output.show(try SurrogateWorkflows.learningCurve(config: config, overrides: overrides, fromCSV: fromCSV,
                                                             reporter: output.reporter()))
        }
    }
}

extension SurrogateWorkflows.Sets: ExpressibleByArgument {}
