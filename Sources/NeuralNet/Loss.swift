import Foundation

/// Training loss over a batch of predictions ŷ and targets y (all output columns of all rows).
///
/// Values are means over the `n` elements; the gradient is that of the mean, ∂L/∂ŷᵢ:
/// - `.mape`: 100 · mean(|ŷ − y| / max(|y|, ε)), ε = 1e-7 (Keras' `mean_absolute_percentage_error`);
///   ∂L/∂ŷᵢ = 100 · sign(ŷᵢ − yᵢ) / (max(|yᵢ|, ε) · n).
/// - `.mse`: mean((ŷ − y)²); ∂L/∂ŷᵢ = 2 (ŷᵢ − yᵢ)/n.
/// - `.mae`: mean|ŷ − y|; ∂L/∂ŷᵢ = sign(ŷᵢ − yᵢ)/n.
/// sign(0) = 0, as in TensorFlow.
public enum Loss: String, Sendable, CaseIterable {
    case mape
    case mse
    case mae

    /// Guard on |y| in the MAPE denominator (Keras' `backend.epsilon()`).
    public static let mapeEpsilon = 1e-7

    /// Mean loss over `count` elements (accumulated in Double); if `gradient` is non-nil,
    /// writes ∂L/∂ŷ (of the mean) into it.
    @inlinable
    public func evaluate<T: BLASScalar>(predictions: UnsafePointer<T>, targets: UnsafePointer<T>, count: Int,
                                        gradient: UnsafeMutablePointer<T>?) -> Double {
        guard count > 0 else { return 0 }
        var sum = 0.0
        let invN = 1 / Double(count)
        switch self {
        case .mape:
            let eps = T(Self.mapeEpsilon)
            let scale = T(100 * invN)
            var i = 0
            while i < count {
                let d = predictions[i] - targets[i]
                let denom = Swift.max(Swift.abs(targets[i]), eps)
                sum += Double(Swift.abs(d) / denom)
                if let gradient {
                    gradient[i] = d > 0 ? scale / denom : (d < 0 ? -scale / denom : 0)
                }
                i &+= 1
            }
            return 100 * sum * invN
        case .mse:
            let scale = T(2 * invN)
            var i = 0
            while i < count {
                let d = predictions[i] - targets[i]
                sum += Double(d) * Double(d)
                if let gradient { gradient[i] = scale * d }
                i &+= 1
            }
            return sum * invN
        case .mae:
            let scale = T(invN)
            var i = 0
            while i < count {
                let d = predictions[i] - targets[i]
                sum += Double(Swift.abs(d))
                if let gradient { gradient[i] = d > 0 ? scale : (d < 0 ? -scale : 0) }
                i &+= 1
            }
            return sum * invN
        }
    }

    /// Weighted mean loss (1/n) Σ wᵢ ℓᵢ(ŷᵢ, yᵢ) with ℓ the per-element term above (MAPE in percent);
    /// if `gradient` is non-nil, writes ∂L/∂ŷᵢ = wᵢ ℓ'ᵢ / n. Used for source-weighted losses.
    @inlinable
    public func evaluate<T: BLASScalar>(predictions: UnsafePointer<T>, targets: UnsafePointer<T>, weights: UnsafePointer<T>,
                                        count: Int, gradient: UnsafeMutablePointer<T>?) -> Double {
        guard count > 0 else { return 0 }
        var sum = 0.0
        let invN = 1 / Double(count)
        var i = 0
        switch self {
        case .mape:
            let eps = T(Self.mapeEpsilon)
            let scale = T(100 * invN)
            while i < count {
                let d = predictions[i] - targets[i], w = weights[i]
                let denom = Swift.max(Swift.abs(targets[i]), eps)
                sum += Double(w * Swift.abs(d) / denom)
                if let gradient { gradient[i] = d > 0 ? w * scale / denom : (d < 0 ? -w * scale / denom : 0) }
                i &+= 1
            }
            return 100 * sum * invN
        case .mse:
            let scale = T(2 * invN)
            while i < count {
                let d = predictions[i] - targets[i], w = weights[i]
                sum += Double(w) * Double(d) * Double(d)
                if let gradient { gradient[i] = scale * w * d }
                i &+= 1
            }
            return sum * invN
        case .mae:
            let scale = T(invN)
            while i < count {
                let d = predictions[i] - targets[i], w = weights[i]
                sum += Double(w * Swift.abs(d))
                if let gradient { gradient[i] = d > 0 ? w * scale : (d < 0 ? -w * scale : 0) }
                i &+= 1
            }
            return sum * invN
        }
    }

    /// Mean loss of `predictions` against `targets` (same count).
    public func value<T: BLASScalar>(predictions: [T], targets: [T]) throws -> Double {
        try Self.checkCounts(predictions.count, targets.count)
        return predictions.withUnsafeBufferPointer { p in
            targets.withUnsafeBufferPointer { t in
                evaluate(predictions: p.baseAddress!, targets: t.baseAddress!, count: p.count, gradient: nil)
            }
        }
    }

    /// Mean loss and ∂L/∂ŷ.
    public func valueAndGradient<T: BLASScalar>(predictions: [T], targets: [T]) throws -> (loss: Double, gradient: [T]) {
        try Self.checkCounts(predictions.count, targets.count)
        var gradient = [T](repeating: 0, count: predictions.count)
        let loss = predictions.withUnsafeBufferPointer { p in
            targets.withUnsafeBufferPointer { t in
                gradient.withUnsafeMutableBufferPointer { g in
                    evaluate(predictions: p.baseAddress!, targets: t.baseAddress!, count: p.count, gradient: g.baseAddress!)
                }
            }
        }
        return (loss, gradient)
    }

    private static func checkCounts(_ p: Int, _ t: Int) throws {
        guard p == t, p > 0 else {
            throw NeuralNetError.shape("loss needs as many targets as predictions (> 0), got \(p) predictions and \(t) targets")
        }
    }
}
