import NeuralNet

/// η from a trained multilayer perceptron (`model` HDF5 file, DESIGN §5).
///
/// Each feature is clamped to the training range [min, max] stored in the file (the
/// reference did the same: both tissues' porosity lies below the training minimum) and
/// scaled to [0, 1]; the network runs batched through OpenBLAS in the chosen precision.
/// Sensitivities ∂η/∂f come from forward-mode tangents in the same GEMMs; a clamped input
/// has zero sensitivity. Negative outputs are raised to 0 and counted.
public struct MLPClosure: EffectivenessClosure {
    public enum Precision: String, Sendable, CaseIterable { case float32, float64 }

    public let path: String
    public let model: ModelFile
    public let precision: Precision
    private let network64: DenseNetwork<Double>?

    public init(path: String, precision: Precision = .float32) throws {
        let model = try ModelFile.read(path: path)
        try self.init(model: model, path: path, precision: precision)
    }

    public init(model: ModelFile, path: String = "(in memory)", precision: Precision = .float32) throws {
        guard model.featureNames == EffectivenessFeature.names else {
            throw ClosureError.featureMismatch(file: path, found: model.featureNames, expected: EffectivenessFeature.names)
        }
        guard model.network.outputWidth == 1 else {
            throw NeuralNetError.file("\(path): the η network must have one output, has \(model.network.outputWidth)")
        }
        self.path = path
        self.model = model
        self.precision = precision
        self.network64 = precision == .float64 ? model.network.converted(to: Double.self) : nil
    }

    /// Parameter features (porosity, φ², Pe, Dr: fixed by the tissue) beyond
    /// [min − l·(max − min), max + l·(max − min)] are refused instead of clamped (l = 0.25; the
    /// liver's porosity, 16 % of the width below the training minimum, is clamped as the reference
    /// did). State features (⟨c⟩/Ka, the gradient) are clamped and counted: a transient front from
    /// c = 0 passes far beyond the training gradients for a few steps.
    public static let extrapolationLimit = 0.25

    /// Values beyond [min − l·(max − min), max + l·(max − min)] of the training range,
    /// l = `extrapolationLimit`.
    public func farOutsideValidRange(_ batch: FeatureBatch, features: [EffectivenessFeature]) -> FeatureExcursion? {
        let scaler = model.scaler
        for feature in features {
            let k = feature.rawValue
            let lo = scaler.minimum[k], hi = scaler.maximum[k], margin = Self.extrapolationLimit * (hi - lo)
            for i in 0..<batch.rows {
                let v = batch[i, feature]
                if v < lo - margin || v > hi + margin {
                    return FeatureExcursion(row: i, feature: feature, value: v, minimum: lo, maximum: hi)
                }
            }
        }
        return nil
    }

    public var trainingRange: [ClosedRange<Double>]? {
        EffectivenessFeature.allCases.map { model.scaler.minimum[$0.rawValue]...model.scaler.maximum[$0.rawValue] }
    }

    public var summary: String {
        "MLP \(path) (\(model.network.widths.map(String.init).joined(separator: "→")), \(model.network.activation.rawValue), \(precision.rawValue))"
    }
    public var dependsOnState: Bool { true }

    public func evaluate(_ batch: FeatureBatch, sensitivities: [EffectivenessFeature]) throws -> ClosureEvaluation {
        switch precision {
        case .float32: return try evaluate(batch, sensitivities: sensitivities, network: model.network)
        case .float64: return try evaluate(batch, sensitivities: sensitivities, network: network64!)
        }
    }

    private func evaluate<T: BLASScalar>(_ batch: FeatureBatch, sensitivities: [EffectivenessFeature],
                                         network: DenseNetwork<T>) throws -> ClosureEvaluation {
        let width = EffectivenessFeature.count
        let rows = batch.rows
        let scaler = model.scaler
        let scaled: [T], clampedMask: [Bool], clampedCounts: [Int]
        do {
            (scaled, clampedMask, clampedCounts) = try scaler.transform(batch.values, as: T.self)
        } catch {
            let bad = batch.values.firstIndex { !$0.isFinite } ?? 0
            throw ClosureError.invalidFeature(row: bad / width, feature: EffectivenessFeature(rawValue: bad % width)!,
                                              value: batch.values[bad])
        }
        let refused = (0..<width).filter { clampedCounts[$0] > 0 && !EffectivenessFeature(rawValue: $0)!.isState }
        if !refused.isEmpty, let e = farOutsideValidRange(batch, features: refused.map { EffectivenessFeature(rawValue: $0)! }) {
            throw ClosureError.farOutsideTrainingRange(row: e.row, feature: e.feature, value: e.value,
                                                       minimum: e.minimum, maximum: e.maximum)
        }
        let tangents: [[T]] = sensitivities.map { feature in
            let k = feature.rawValue
            let d = T(scaler.inverseRange(k))
            var t = [T](repeating: 0, count: rows * width)
            for i in 0..<rows where !clampedMask[i * width + k] { t[i * width + k] = d }
            return t
        }
        let (out, dOut) = try network.forward(scaled, rows: rows, inputTangents: tangents)
        var eta = [Double](repeating: 0, count: rows)
        var derivatives = dOut.map { $0.map(Double.init) }
        var clampedOutputs = 0
        for i in 0..<rows {
            let v = Double(out[i])
            guard v.isFinite else { throw ClosureError.nonFiniteOutput(row: i) }
            if v < 0 {
                clampedOutputs += 1
                for s in 0..<derivatives.count { derivatives[s][i] = 0 }
            }
            eta[i] = max(v, 0)
        }
        return ClosureEvaluation(eta: eta, sensitivities: derivatives,
                                 clampedCounts: clampedCounts, clampedOutputs: clampedOutputs)
    }
}
