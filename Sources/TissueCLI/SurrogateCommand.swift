import ArgumentParser
import Foundation
import HDF5Kit
import Microscale
import NeuralNet
import Numerics
import Scenario
import Surrogate

/// `tissue surrogate generate|merge|train|evaluate|predict|learning-curve`: the CNN surrogate for
/// steady diffusion–decay fields (DESIGN §9).
struct SurrogateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "surrogate",
        abstract: "CNN surrogate for steady diffusion–decay fields: data generation, training, evaluation, prediction.",
        subcommands: [Generate.self, Merge.self, Train.self, Evaluate.self, Predict.self, LearningCurveCommand.self])

    /// OUTPUT.parts/ beside a data-set file: its finished blocks (resume).
    static func partDirectory(_ output: String) -> String {
        (output.hasSuffix(".h5") ? String(output.dropLast(3)) : output) + ".parts"
    }

    /// OUTPUT.shardK-of-N.h5 for a shard run.
    static func shardPath(_ output: String, _ shard: CampaignShard) -> String {
        guard shard != .whole else { return output }
        return (output.hasSuffix(".h5") ? String(output.dropLast(3)) : output) + ".shard\(shard.part)-of-\(shard.count).h5"
    }

    static func format(_ m: SurrogateMetrics) -> [String: Any] {
        var d: [String: Any] = ["samples": m.samples]
        for (k, v) in m.namedValues { d[k] = v }
        return d
    }

    static func printSummary(_ summary: [String: Any], json: Bool, title: String) {
        if json {
            print(Terminal.json(summary))
        } else {
            print(title)
            for key in summary.keys.sorted() { print("  \(key): \(summary[key]!)") }
        }
    }

    /// A model and a data set of the same lattice size (a note if their generation parameters differ).
    static func load(model: String, data: String, quiet: Bool) throws -> (SurrogateModel, SurrogateDataset) {
        let m = try SurrogateModel.read(path: model)
        let set = try SurrogateDataset.read(path: data)
        guard set.parameters.latticeSize == m.parameters.latticeSize else {
            throw UserError("\(data): lattice \(set.parameters.latticeSize)², the model takes \(m.parameters.latticeSize)²")
        }
        if set.parameters != m.parameters {
            Terminal.info("note: \(data) was generated with other parameters than the model's training data", quiet: quiet)
        }
        return (m, set)
    }

    // MARK: generate

    struct Generate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Solve D∇²c − γc + α = 0 directly for seeded random disk sources; write the training and test sets (chunked HDF5).")

        @Argument(help: "Surrogate config (TOML), e.g. examples/surrogate.toml.", completion: .file(extensions: ["toml"]))
        var config: String

        @Option(name: .customLong("set"), help: ArgumentHelp("Override a key: section.key=value (repeatable).", valueName: "key=value"))
        var overrides: [String] = []

        @Option(help: "Which sets to write: train, test or both.")
        var only: String = "both"

        @Option(help: "Run every N-th sample only (K/N, 1 ≤ K ≤ N); join the outputs with `tissue surrogate merge`.")
        var shard: String?

        @Flag(help: "Keep the finished blocks of an interrupted run (OUTPUT.parts/) instead of starting over.")
        var resume = false

        @Option(help: ArgumentHelp("Stop after writing this many new blocks (simulates an interrupted run).", visibility: .hidden))
        var stopAfterBlocks: Int?

        @OptionGroup var output: OutputOptions

        func validate() throws {
            guard ["train", "test", "both"].contains(only) else { throw ValidationError("--only \(only): expected train, test or both") }
            if let shard { do { _ = try CampaignShard(parsing: shard) } catch { throw ValidationError("--shard: \(error)") } }
        }

        func run() throws {
            let s = try ScenarioLoader.loadSurrogate(path: config, overrides: overrides)
            let shardPart = try shard.map { try CampaignShard(parsing: $0) } ?? .whole
            setBLASThreads(1)
            var summary: [String: Any] = [:]
            var sets: [(String, String, Int, UInt64)] = []
            if only != "test" { sets.append(("train", s.trainPath, s.samples, s.seed)) }
            if only != "train" { sets.append(("test", s.testPath, s.testSamples, s.testSeed)) }
            for (_, path, _, _) in sets { try output.checkOutput(SurrogateCommand.shardPath(path, shardPart)) }
            for (name, path, samples, seed) in sets {
                let outPath = SurrogateCommand.shardPath(path, shardPart)
                try AtomicWrite.checkDestination(outPath)
                let parts = SurrogateCommand.partDirectory(outPath)
                if FileManager.default.fileExists(atPath: parts) && !resume {
                    if !output.quiet { Terminal.info("note: \(parts) exists from an earlier run; starting over (use --resume to continue it)", quiet: false) }
                    try FileManager.default.removeItem(atPath: parts)
                }
                let identity = s.resolvedTOML + "\n# \(name) set: seed \(seed), \(samples) samples, shard \(shardPart)\n"
                let generation = SurrogateGeneration(parameters: s.problem, seed: seed, samples: samples, blockSize: s.blockSize,
                                                     include: { shardPart.contains($0) })
                let bar = ProgressBar(label: "\(name) samples", total: generation.plan.count, quiet: output.quiet || output.json)
                let watch = Stopwatch()
                let r = try generation.run(partDirectory: parts, config: identity, programVersion: programVersion,
                                           stopAfterBlocks: stopAfterBlocks) { done, total in bar.update(done) }
                guard r.complete else {
                    throw UserError("stopped after \(stopAfterBlocks ?? 0) new blocks (\(r.dataset.count) of \(generation.plan.count) samples kept in \(parts)); continue with --resume")
                }
                try r.dataset.write(to: outPath, config: identity, programVersion: programVersion)
                try? FileManager.default.removeItem(atPath: parts)
                summary["\(name)_file"] = outPath
                summary["\(name)_samples"] = r.dataset.count
                summary["\(name)_resumed_samples"] = r.resumedSamples
                summary["\(name)_seconds"] = watch.seconds
            }
            SurrogateCommand.printSummary(summary, json: output.json, title: "tissue surrogate generate")
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
            guard !parts.isEmpty else { throw UserError("give at least one shard file to merge") }
            let sets = try parts.map { ($0, try SurrogateDataset.read(path: $0)) }
            let merged = try SurrogateGeneration.merge(sets)
            let header = try HDF5File.open(parts[0])
            let config = try FileHeader.read(from: header).config
            try header.close()
            try merged.write(to: outputPath, config: config, programVersion: programVersion)
            SurrogateCommand.printSummary(["file": outputPath, "samples": merged.count], json: output.json, title: "tissue surrogate merge")
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
            let s = try ScenarioLoader.loadSurrogate(path: config, overrides: overrides)
            let modelPath = outputPath ?? s.modelPath
            try output.checkOutput(modelPath)
            if resume && !FileManager.default.fileExists(atPath: s.checkpointPath) {
                throw UserError("--resume: no checkpoint at \(s.checkpointPath) (start without --resume)")
            }
            setBLASThreads(threads)
            let quiet = output.quiet || output.json
            let data = try SurrogateDataset.read(path: s.trainPath)
            guard data.parameters == s.problem else {
                throw UserError("\(s.trainPath): generated with \(data.parameters), but \(config) [problem] says \(s.problem); regenerate or fix the config")
            }
            let spec = try s.training.spec(size: s.problem.latticeSize)
            Terminal.info("tissue surrogate train: \(data.count) samples from \(s.trainPath); \(spec) (\(spec.parameterCount) parameters); loss \(s.training.loss.rawValue)", quiet: quiet)
            let checkpoint = s.training.checkpointEvery > 0
                ? CheckpointDestination(path: s.checkpointPath, programVersion: programVersion, configText: s.resolvedTOML) : nil
            let bar = ProgressBar(label: "epochs", total: s.training.epochs, quiet: quiet)
            let (model, result, atLimit) = try SurrogateTraining.train(
                data, settings: s.training, checkpoint: checkpoint, resumeFrom: resume ? s.checkpointPath : nil) { report in
                    bar.update(report.epoch, note: String(format: "loss %.4g  val loss %.4g  best @%d", report.trainLoss,
                                                          report.validationLoss, report.bestEpoch))
                    if !Terminal.stderrIsTerminal && !quiet {
                        Terminal.info(String(format: "epoch %d/%d  train loss %.5g  val loss %.5g  lr %.3g  %.1f s",
                                             report.epoch, report.epochs, report.trainLoss, report.validationLoss,
                                             report.learningRate, report.seconds), quiet: false)
                    }
                }
            try model.write(to: modelPath, config: s.resolvedTOML, seed: s.seed, programVersion: programVersion)
            var summary = SurrogateCommand.format(model.validation!).mapKeys { "validation_" + $0 }
            summary["model"] = modelPath
            summary["epochs_run"] = result.epochsRun
            summary["best_epoch"] = result.bestEpoch
            summary["stop_reason"] = atLimit ? "time_limit" : result.stopReason.rawValue
            summary["training_seconds"] = result.history.seconds.reduce(0, +)
            summary["parameters"] = spec.parameterCount
            SurrogateCommand.printSummary(summary, json: output.json, title: "wrote \(modelPath)")
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

        @OptionGroup var output: OutputOptions

        func run() throws {
            setBLASThreads(threads)
            let (m, set) = try SurrogateCommand.load(model: model, data: data, quiet: output.quiet)
            let watch = Stopwatch()
            let predictions = try m.predict(set.inputs, rows: set.count, batch: batch)
            let seconds = watch.seconds
            let metrics = SurrogateMetrics(predictions: predictions, targets: set.targets, inputs: set.inputs,
                                           pixels: set.parameters.pixels)
            var summary = SurrogateCommand.format(metrics)
            summary["model"] = model
            summary["data"] = data
            summary["inference_seconds_per_sample"] = seconds / Double(max(1, set.count))
            SurrogateCommand.printSummary(summary, json: output.json, title: "tissue surrogate evaluate")
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
            setBLASThreads(1)
            try output.checkOutput(outputPath)
            let (m, loaded) = try SurrogateCommand.load(model: model, data: data, quiet: output.quiet)
            var set = loaded
            if let count { set = set.subset(Array(0..<min(max(0, count), set.count))) }
            let predictions = try m.predict(set.inputs, rows: set.count)
            try SurrogatePrediction.write(to: outputPath, size: set.parameters.latticeSize, inputs: set.inputs,
                                          predictions: predictions, targets: set.targets, sampleIndex: set.sampleIndex,
                                          config: "# tissue surrogate predict\nmodel = \"\(model)\"\ndata = \"\(data)\"\n",
                                          seed: set.seed, programVersion: programVersion)
            SurrogateCommand.printSummary(["file": outputPath, "xdmf": SurrogatePrediction.xdmfPath(outputPath), "samples": set.count],
                                          json: output.json, title: "tissue surrogate predict")
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
            let s = try ScenarioLoader.loadSurrogate(path: config, overrides: overrides)
            setBLASThreads(1)
            let quiet = output.quiet || output.json
            try FileManager.default.createDirectory(atPath: s.curveOutput, withIntermediateDirectories: true)
            if !fromCSV.isEmpty {
                let points = try fromCSV.flatMap { path in
                    try LearningCurve(csv: try String(contentsOfFile: path, encoding: .utf8), source: path).points
                }
                try finish(LearningCurve(points: points), s)
                return
            }
            let data = try SurrogateDataset.read(path: s.trainPath)
            let test = try SurrogateDataset.read(path: s.testPath)
            let available = SurrogateTraining.split(count: data.count, validationFraction: s.training.validationFraction,
                                                    trainingSamples: 0, seed: 0).training.count
            let full = s.training.trainingSamples > 0 ? min(s.training.trainingSamples, available) : available
            var points: [LearningCurve.Point] = []
            let runs = s.curveFractions.count * s.curveSeeds.count
            let bar = ProgressBar(label: "models", total: runs, quiet: quiet)
            for fraction in s.curveFractions {
                for seed in s.curveSeeds {
                    let settings = LearningCurve.settings(base: s.training, fraction: fraction, full: full, seed: seed,
                                                          budgetEpochs: s.curveEpochs)
                    let watch = Stopwatch()
                    let (model, _, _) = try SurrogateTraining.train(data, settings: settings, checkpoint: nil)
                    let predictions = try model.predict(test.inputs, rows: test.count)
                    let m = SurrogateMetrics(predictions: predictions, targets: test.targets, inputs: test.inputs,
                                             pixels: test.parameters.pixels)
                    points.append(.init(trainingSamples: settings.trainingSamples, seed: seed, mae: m.mae, maeR1: m.maeR1,
                                        seconds: watch.seconds))
                    bar.update(points.count)
                    Terminal.info(String(format: "N = %d seed %d: test MAE %.4e  R1 MAE %.4e  (%.0f s)", settings.trainingSamples,
                                         seed, m.mae, m.maeR1, watch.seconds), quiet: quiet)
                    let curve = LearningCurve(points: points)
                    try curve.csv.write(toFile: s.curveOutput + "/learning-curve.csv", atomically: true, encoding: .utf8)
                }
            }
            try finish(LearningCurve(points: points), s)
        }

        /// Writes the CSV and the SVG, prints the fit.
        func finish(_ curve: LearningCurve, _ s: SurrogateScenario) throws {
            try curve.csv.write(toFile: s.curveOutput + "/learning-curve.csv", atomically: true, encoding: .utf8)
            let svgPath = s.curveOutput + "/learning-curve.svg"
            try curve.svg(title: "CNN surrogate, \(s.problem.latticeSize)² lattice: test MAE vs training-set size")
                .write(toFile: svgPath, atomically: true, encoding: .utf8)
            let fit = curve.fit
            SurrogateCommand.printSummary([
                "csv": s.curveOutput + "/learning-curve.csv", "svg": svgPath, "fit_a": fit.a, "fit_b": fit.b,
                "fit_r_squared": fit.rSquared, "runs": curve.points.count,
                "mean_mae_by_size": curve.means.map { "\($0.n): \($0.mae)" },
            ], json: output.json, title: "tissue surrogate learning-curve")
        }
    }
}

extension Dictionary where Key == String {
    func mapKeys(_ f: (String) -> String) -> [String: Value] {
        Dictionary(uniqueKeysWithValues: map { (f($0.key), $0.value) })
    }
}
