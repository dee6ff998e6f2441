import HDF5Kit

/// Min–max feature scaling x̂ = (x − min)/(max − min), fitted on training rows only.
/// Inputs outside [min, max] are clamped to it before scaling.
public struct MinMaxScaler: Sendable, Equatable {
    public var minimum: [Double]
    public var maximum: [Double]

    public init(minimum: [Double], maximum: [Double]) throws {
        guard minimum.count == maximum.count, !minimum.isEmpty else {
            throw NeuralNetError.shape("scaler: \(minimum.count) minima but \(maximum.count) maxima")
        }
        for k in 0..<minimum.count where !(maximum[k] >= minimum[k]) || !minimum[k].isFinite || !maximum[k].isFinite {
            throw NeuralNetError.shape("scaler: feature \(k) has min \(minimum[k]) > max \(maximum[k]) or a non-finite bound")
        }
        self.minimum = minimum
        self.maximum = maximum
    }

    /// Fits the scaler to the columns of a row-major `rows × width` table.
    public init(fitting values: [Double], width: Int) throws {
        guard width > 0, !values.isEmpty, values.count % width == 0 else {
            throw NeuralNetError.shape("scaler: \(values.count) values do not form rows of \(width)")
        }
        var lo = [Double](repeating: .infinity, count: width)
        var hi = [Double](repeating: -.infinity, count: width)
        for (i, v) in values.enumerated() {
            let k = i % width
            lo[k] = Swift.min(lo[k], v)
            hi[k] = Swift.max(hi[k], v)
        }
        try self.init(minimum: lo, maximum: hi)
    }

    public var width: Int { minimum.count }

    /// 1/(max − min) for feature k (0 for a constant feature, which carries no information).
    public func inverseRange(_ k: Int) -> Double {
        let r = maximum[k] - minimum[k]
        return r > 0 ? 1 / r : 0
    }

    /// Clamps every value of a row-major `rows × width` table into [min, max] of its column and
    /// scales it to [0, 1]. Returns the scaled table, which entries were clamped, and how many per
    /// column. Throws on a non-finite value, naming its row and column.
    public func transform<T: BLASScalar>(_ values: [Double], as: T.Type = T.self) throws
        -> (scaled: [T], clamped: [Bool], clampedCounts: [Int])
    {
        let w = width
        guard values.count % w == 0 else {
            throw NeuralNetError.shape("\(values.count) values do not form rows of \(w) features")
        }
        var scaled = [T](repeating: 0, count: values.count)
        var clamped = [Bool](repeating: false, count: values.count)
        var counts = [Int](repeating: 0, count: w)
        for idx in 0..<values.count {
            let k = idx % w
            let raw = values[idx]
            guard raw.isFinite else {
                throw NeuralNetError.shape("feature \(k) of row \(idx / w) is not finite (\(raw))")
            }
            let v = Swift.min(Swift.max(raw, minimum[k]), maximum[k])
            if v != raw { clamped[idx] = true; counts[k] += 1 }
            scaled[idx] = T((v - minimum[k]) * inverseRange(k))
        }
        return (scaled, clamped, counts)
    }
}

/// A trained network with its scaler and feature names: the `model` file of DESIGN §5.
///
/// Layout: `/model/layers/K/W` (out × in), `/model/layers/K/b`, `/model/activation`,
/// `/model/normalization/min|max`, `/model/feature_names`, `/model/training/*`.
public struct ModelFile: Sendable {
    public static let kind = "model"

    public var network: DenseNetwork<Float>
    public var scaler: MinMaxScaler
    public var featureNames: [String]
    /// Scalar training metadata (data hash, epochs, losses, metrics), stored as attributes of `/model/training`.
    public var trainingAttributes: [String: String]
    public var trainingNumbers: [String: Double]
    /// Loss per epoch (`/model/training/train_loss`, `validation_loss`); empty in files written before it was kept.
    public var trainingHistory = TrainingHistory()

    public init(network: DenseNetwork<Float>, scaler: MinMaxScaler, featureNames: [String],
                trainingAttributes: [String: String] = [:], trainingNumbers: [String: Double] = [:]) throws {
        guard scaler.width == network.inputWidth, featureNames.count == network.inputWidth else {
            throw NeuralNetError.shape("model: network takes \(network.inputWidth) inputs, scaler has \(scaler.width), \(featureNames.count) feature names")
        }
        self.network = network
        self.scaler = scaler
        self.featureNames = featureNames
        self.trainingAttributes = trainingAttributes
        self.trainingNumbers = trainingNumbers
    }

    /// Writes the model into an open file (the caller writes the root header).
    public func write(to file: HDF5File) throws {
        let model = try file.root.createGroup("model")
        let layers = try model.createGroup("layers")
        for (k, layer) in network.layers.enumerated() {
            let g = try layers.createGroup(String(k))
            try g.write("W", layer.weights, shape: [layer.outputs, layer.inputs], units: "1",
                        longName: "weights of dense layer \(k) (outputs × inputs)")
            try g.write("b", layer.bias, units: "1", longName: "biases of dense layer \(k)")
        }
        try model.writeStrings("activation", [network.activation.rawValue],
                               longName: "hidden-layer activation (output layer is linear)")
        let norm = try model.createGroup("normalization")
        try norm.write("min", scaler.minimum, units: "1", longName: "feature minimum over the training rows")
        try norm.write("max", scaler.maximum, units: "1", longName: "feature maximum over the training rows")
        try model.writeStrings("feature_names", featureNames, longName: "input features, in order")
        let training = try model.createGroup("training")
        for (key, value) in trainingAttributes.sorted(by: { $0.key < $1.key }) { try training.setAttribute(key, value) }
        for (key, value) in trainingNumbers.sorted(by: { $0.key < $1.key }) { try training.setAttribute(key, value) }
        if trainingHistory.count > 0 {
            try training.write("train_loss", trainingHistory.trainLoss, units: "1", longName: "mean training loss per epoch")
            try training.write("validation_loss", trainingHistory.validationLoss, units: "1", longName: "validation loss per epoch")
        }
    }

    /// Reads and checks a model file: kind, layer shapes, activation, scaler and names.
    public static func read(path: String) throws -> ModelFile {
        let file = try HDF5File.open(path)
        defer { try? file.close() }
        try FileHeader.read(from: file, expecting: kind)
        let model = try file.root.group("model")
        let layersGroup = try model.group("layers")
        let names = try layersGroup.childNames()
        let indices = names.compactMap(Int.init).sorted()
        guard !indices.isEmpty, indices == Array(0..<indices.count), indices.count == names.count else {
            throw NeuralNetError.file("\(path): /model/layers must hold groups 0, 1, …, found \(names)")
        }
        var layers: [DenseLayer<Float>] = []
        for k in indices {
            let g = try layersGroup.group(String(k))
            let w = try g.dataset("W")
            let shape = w.shape
            guard shape.count == 2 else {
                throw NeuralNetError.file("\(path): /model/layers/\(k)/W must be 2-D (outputs × inputs), has shape \(shape)")
            }
            do {
                layers.append(try DenseLayer(inputs: shape[1], outputs: shape[0],
                                             weights: try w.read(Float.self), bias: try g.dataset("b").read(Float.self)))
            } catch let e as NeuralNetError {
                throw NeuralNetError.file("\(path): /model/layers/\(k): \(e)")
            }
        }
        let activationName = try model.dataset("activation").readStrings().first ?? ""
        guard let activation = Activation(rawValue: activationName) else {
            throw NeuralNetError.file("\(path): /model/activation '\(activationName)' is not one of \(Activation.allCases.map(\.rawValue))")
        }
        let network: DenseNetwork<Float>
        do { network = try DenseNetwork(layers: layers, activation: activation) } catch let e as NeuralNetError {
            throw NeuralNetError.file("\(path): \(e)")
        }
        let minimum = try model.dataset("normalization/min").read(Double.self)
        let maximum = try model.dataset("normalization/max").read(Double.self)
        let featureNames = try model.dataset("feature_names").readStrings()
        var attributes: [String: String] = [:]
        var numbers: [String: Double] = [:]
        var history = TrainingHistory()
        if model.contains("training") {
            let training = try model.group("training")
            for name in try training.attributeNames() {
                if let s = try? training.stringAttribute(name) { attributes[name] = s }
                else if let d = try? training.doubleAttribute(name) { numbers[name] = d }
            }
            if training.contains("train_loss") && training.contains("validation_loss") {
                history.trainLoss = try training.dataset("train_loss").read(Double.self)
                history.validationLoss = try training.dataset("validation_loss").read(Double.self)
            }
        }
        do {
            var file = try ModelFile(network: network, scaler: try MinMaxScaler(minimum: minimum, maximum: maximum),
                                     featureNames: featureNames, trainingAttributes: attributes, trainingNumbers: numbers)
            file.trainingHistory = history
            return file
        } catch let e as NeuralNetError {
            throw NeuralNetError.file("\(path): \(e)")
        }
    }
}
