import Foundation

/// Learning rate as a function of the (0-based) epoch.
public enum LearningRateSchedule: Sendable, Equatable, CustomStringConvertible {
    /// lr₀.
    case constant
    /// lr₀ · rate^epoch.
    case exponential(rate: Double)
    /// lr₀ · factor^⌊epoch / every⌋.
    case step(factor: Double, every: Int)

    public func learningRate(initial: Double, epoch: Int) -> Double {
        switch self {
        case .constant: return initial
        case .exponential(let rate): return initial * Foundation.pow(rate, Double(epoch))
        case .step(let factor, let every): return initial * Foundation.pow(factor, Double(epoch / Swift.max(1, every)))
        }
    }

    public var description: String {
        switch self {
        case .constant: return "constant"
        case .exponential(let rate): return "exponential(rate: \(rate))"
        case .step(let factor, let every): return "step(factor: \(factor), every: \(every))"
        }
    }

    /// Throws unless the parameters are usable (positive finite rate or factor, interval ≥ 1).
    public func validate() throws {
        switch self {
        case .constant: return
        case .exponential(let rate):
            guard rate > 0, rate.isFinite else { throw NeuralNetError.settings("exponential decay rate must be positive, got \(rate)") }
        case .step(let factor, let every):
            guard factor > 0, factor.isFinite else { throw NeuralNetError.settings("step decay factor must be positive, got \(factor)") }
            guard every >= 1 else { throw NeuralNetError.settings("step decay interval must be ≥ 1 epoch, got \(every)") }
        }
    }
}

/// Adam (Kingma & Ba 2015) as in Keras: with t the step count,
///   m ← β₁ m + (1 − β₁) g,  v ← β₂ v + (1 − β₂) g²,
///   θ ← θ − α m / (√v + ε),  α = lr · √(1 − β₂ᵗ) / (1 − β₁ᵗ).
/// First and second moments are kept per parameter tensor (W₀, b₀, W₁, b₁, … concatenated;
/// see `tensorSizes`). Arithmetic in T, the bias-corrected step size in Double.
public struct Adam<T: BLASScalar>: Sendable, Equatable {
    public var learningRate: Double
    public let beta1: Double
    public let beta2: Double
    public let epsilon: Double
    public let tensorSizes: [Int]
    @usableFromInline var _step: Int
    @usableFromInline var _firstMoment: [T]
    @usableFromInline var _secondMoment: [T]

    /// Number of updates applied so far.
    public var step: Int { _step }
    /// m, all tensors concatenated.
    public var firstMoment: [T] { _firstMoment }
    /// v, all tensors concatenated.
    public var secondMoment: [T] { _secondMoment }

    public init(tensorSizes: [Int], learningRate: Double = 1e-3, beta1: Double = 0.9, beta2: Double = 0.999,
                epsilon: Double = 1e-7) {
        let n = tensorSizes.reduce(0, +)
        self.init(uncheckedTensorSizes: tensorSizes, learningRate: learningRate, beta1: beta1, beta2: beta2,
                  epsilon: epsilon, step: 0, firstMoment: [T](repeating: 0, count: n),
                  secondMoment: [T](repeating: 0, count: n))
    }

    /// Restores an optimiser state (e.g. from a checkpoint).
    public init(tensorSizes: [Int], learningRate: Double, beta1: Double, beta2: Double, epsilon: Double,
                step: Int, firstMoment: [T], secondMoment: [T]) throws {
        let n = tensorSizes.reduce(0, +)
        guard firstMoment.count == n, secondMoment.count == n else {
            throw NeuralNetError.shape("Adam state: \(n) parameters need as many moments, got \(firstMoment.count) and \(secondMoment.count)")
        }
        guard step >= 0 else { throw NeuralNetError.shape("Adam state: step \(step) is negative") }
        self.init(uncheckedTensorSizes: tensorSizes, learningRate: learningRate, beta1: beta1, beta2: beta2,
                  epsilon: epsilon, step: step, firstMoment: firstMoment, secondMoment: secondMoment)
    }

    private init(uncheckedTensorSizes: [Int], learningRate: Double, beta1: Double, beta2: Double, epsilon: Double,
                 step: Int, firstMoment: [T], secondMoment: [T]) {
        self.tensorSizes = uncheckedTensorSizes
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        _step = step
        _firstMoment = firstMoment
        _secondMoment = secondMoment
    }

    public var parameterCount: Int { firstMoment.count }

    /// Offset of tensor `index` in the concatenated vectors.
    public func offset(ofTensor index: Int) -> Int { tensorSizes[0..<index].reduce(0, +) }

    /// One Adam step on `parameterCount` parameters with gradient `gradient`.
    @inlinable
    public mutating func update(parameters: UnsafeMutablePointer<T>, gradient: UnsafePointer<T>) {
        _step &+= 1
        let t = Double(_step)
        let alpha = T(learningRate * (1 - Foundation.pow(beta2, t)).squareRoot() / (1 - Foundation.pow(beta1, t)))
        let b1 = T(beta1), c1 = T(1 - beta1), b2 = T(beta2), c2 = T(1 - beta2), eps = T(epsilon)
        let n = _firstMoment.count
        _firstMoment.withUnsafeMutableBufferPointer { mb in
            _secondMoment.withUnsafeMutableBufferPointer { vb in
                let m = mb.baseAddress!, v = vb.baseAddress!
                var i = 0
                while i < n {
                    let g = gradient[i]
                    let mi = b1 * m[i] + c1 * g
                    let vi = b2 * v[i] + c2 * (g * g)
                    m[i] = mi
                    v[i] = vi
                    // v ≥ 0, so |v| = v; `.magnitude` lets LLVM drop sqrtf's errno path and vectorise.
                    parameters[i] -= alpha * mi / (vi.magnitude.squareRoot() + eps)
                    i &+= 1
                }
            }
        }
    }

    /// One Adam step on a parameter vector.
    public mutating func update(_ parameters: inout [T], gradient: [T]) {
        precondition(parameters.count == parameterCount && gradient.count == parameterCount,
                     "Adam over \(parameterCount) parameters got \(parameters.count) parameters and \(gradient.count) gradients")
        parameters.withUnsafeMutableBufferPointer { p in
            gradient.withUnsafeBufferPointer { g in update(parameters: p.baseAddress!, gradient: g.baseAddress!) }
        }
    }
}
