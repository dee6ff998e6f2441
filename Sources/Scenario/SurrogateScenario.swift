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
    /// Tables and keys of the file that are not read.
    public var warnings: [String] = []
}

extension ScenarioLoader {
    /// Loads and validates a surrogate configuration; all problems are reported together, each
    /// naming the file, line, key, value and allowed range.
    public static func loadSurrogate(path: String, overrides: [String] = []) throws -> SurrogateScenario {
        let text = try Paths.read(path, what: "the surrogate config", reportAs: path)
        let (sections, diagnostics) = try ScenarioLoader.sections(of: text, path: path, schema: Schema.surrogate, overrides: overrides)
        let seed = SectionReader(sections["run"], diagnostics).integer("seed")
        let problem = readSurrogateProblem(SectionReader(sections["problem"], diagnostics))
        let data = readSurrogateData(SectionReader(sections["data"], diagnostics), seed: seed)
        let training = readSurrogateTraining(network: SectionReader(sections["network"], diagnostics),
                                             training: SectionReader(sections["training"], diagnostics))
        let curve = readLearningCurve(SectionReader(sections["learning_curve"], diagnostics))
        let output = SectionReader(sections["output"], diagnostics)
        let modelPath = output.string("model", nonEmpty: true)
        let checkpointPath = output.string("checkpoint", nonEmpty: true)

        try diagnostics.throwIfAny()
        guard let seed, let problem, let data, var settings = training, let curve, let modelPath, let checkpointPath
        else { throw ScenarioError(file: path, message: "invalid surrogate configuration") }

        let parameters: DiffusionDecayParameters
        do {
            parameters = try DiffusionDecayParameters(latticeSize: problem.n, diffusivity: problem.diffusivity,
                                                      decayRate: problem.decayRate, sourceRadius: problem.radius,
                                                      sourcesMin: problem.sourcesMin, sourcesMax: problem.sourcesMax,
                                                      strengthMin: problem.strengthMin)
        } catch { throw ScenarioError(file: path, message: "[problem]: \(error)") }
        settings.seed = UInt64(seed)
        do { _ = try settings.spec(size: problem.n) } catch {
            throw ScenarioError(file: path, message: "[network] does not fit problem.lattice_size = \(problem.n): \(error)")
        }

        var s = SurrogateScenario(
            configPath: path, seed: UInt64(seed), problem: parameters, trainPath: data.trainPath, samples: data.samples,
            testPath: data.testPath, testSamples: data.testSamples, testSeed: UInt64(data.testSeed),
            blockSize: data.blockSize, training: settings, curveFractions: curve.fractions, curveSeeds: curve.seeds,
            curveEpochs: curve.epochs, curveOutput: curve.output, modelPath: modelPath, checkpointPath: checkpointPath,
            resolvedTOML: "")
        s.warnings = sections.warnings()
        s.resolvedTOML = sections.record.toml(header: """
            Resolved TissueTransport surrogate config \(s.configPath): defaults explicit, overrides applied.
            Data sets, models and checkpoints are written relative to the working directory.
            """)
        return s
    }

    /// The keys of a surrogate config's [problem] (nil if any is missing or invalid).
    private struct SurrogateProblemKeys {
        let n: Int, diffusivity: Double, decayRate: Double, radius: Double
        let sourcesMin: Int, sourcesMax: Int, strengthMin: Double
    }

    /// Reads [problem]: the disk must fit on the lattice and sources_max be at least sources_min.
    private static func readSurrogateProblem(_ problem: SectionReader) -> SurrogateProblemKeys? {
        let n = problem.integer("lattice_size")
        let diffusivity = problem.quantity("diffusivity")
        let decayRate = problem.quantity("decay_rate")
        var radius = problem.quantity("source_radius")
        if let r = radius, let n, let v = problem.raw("source_radius", required: false), r > Double(n - 1) / 2 {
            problem.report(v, "problem.source_radius = \(r) is out of range: a disk must fit on the \(n) × \(n) lattice, expected 0 < source_radius <= \(Double(n - 1) / 2)")
            radius = nil
        }
        let sourcesMin = problem.integer("sources_min")
        var sourcesMax = problem.integer("sources_max")
        if let lo = sourcesMin, let hi = sourcesMax, hi < lo, let v = problem.raw("sources_max", required: false) {
            problem.report(v, "problem.sources_max = \(hi) is out of range: expected sources_max >= sources_min = \(lo)")
            sourcesMax = nil
        }
        let strengthMin = problem.quantity("strength_min")
        guard let n, let diffusivity, let decayRate, let radius, let sourcesMin, let sourcesMax, let strengthMin else { return nil }
        return SurrogateProblemKeys(n: n, diffusivity: diffusivity, decayRate: decayRate, radius: radius,
                                    sourcesMin: sourcesMin, sourcesMax: sourcesMax, strengthMin: strengthMin)
    }

    /// The keys of a surrogate config's [data] (nil if any is missing or invalid).
    private struct SurrogateDataKeys {
        let trainPath: String, samples: Int, testPath: String, testSamples: Int, testSeed: Int, blockSize: Int
    }

    /// Reads [data]; test_seed defaults to run.seed + 1000.
    private static func readSurrogateData(_ data: SectionReader, seed: Int?) -> SurrogateDataKeys? {
        let trainPath = data.string("train", nonEmpty: true)
        let samples = data.integer("samples")
        let testPath = data.string("test", nonEmpty: true)
        let testSamples = data.integer("test_samples")
        let testSeed = data.integer("test_seed", default: (seed ?? 1) + 1000)
        let blockSize = data.integer("block_size")
        guard let trainPath, let samples, let testPath, let testSamples, let testSeed, let blockSize else { return nil }
        return SurrogateDataKeys(trainPath: trainPath, samples: samples, testPath: testPath, testSamples: testSamples,
                                 testSeed: testSeed, blockSize: blockSize)
    }

    /// Reads [network] and [training] into training settings (the seed left to the caller).
    private static func readSurrogateTraining(network: SectionReader, training t: SectionReader) -> SurrogateTrainingSettings? {
        let channels = network.integers("channels", atLeast: 1, atMost: 1024)?.map { Int($0) }
        let poolFactors = network.integers("pool_factors", atLeast: 2, atMost: 64)?.map { Int($0) }
        let convolutions = network.integer("convolutions_per_block")
        let kernel = network.integer("kernel")
        let slope = network.quantity("leaky_slope")
        let outputLayer = network.choice("output", SurrogateOutput.self)
        let epochs = t.integer("epochs")
        let batchSize = t.integer("batch_size")
        let loss = t.choice("loss", SurrogateLoss.self)
        let sourceWeight = t.quantity("source_weight")
        let learningRate = t.quantity("learning_rate")
        let decay = t.quantity("decay")
        let patience = t.integer("patience")
        let checkpointEvery = t.integer("checkpoint_every")
        let validationFraction = t.quantity("validation_fraction")
        let trainingSamples = t.integer("training_samples")
        let timeLimit = t.quantity("time_limit_minutes")
        guard let channels, let poolFactors, let convolutions, let kernel, let slope, let outputLayer,
              let epochs, let batchSize, let loss, let sourceWeight, let learningRate, let decay, let patience,
              let checkpointEvery, let validationFraction, let trainingSamples, let timeLimit else { return nil }
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
        return settings
    }

    /// Reads [learning_curve]; fractions default to 1/16 … 1 (recorded in the resolved config).
    private static func readLearningCurve(_ curve: SectionReader)
        -> (fractions: [Double], seeds: [UInt64], epochs: Int, output: String)?
    {
        var fractions: [Double]? = [0.0625, 0.125, 0.25, 0.5, 1]
        if curve.isPresent("fractions") {
            fractions = curve.quantityArray("fractions")?.values
        } else {
            curve.record("fractions", TOMLValue(.array(fractions!.map { TOMLValue(.float($0)) })))
        }
        let seeds = curve.integers("seeds", atLeast: 0)?.map { UInt64($0) }
        let epochs = curve.integer("epochs")
        let output = curve.string("output", nonEmpty: true)
        guard let fractions, let seeds, let epochs, let output else { return nil }
        return (fractions, seeds, epochs, output)
    }
}
