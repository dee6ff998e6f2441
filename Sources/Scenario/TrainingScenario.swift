import Config
import Closure
import NeuralNet

/// A validated `tissue train` configuration (e.g. `examples/train-reference.toml`):
///
/// ```toml
/// [run]      seed = 1
/// [data]     file = "…csv" | "….h5" | ["main.h5", "supplement.h5"];  validation_fraction = 0.05
/// [network]  features = ["porosity", …];  hidden = [1024, 512, 256, 64, 16]
///            activation = "relu";  initialization = "glorot_uniform"
/// [training] epochs = 400;  batch_size = 256;  loss = "mape";  learning_rate = 1e-3
///            decay = 1.0 (per-epoch factor);  patience = 40;  checkpoint_every = 5
/// [output]   model = "models/eta-mlp.h5";  checkpoint = "results/eta-mlp.checkpoint.h5"
/// ```
/// `data.file` is relative to the config's directory; outputs to the working directory. An array of
/// files is trained on as one set (`TrainingSet.concatenated`: each file keeps its own test split).
public struct TrainingScenario: Sendable, Equatable {
    /// Limits on `network.hidden`: the reference network has 5 hidden layers and 680 801 parameters.
    public static let maximumHiddenLayers = 64
    public static let maximumParameters = 50_000_000
    public var configPath: String
    public var seed: UInt64
    /// The training data, one or more files (resolved paths).
    public var dataPaths: [String]
    public var validationFraction: Double
    public var features: [EffectivenessFeature]
    public var hidden: [Int]
    public var activation: Activation
    public var initialization: WeightInitialization
    public var epochs: Int
    public var batchSize: Int
    public var loss: Loss
    public var learningRate: Double
    /// Per-epoch learning-rate factor (1 = constant).
    public var decay: Double
    public var patience: Int
    public var checkpointEvery: Int
    public var modelPath: String
    public var checkpointPath: String
    public var resolvedTOML: String
    /// Tables and keys of the file that training does not read.
    public var warnings: [String] = []
}

extension ScenarioLoader {
    /// Loads and validates a training configuration; all problems are reported together.
    public static func loadTraining(path: String, overrides: [String] = [], unset: [String] = []) throws -> TrainingScenario {
        let text = try Paths.read(path, what: "the training config", reportAs: path)
        let (sections, diagnostics) = try ScenarioLoader.sections(of: text, path: path, schema: Schema.training, overrides: overrides,
                                                                  unset: unset)
        let directory = Paths.directory(of: path)

        let seed = SectionReader(sections["run"], diagnostics).integer("seed")
        let data = SectionReader(sections["data"], diagnostics)
        let dataFiles = readDataFiles(data)
        let validationFraction = data.quantity("validation_fraction")

        let network = SectionReader(sections["network"], diagnostics)
        let features = readFeatures(network)
        let hidden = readHidden(network)
        let activation = network.choice("activation", Activation.self)
        let initialization = network.choice("initialization", WeightInitialization.self)

        let training = SectionReader(sections["training"], diagnostics)
        let epochs = training.integer("epochs")
        let batchSize = training.integer("batch_size")
        let loss = training.choice("loss", Loss.self)
        let learningRate = training.quantity("learning_rate")
        let decay = training.quantity("decay")
        let patience = training.integer("patience")
        let checkpointEvery = training.integer("checkpoint_every")

        let output = SectionReader(sections["output"], diagnostics)
        let stem = Paths.stem(path)
        let modelPath = output.string("model", default: "models/\(stem).h5", nonEmpty: true)
        let checkpointPath = output.string("checkpoint", default: "results/\(stem).checkpoint.h5", nonEmpty: true)

        try diagnostics.throwIfAny()
        guard let seed, let dataFiles, let validationFraction, let features, let hidden, let activation, let initialization,
              let epochs, let batchSize, let loss, let learningRate, let decay, let patience, let checkpointEvery,
              let modelPath, let checkpointPath
        else { throw ScenarioError(file: path, message: "invalid training configuration") }

        var s = TrainingScenario(
            configPath: path, seed: UInt64(seed), dataPaths: dataFiles.map { Paths.resolve($0, relativeTo: directory) },
            validationFraction: validationFraction, features: features, hidden: hidden, activation: activation,
            initialization: initialization, epochs: epochs, batchSize: batchSize, loss: loss, learningRate: learningRate,
            decay: decay, patience: patience, checkpointEvery: checkpointEvery, modelPath: modelPath,
            checkpointPath: checkpointPath, resolvedTOML: "")
        s.warnings = sections.warnings()
        s.resolvedTOML = sections.record.toml(header: """
            Resolved TissueTransport training config \(s.configPath): defaults explicit, overrides applied.
            data.file is relative to the config's directory; output paths to the working directory.
            """)
        return s
    }
    /// data.file: one file name or a non-empty array of them (recorded as given).
    private static func readDataFiles(_ data: SectionReader) -> [String]? {
        var dataFiles: [String]?
        if let v = data.raw("file", required: true) {
            let items = v.value.arrayValue.map { $0.compactMap(\.stringValue) } ?? v.value.stringValue.map { [$0] }
            if let items, !items.isEmpty, items.count == (v.value.arrayValue?.count ?? 1),
               items.allSatisfy({ !$0.trimmingBlanks().isEmpty }) {
                dataFiles = items
                data.record("file", items.count == 1
                            ? TOMLValue(.string(items[0])) : TOMLValue(.array(items.map { TOMLValue(.string($0)) })))
            } else {
                data.report(v, "data.file must be a file name or a non-empty array of file names, got \(v.value.typeDescription) (\(TOMLSerializer.inline(v.value)))")
            }
        }
        return dataFiles
    }

    /// network.features: distinct feature names (default: all), recorded sorted by feature order.
    private static func readFeatures(_ network: SectionReader) -> [EffectivenessFeature]? {
        var features: [EffectivenessFeature]? = EffectivenessFeature.allCases
        if let v = network.raw("features", required: false) {
            features = nil
            if let items = v.value.arrayValue, !items.isEmpty {
                var chosen: [EffectivenessFeature] = []
                for item in items {
                    let name = item.stringValue ?? ""
                    if let f = EffectivenessFeature(name: name), !chosen.contains(f) {
                        chosen.append(f)
                    } else {
                        let hint = DidYouMean.suggestion(for: name, among: EffectivenessFeature.names).map { " (did you mean \"\($0)\"?)" } ?? ""
                        network.report(v, line: v.line(of: item),
                                       "network.features: \(TOMLSerializer.inline(item)) is not a feature name, or is repeated; expected some of \(EffectivenessFeature.names)\(hint)")
                    }
                }
                if chosen.count == items.count { features = chosen.sorted { $0.rawValue < $1.rawValue } }
            } else {
                network.report(v, "network.features must be a non-empty array of feature names \(EffectivenessFeature.names)")
            }
        }
        if let features { network.record("features", TOMLValue(.array(features.map { TOMLValue(.string($0.name)) }))) }
        return features
    }

    /// network.hidden: widths within the layer and parameter limits.
    private static func readHidden(_ network: SectionReader) -> [Int]? {
        var hidden = network.integers("hidden", atLeast: 1, atMost: 16384)?.map { Int($0) }
        if let widths = hidden {
            // 6 inputs (the most), one output; weights + biases, float32, ×4 with Adam's moments and gradients.
            let sizes = [EffectivenessFeature.count] + widths + [1]
            let parameters = zip(sizes, sizes.dropFirst()).reduce(0) { $0 + ($1.0 + 1) * $1.1 }
            if widths.count > TrainingScenario.maximumHiddenLayers || parameters > TrainingScenario.maximumParameters,
               let v = network.section["hidden"] {
                network.report(v, "network.hidden \(widths) gives \(widths.count) hidden layers and \(parameters) parameters; at most \(TrainingScenario.maximumHiddenLayers) layers and \(TrainingScenario.maximumParameters) parameters (\(TrainingScenario.maximumParameters * 16 / 1_000_000) MB of weights, gradients and Adam moments) are allowed")
                hidden = nil
            }
        }
        return hidden
    }
}
