import Numerics

/// η ≡ constant.
public struct ConstantClosure: EffectivenessClosure {
    public let eta: Double

    public init(eta: Double) { self.eta = eta }

    public var summary: String { "constant η = \(eta)" }
    public var dependsOnState: Bool { false }

    public func evaluate(_ batch: FeatureBatch, sensitivities: [EffectivenessFeature]) throws -> ClosureEvaluation {
        let n = batch.rows
        return ClosureEvaluation(eta: Array(repeating: eta, count: n),
                                 sensitivities: sensitivities.map { _ in Array(repeating: 0, count: n) })
    }
}

/// First-order kinetics in a single cylindrical cell in a uniform bath:
/// η = 2 I₁(φ) / (φ I₀(φ)), φ = √(φ²) (η → 1 as φ → 0). Independent of ⟨c⟩: the
/// c → 0 limit of Michaelis–Menten uptake, for tests and comparisons.
public struct CylinderClosure: EffectivenessClosure {
    public init() {}

    public var summary: String { "analytic first-order cylinder η = 2 I₁(φ)/(φ I₀(φ))" }
    public var dependsOnState: Bool { false }

    /// η(φ) for one Thiele modulus φ ≥ 0.
    public static func effectivenessFactor(thieleModulus phi: Double) -> Double {
        if phi < 1e-4 { return 1 - phi * phi / 8 }   // series: 1 − φ²/8 + φ⁴/48 …
        return 2 * ModifiedBessel.ratioI1I0(phi) / phi
    }

    public func evaluate(_ batch: FeatureBatch, sensitivities: [EffectivenessFeature]) throws -> ClosureEvaluation {
        let n = batch.rows
        var eta = [Double](repeating: 0, count: n)
        for i in 0..<n {
            let phi2 = batch[i, .thieleModulusSquared]
            guard phi2 >= 0, phi2.isFinite else { throw ClosureError.invalidFeature(row: i, feature: .thieleModulusSquared, value: phi2) }
            eta[i] = Self.effectivenessFactor(thieleModulus: phi2.squareRoot())
        }
        return ClosureEvaluation(eta: eta, sensitivities: sensitivities.map { _ in Array(repeating: 0, count: n) })
    }
}

/// Errors from closure evaluation and loading.
public enum ClosureError: Error, CustomStringConvertible, Equatable {
    case invalidFeature(row: Int, feature: EffectivenessFeature, value: Double)
    case featureMismatch(file: String, found: [String], expected: [String])
    case nonFiniteOutput(row: Int)
    /// A feature lies beyond the network's training range by more than `MLPClosure.extrapolationLimit`
    /// of the range's width: the answer would be an extrapolation, not a clamp.
    case farOutsideTrainingRange(row: Int, feature: EffectivenessFeature, value: Double, minimum: Double, maximum: Double)

    public var description: String {
        switch self {
        case .invalidFeature(let row, let feature, let value):
            return "closure: feature \(feature.name) = \(value) at row \(row) is not valid"
        case .farOutsideTrainingRange(let row, let feature, let value, let lo, let hi):
            return "closure: feature \(feature.name) = \(value.messageText) at row \(row) is far outside the network's training range [\(lo.messageText), \(hi.messageText)] (more than \(MLPClosure.extrapolationLimit * 100) % of its width beyond it)"
        case .featureMismatch(let file, let found, let expected):
            return "\(file): model features \(found) do not match the solver's features \(expected)"
        case .nonFiniteOutput(let row):
            return "closure: the network returned a non-finite η at row \(row)"
        }
    }
}
