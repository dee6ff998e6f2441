import Config
import NeuralNet
import Surrogate

/// A validated `tissue surrogate` configuration (e.g. `examples/surrogate.toml`):
///
/// ```toml
/// [run]            seed = 1
/// [problem]        lattice_size = 100;  diffusivity = 1.0;  decay_rate = 0.0025;  source_radius = 5.0
///                  sources_min = 2;  sources_max = 2;  strength_min = 0.1          # lattice units, Δx = 1
/// [data]           train = "results/surrogate/train.h5";  samples = 20000
///                  test = "results/surrogate/test.h5";  test_samples = 1000;  test_seed = 1001;  block_size = 500
/// [network]        channels = [8, 16, 32, 64];  pool_factors = [2, 2, 5];  convolutions_per_block = 2
///                  kernel = 3;  leaky_slope = 0.02;  output = "linear" | "max-normalized"
/// [training]       epochs = 10;  batch_size = 16;  loss = "mae" | "mse" | "source-weighted";  source_weight = 10
///                  learning_rate = 1e-3;  decay = 1.0;  patience = 0;  checkpoint_every = 1
///                  validation_fraction = 0.05;  training_samples = 0 (all);  time_limit_minutes = 0 (none)
/// [learning_curve] fractions = [0.0625, 0.125, 0.25, 0.5, 1.0];  seeds = [1, 2, 3];  epochs = 4;  output = "results/surrogate/curve"
/// [output]         model = "results/surrogate/model.h5";  checkpoint = "results/surrogate/model.checkpoint.h5"
/// ```
/// Data sets, models and checkpoints are files the commands write, relative to the working directory.
public struct SurrogateScenario: Sendable, Equatable {
    public var configPath: String
    public var seed: UInt64
    public var problem: DiffusionDecayParameters
    public var trainPath: String
    public var samples: Int
    public var testPath: String
    public var testSamples: Int
    public var testSeed: UInt64
    public var blockSize: Int
    public var training: SurrogateTrainingSettings
    public var curveFractions: [Double]
    public var curveSeeds: [UInt64]
    public var curveEpochs: Int
    public var curveOutput: String
    public var modelPath: String
    public var checkpointPath: String
    public var resolvedTOML: String
}

extension ScenarioLoader {
    static let surrogateSchema: [TableSchema] = [
        TableSchema("run", ["seed"]),
        TableSchema("problem", ["lattice_size", "diffusivity", "decay_rate", "source_radius", "sources_min", "sources_max", "strength_min"]),
        TableSchema("data", ["train", "samples", "test", "test_samples", "test_seed", "block_size"]),
        TableSchema("network", ["channels", "pool_factors", "convolutions_per_block", "kernel", "leaky_slope", "output"]),
        TableSchema("training", ["epochs", "batch_size", "loss", "source_weight", "learning_rate", "decay", "patience",
                                 "checkpoint_every", "validation_fraction", "training_samples", "time_limit_minutes"]),
        TableSchema("learning_curve", ["fractions", "seeds", "epochs", "output"]),
        TableSchema("output", ["model", "checkpoint"]),
    ]

    /// Loads and validates a surrogate configuration; all problems are reported together, each
    /// naming the file, line, key, value and allowed range.
    public static func loadSurrogate(path: String, overrides: [String] = []) throws -> SurrogateScenario {
        let text = try Paths.read(path, what: "the surrogate config", reportAs: path)
        let (sections, diagnostics) = try ScenarioLoader.sections(of: text, path: path, schema: surrogateSchema, overrides: overrides)

        let seed = SectionReader(sections["run"], diagnostics).integer("seed", atLeast: 0, default: 1)
        let problem = SectionReader(sections["problem"], diagnostics)
        let n = problem.integer("lattice_size", atLeast: 4, default: 100)
        let diffusivity = problem.quantity("diffusivity", .dimensionless, .positive, default: 1)
        let decayRate = problem.quantity("decay_rate", .dimensionless, .positive, default: 1.0 / 400)
        var radius = problem.quantity("source_radius", .dimensionless, .positive, default: 5)
        if let r = radius, let n, let v = problem.raw("source_radius", required: false), r > Double(n - 1) / 2 {
            problem.report(v, "problem.source_radius = \(r) is out of range: a disk must fit on the \(n) × \(n) lattice, expected 0 < source_radius <= \(Double(n - 1) / 2)")
            radius = nil
        }
        let sourcesMin = problem.integer("sources_min", atLeast: 1, default: 2)
        var sourcesMax = problem.integer("sources_max", atLeast: 1, default: 2)
        if let lo = sourcesMin, let hi = sourcesMax, hi < lo, let v = problem.raw("sources_max", required: false) {
            problem.report(v, "problem.sources_max = \(hi) is out of range: expected sources_max >= sources_min = \(lo)")
            sourcesMax = nil
        }
        let strengthMin = problem.quantity("strength_min", .dimensionless, .unitIntervalClosedAbove, default: 0.1)

        let data = SectionReader(sections["data"], diagnostics)
        let trainPath = data.string("train", default: "results/surrogate/train.h5", nonEmpty: true)
        let samples = data.integer("samples", atLeast: 2, default: 20000)
        let testPath = data.string("test", default: "results/surrogate/test.h5", nonEmpty: true)
        let testSamples = data.integer("test_samples", atLeast: 1, default: 1000)
        let testSeed = data.integer("test_seed", atLeast: 0, default: (seed ?? 1) + 1000)
        let blockSize = data.integer("block_size", atLeast: 1, default: 500)

        let network = SectionReader(sections["network"], diagnostics)
        func integers(_ key: String, default value: [Int], range: ClosedRange<Int>) -> [Int]? {
            guard let v = network.raw(key, required: false) else { return value }
            let items = v.value.arrayValue?.compactMap { e -> Int? in
                if case .integer(let i) = e.kind, range.contains(Int(i)) { return Int(i) } else { return nil }
            }
            guard let items, !items.isEmpty, items.count == v.value.arrayValue?.count else {
                network.report(v, "\(v.name) must be a non-empty array of integers in \(range.lowerBound)…\(range.upperBound), got \(TOMLSerializer.inline(v.value))")
                return nil
            }
            return items
        }
        let channels = integers("channels", default: [8, 16, 32, 64], range: 1...1024)
        let poolFactors = integers("pool_factors", default: [2, 2, 5], range: 2...64)
        let convolutions = network.integer("convolutions_per_block", atLeast: 1, default: 2)
        let kernel = network.integer("kernel", atLeast: 1, default: 3)
        let slope = network.quantity("leaky_slope", .dimensionless, AllowedRange(lower: 0, lowerInclusive: true, upper: 1), default: 0.02)
        let outputLayer = network.choice("output", SurrogateOutput.self, default: .linear)

        let t = SectionReader(sections["training"], diagnostics)
        let epochs = t.integer("epochs", atLeast: 1, default: 10)
        let batchSize = t.integer("batch_size", atLeast: 1, default: 16)
        let loss = t.choice("loss", SurrogateLoss.self, default: .mae)
        let sourceWeight = t.quantity("source_weight", .dimensionless, .nonNegative, default: 10)
        let learningRate = t.quantity("learning_rate", .dimensionless, .unitIntervalClosedAbove, default: 1e-3)
        let decay = t.quantity("decay", .dimensionless, .unitIntervalClosedAbove, default: 1)
        let patience = t.integer("patience", atLeast: 0, default: 0)
        let checkpointEvery = t.integer("checkpoint_every", atLeast: 0, default: 1)
        let validationFraction = t.quantity("validation_fraction", .dimensionless, AllowedRange(lower: 0, upper: 0.5, upperInclusive: true), default: 0.05)
        let trainingSamples = t.integer("training_samples", atLeast: 0, default: 0)
        let timeLimit = t.quantity("time_limit_minutes", .dimensionless, .nonNegative, default: 0)

        let curve = SectionReader(sections["learning_curve"], diagnostics)
        var fractions: [Double]? = [0.0625, 0.125, 0.25, 0.5, 1]
        if curve.isPresent("fractions") {
            fractions = curve.quantityArray("fractions", .dimensionless, .unitIntervalClosedAbove)?.values
        }
        var curveSeeds: [UInt64]? = [1, 2, 3]
        if let v = curve.raw("seeds", required: false) {
            let items = v.value.arrayValue?.compactMap { e -> UInt64? in
                if case .integer(let i) = e.kind, i >= 0 { return UInt64(i) } else { return nil }
            }
            if let items, !items.isEmpty, items.count == v.value.arrayValue?.count { curveSeeds = items } else {
                curve.report(v, "\(v.name) must be a non-empty array of integers >= 0, got \(TOMLSerializer.inline(v.value))")
                curveSeeds = nil
            }
        }
        let curveEpochs = curve.integer("epochs", atLeast: 1, default: 4)
        let curveOutput = curve.string("output", default: "results/surrogate/curve", nonEmpty: true)

        let output = SectionReader(sections["output"], diagnostics)
        let modelPath = output.string("model", default: "results/surrogate/model.h5", nonEmpty: true)
        let checkpointPath = output.string("checkpoint", default: "results/surrogate/model.checkpoint.h5", nonEmpty: true)

        try diagnostics.throwIfAny()
        guard let seed, let n, let diffusivity, let decayRate, let radius, let sourcesMin, let sourcesMax, let strengthMin,
              let trainPath, let samples, let testPath, let testSamples, let testSeed, let blockSize,
              let channels, let poolFactors, let convolutions, let kernel, let slope, let outputLayer,
              let epochs, let batchSize, let loss, let sourceWeight, let learningRate, let decay, let patience,
              let checkpointEvery, let validationFraction, let trainingSamples, let timeLimit,
              let fractions, let curveSeeds, let curveEpochs, let curveOutput, let modelPath, let checkpointPath
        else { throw ScenarioError(file: path, message: "invalid surrogate configuration") }

        let parameters: DiffusionDecayParameters
        do {
            parameters = try DiffusionDecayParameters(latticeSize: n, diffusivity: diffusivity, decayRate: decayRate,
                                                      sourceRadius: radius, sourcesMin: sourcesMin, sourcesMax: sourcesMax,
                                                      strengthMin: strengthMin)
        } catch { throw ScenarioError(file: path, message: "[problem]: \(error)") }
        var settings = SurrogateTrainingSettings()
        settings.channels = channels
        settings.poolFactors = poolFactors
        settings.convolutionsPerBlock = convolutions
        settings.kernel = kernel
        settings.leakySlope = slope
        settings.output = outputLayer
        settings.epochs = epochs
        settings.batchSize = batchSize
        settings.loss = loss
        settings.sourceWeight = sourceWeight
        settings.learningRate = learningRate
        settings.decay = decay
        settings.patience = patience
        settings.checkpointEvery = checkpointEvery
        settings.validationFraction = validationFraction
        settings.trainingSamples = trainingSamples
        settings.timeLimitMinutes = timeLimit
        settings.seed = UInt64(seed)
        do { _ = try settings.spec(size: n) } catch {
            throw ScenarioError(file: path, message: "[network] does not fit problem.lattice_size = \(n): \(error)")
        }

        var s = SurrogateScenario(
            configPath: path, seed: UInt64(seed), problem: parameters, trainPath: trainPath, samples: samples,
            testPath: testPath, testSamples: testSamples, testSeed: UInt64(testSeed), blockSize: blockSize,
            training: settings, curveFractions: fractions, curveSeeds: curveSeeds, curveEpochs: curveEpochs,
            curveOutput: curveOutput, modelPath: modelPath, checkpointPath: checkpointPath, resolvedTOML: "")
        s.resolvedTOML = resolvedSurrogateTOML(s)
        return s
    }

    static func resolvedSurrogateTOML(_ s: SurrogateScenario) -> String {
        func table(_ pairs: [(String, TOMLValue)]) -> TOMLValue {
            var t = TOMLTable()
            for (k, v) in pairs { t.set(k, v) }
            return TOMLValue(.table(t))
        }
        func int(_ x: Int) -> TOMLValue { TOMLValue(.integer(Int64(x))) }
        func str(_ x: String) -> TOMLValue { TOMLValue(.string(x)) }
        func float(_ x: Double) -> TOMLValue { TOMLValue(.float(x)) }
        func ints(_ x: [Int]) -> TOMLValue { TOMLValue(.array(x.map(int))) }
        let p = s.problem, t = s.training
        var root = TOMLTable()
        root.set("run", table([("seed", TOMLValue(.integer(Int64(s.seed))))]))
        root.set("problem", table([
            ("lattice_size", int(p.latticeSize)), ("diffusivity", float(p.diffusivity)), ("decay_rate", float(p.decayRate)),
            ("source_radius", float(p.sourceRadius)), ("sources_min", int(p.sourcesMin)), ("sources_max", int(p.sourcesMax)),
            ("strength_min", float(p.strengthMin)),
        ]))
        root.set("data", table([
            ("train", str(s.trainPath)), ("samples", int(s.samples)), ("test", str(s.testPath)),
            ("test_samples", int(s.testSamples)), ("test_seed", TOMLValue(.integer(Int64(s.testSeed)))),
            ("block_size", int(s.blockSize)),
        ]))
        root.set("network", table([
            ("channels", ints(t.channels)), ("pool_factors", ints(t.poolFactors)),
            ("convolutions_per_block", int(t.convolutionsPerBlock)), ("kernel", int(t.kernel)), ("leaky_slope", float(t.leakySlope)),
            ("output", str(t.output.rawValue)),
        ]))
        root.set("training", table([
            ("epochs", int(t.epochs)), ("batch_size", int(t.batchSize)), ("loss", str(t.loss.rawValue)),
            ("source_weight", float(t.sourceWeight)), ("learning_rate", float(t.learningRate)), ("decay", float(t.decay)),
            ("patience", int(t.patience)), ("checkpoint_every", int(t.checkpointEvery)),
            ("validation_fraction", float(t.validationFraction)), ("training_samples", int(t.trainingSamples)),
            ("time_limit_minutes", float(t.timeLimitMinutes)),
        ]))
        root.set("learning_curve", table([
            ("fractions", TOMLValue(.array(s.curveFractions.map(float)))),
            ("seeds", TOMLValue(.array(s.curveSeeds.map { TOMLValue(.integer(Int64($0))) }))),
            ("epochs", int(s.curveEpochs)), ("output", str(s.curveOutput)),
        ]))
        root.set("output", table([("model", str(s.modelPath)), ("checkpoint", str(s.checkpointPath))]))
        return TOMLSerializer.serialize(root, headerComment: """
            Resolved TissueTransport surrogate config \(s.configPath): defaults explicit, overrides applied.
            Data sets, models and checkpoints are written relative to the working directory.
            """)
    }
}
