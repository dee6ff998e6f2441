import Foundation
import HDF5Kit
import Microscale
import NeuralNet
import Numerics
import Scenario
import Surrogate

/// `tissue surrogate generate|merge|train|evaluate|predict|learning-curve`: the CNN surrogate for
/// steady diffusion–decay fields (DESIGN §9).
public enum SurrogateWorkflows {
    /// OUTPUT.shardK-of-N.h5 for a shard run.
    static func shardPath(_ output: String, _ shard: CampaignShard) -> String {
        guard shard != .whole else { return output }
        return OutputPolicy.stem(output) + ".shard\(shard.part)-of-\(shard.count).h5"
    }

    static func format(_ m: SurrogateMetrics) -> [String: Any] {
        var d: [String: Any] = ["samples": m.samples]
        for (k, v) in m.namedValues { d[k] = v }
        return d
    }

    static func report(_ summary: [String: Any], title: String) -> WorkflowReport {
        WorkflowReport(summary: summary, headline: [title])
    }

    /// A model and a data set of the same lattice size (a note if their generation parameters differ).
    static func load(model: String, data: String, reporter: WorkflowReporter) throws -> (SurrogateModel, SurrogateDataset) {
        let m = try SurrogateModel.read(path: model)
        let set = try SurrogateDataset.read(path: data)
        guard set.parameters.latticeSize == m.parameters.latticeSize else {
            throw WorkflowError("\(data): lattice \(set.parameters.latticeSize)², the model takes \(m.parameters.latticeSize)²")
        }
        if set.parameters != m.parameters {
            reporter.note("note: \(data) was generated with other parameters than the model's training data")
        }
        return (m, set)
    }

    /// Which sets `generate` writes.
    public enum Sets: String, Sendable, CaseIterable { case train, test, both }

    public struct GenerateRequest: Sendable {
        public var config: String
        public var overrides: [String] = []
        public var only: Sets = .both
        /// "K/N": every N-th sample only.
        public var shard: String?
        public var resume = false
        /// Stop after writing this many new blocks (simulates an interrupted run).
        public var stopAfterBlocks: Int?
        public var policy = OutputPolicy()

        public init(config: String) { self.config = config }

        func shardPart() throws -> CampaignShard { try CampaignShard(option: shard) ?? .whole }

        public func validate() throws { _ = try shardPart() }
    }

    public static func generate(_ request: GenerateRequest, reporter: WorkflowReporter) throws -> WorkflowReport {
        let s = try ScenarioLoader.loadSurrogate(path: request.config, overrides: request.overrides)
        reporter.configLoaded(warnings: s.warnings)
        let shardPart = try request.shardPart()
        setBLASThreads(1)
        var summary: [String: Any] = [:]
        var sets: [(String, String, Int, UInt64)] = []
        if request.only != .test { sets.append(("train", s.trainPath, s.samples, s.seed)) }
        if request.only != .train { sets.append(("test", s.testPath, s.testSamples, s.testSeed)) }
        for (_, path, _, _) in sets { try request.policy.checkOutput(shardPath(path, shardPart)) }
        for (name, path, samples, seed) in sets {
            let outPath = shardPath(path, shardPart)
            try AtomicWrite.checkDestination(outPath)
            let parts = OutputPolicy.partDirectory(outPath)
            if FileManager.default.fileExists(atPath: parts) && !request.resume {
                reporter.note("note: \(parts) exists from an earlier run; starting over (use --resume to continue it)")
                try FileManager.default.removeItem(atPath: parts)
            }
            let identity = s.resolvedTOML + "\n# \(name) set: seed \(seed), \(samples) samples, shard \(shardPart)\n"
            let generation = SurrogateGeneration(parameters: s.problem, seed: seed, samples: samples, blockSize: s.blockSize,
                                                 include: { shardPart.contains($0) })
            reporter.beginProgress("\(name) samples", total: generation.plan.count)
            let watch = Stopwatch()
            let r = try generation.run(partDirectory: parts, config: identity, programVersion: programVersion,
                                       stopAfterBlocks: request.stopAfterBlocks) { done, _ in reporter.progress(done) }
            guard r.complete else {
                throw WorkflowError("stopped after \(request.stopAfterBlocks ?? 0) new blocks (\(r.dataset.count) of \(generation.plan.count) samples kept in \(parts)); continue with --resume")
            }
            try r.dataset.write(to: outPath, config: identity, programVersion: programVersion)
            try? FileManager.default.removeItem(atPath: parts)
            summary["\(name)_file"] = outPath
            summary["\(name)_samples"] = r.dataset.count
            summary["\(name)_resumed_samples"] = r.resumedSamples
            summary["\(name)_seconds"] = watch.seconds
        }
        return report(summary, title: "tissue surrogate generate")
    }

    /// Joins shard outputs into one data set, in sample order.
    public static func merge(output: String, parts: [String]) throws -> WorkflowReport {
        guard !parts.isEmpty else { throw WorkflowError("give at least one shard file to merge") }
        let sets = try parts.map { ($0, try SurrogateDataset.read(path: $0)) }
        let merged = try SurrogateGeneration.merge(sets)
        let header = try HDF5File.open(parts[0])
        let config = try FileHeader.read(from: header).config
        try header.close()
        try merged.write(to: output, config: config, programVersion: programVersion)
        return report(["file": output, "samples": merged.count], title: "tissue surrogate merge")
    }

    public struct TrainRequest: Sendable {
        public var config: String
        public var output: String?
        public var overrides: [String] = []
        public var resume = false
        /// OpenBLAS threads.
        public var threads = 1
        public var policy = OutputPolicy()

        public init(config: String) { self.config = config }
    }

    public static func train(_ request: TrainRequest, reporter: WorkflowReporter) throws -> WorkflowReport {
        let s = try ScenarioLoader.loadSurrogate(path: request.config, overrides: request.overrides)
        reporter.configLoaded(warnings: s.warnings)
        let modelPath = request.output ?? s.modelPath
        try request.policy.checkOutput(modelPath)
        if request.resume && !FileManager.default.fileExists(atPath: s.checkpointPath) {
            throw WorkflowError("--resume: no checkpoint at \(s.checkpointPath) (start without --resume)")
        }
        setBLASThreads(request.threads)
        let data = try SurrogateDataset.read(path: s.trainPath)
        guard data.parameters == s.problem else {
            throw WorkflowError("\(s.trainPath): generated with \(data.parameters), but \(request.config) [problem] says \(s.problem); regenerate or fix the config")
        }
        let spec = try s.training.spec(size: s.problem.latticeSize)
        reporter.status("tissue surrogate train: \(data.count) samples from \(s.trainPath); \(spec) (\(spec.parameterCount) parameters); loss \(s.training.loss.rawValue)")
        let checkpoint = s.training.checkpointEvery > 0
            ? CheckpointDestination(path: s.checkpointPath, programVersion: programVersion, configText: s.resolvedTOML) : nil
        reporter.beginProgress("epochs", total: s.training.epochs)
        let (model, result, atLimit) = try SurrogateTraining.train(
            data, settings: s.training, checkpoint: checkpoint, resumeFrom: request.resume ? s.checkpointPath : nil) { r in
                reporter.progress(r.epoch, detail: String(format: "loss %.4g  val loss %.4g  best @%d", r.trainLoss,
                                                          r.validationLoss, r.bestEpoch))
                if reporter.wantsLogLines {
                    reporter.status(String(format: "epoch %d/%d  train loss %.5g  val loss %.5g  lr %.3g  %.1f s",
                                           r.epoch, r.epochs, r.trainLoss, r.validationLoss, r.learningRate, r.seconds))
                }
            }
        try model.write(to: modelPath, config: s.resolvedTOML, seed: s.seed, programVersion: programVersion)
        var summary = Dictionary(uniqueKeysWithValues: format(model.validation!).map { ("validation_" + $0.key, $0.value) })
        summary["model"] = modelPath
        summary["epochs_run"] = result.epochsRun
        summary["best_epoch"] = result.bestEpoch
        summary["stop_reason"] = atLimit ? "time_limit" : result.stopReason.rawValue
        summary["training_seconds"] = result.history.seconds.reduce(0, +)
        summary["parameters"] = spec.parameterCount
        return report(summary, title: "wrote \(modelPath)")
    }

    /// Accuracy of a surrogate model on a data set and its inference time.
    public static func evaluate(model: String, data: String, batch: Int, threads: Int,
                                reporter: WorkflowReporter) throws -> WorkflowReport {
        setBLASThreads(threads)
        let (m, set) = try load(model: model, data: data, reporter: reporter)
        let watch = Stopwatch()
        let predictions = try m.predict(set.inputs, rows: set.count, batch: batch)
        let seconds = watch.seconds
        let metrics = SurrogateMetrics(predictions: predictions, targets: set.targets, inputs: set.inputs,
                                       pixels: set.parameters.pixels)
        var summary = format(metrics)
        summary["model"] = model
        summary["data"] = data
        summary["inference_seconds_per_sample"] = seconds / Double(max(1, set.count))
        return report(summary, title: "tissue surrogate evaluate")
    }

    /// Predicted normalised fields for the source maps of a data set (HDF5 + XDMF).
    public static func predict(model: String, data: String, output: String, count: Int?, policy: OutputPolicy,
                               reporter: WorkflowReporter) throws -> WorkflowReport {
        setBLASThreads(1)
        try policy.checkOutput(output)
        let (m, loaded) = try load(model: model, data: data, reporter: reporter)
        var set = loaded
        if let count { set = set.subset(Array(0..<min(max(0, count), set.count))) }
        let predictions = try m.predict(set.inputs, rows: set.count)
        try SurrogatePrediction.write(to: output, size: set.parameters.latticeSize, inputs: set.inputs,
                                      predictions: predictions, targets: set.targets, sampleIndex: set.sampleIndex,
                                      config: "# tissue surrogate predict\nmodel = \"\(model)\"\ndata = \"\(data)\"\n",
                                      seed: set.seed, programVersion: programVersion)
        return report(["file": output, "xdmf": SurrogatePrediction.xdmfPath(output), "samples": set.count],
                      title: "tissue surrogate predict")
    }

    /// Trains on fractions of the training set with several seeds; test MAE against N, the fit
    /// a − b·ln N, CSV and SVG. With `fromCSV`, only fits and plots the points of earlier runs.
    public static func learningCurve(config: String, overrides: [String], fromCSV: [String],
                                     reporter: WorkflowReporter) throws -> WorkflowReport {
        let s = try ScenarioLoader.loadSurrogate(path: config, overrides: overrides)
        setBLASThreads(1)
        try FileManager.default.createDirectory(atPath: s.curveOutput, withIntermediateDirectories: true)
        if !fromCSV.isEmpty {
            let points = try fromCSV.flatMap { path in
                try LearningCurve(csv: try String(contentsOfFile: path, encoding: .utf8), source: path).points
            }
            return try finishCurve(LearningCurve(points: points), s)
        }
        let data = try SurrogateDataset.read(path: s.trainPath)
        let test = try SurrogateDataset.read(path: s.testPath)
        let available = SurrogateTraining.split(count: data.count, validationFraction: s.training.validationFraction,
                                                trainingSamples: 0, seed: 0).training.count
        let full = s.training.trainingSamples > 0 ? min(s.training.trainingSamples, available) : available
        var points: [LearningCurve.Point] = []
        reporter.beginProgress("models", total: s.curveFractions.count * s.curveSeeds.count)
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
                reporter.progress(points.count)
                reporter.status(String(format: "N = %d seed %d: test MAE %.4e  R1 MAE %.4e  (%.0f s)", settings.trainingSamples,
                                       seed, m.mae, m.maeR1, watch.seconds))
                try LearningCurve(points: points).csv.write(toFile: s.curveOutput + "/learning-curve.csv", atomically: true,
                                                            encoding: .utf8)
            }
        }
        return try finishCurve(LearningCurve(points: points), s)
    }

    /// Writes the curve's CSV and SVG; the fit as the report.
    static func finishCurve(_ curve: LearningCurve, _ s: SurrogateScenario) throws -> WorkflowReport {
        try curve.csv.write(toFile: s.curveOutput + "/learning-curve.csv", atomically: true, encoding: .utf8)
        let svgPath = s.curveOutput + "/learning-curve.svg"
        try curve.svg(title: "CNN surrogate, \(s.problem.latticeSize)² lattice: test MAE vs training-set size")
            .write(toFile: svgPath, atomically: true, encoding: .utf8)
        let fit = curve.fit
        return report([
            "csv": s.curveOutput + "/learning-curve.csv", "svg": svgPath, "fit_a": fit.a, "fit_b": fit.b,
            "fit_r_squared": fit.rSquared, "runs": curve.points.count,
            "mean_mae_by_size": curve.means.map { "\($0.n): \($0.mae)" },
        ], title: "tissue surrogate learning-curve")
    }
}
