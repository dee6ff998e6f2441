/// The closure's input features, defined once for the whole project (DESIGN §2):
/// εβ, φ², Pe, Dr, ⟨c⟩^β/Ka, −r ∂x⟨c⟩^β / Ka — all dimensionless, in this order.
public enum EffectivenessFeature: Int, CaseIterable, Sendable {
    /// εβ, β-phase (extracellular) volume fraction.
    case porosity
    /// φ² = km r²/(Ka Dβ), Thiele modulus squared.
    case thieleModulusSquared
    /// Pe = r ⟨v⟩^β / Dβ.
    case peclet
    /// Dr = Dσ/Dβ.
    case diffusivityRatio
    /// ⟨c⟩^β / Ka.
    case concentration
    /// −r ∂x⟨c⟩^β / Ka.
    case concentrationGradient

    /// Name stored in model and training-set files (`/model/feature_names`).
    /// ⟨c⟩/Ka and the gradient change with the solution; the other four are tissue parameters.
    public var isState: Bool { self == .concentration || self == .concentrationGradient }

    public var name: String {
        switch self {
        case .porosity: return "porosity"
        case .thieleModulusSquared: return "thiele_modulus_squared"
        case .peclet: return "peclet"
        case .diffusivityRatio: return "diffusivity_ratio"
        case .concentration: return "concentration"
        case .concentrationGradient: return "concentration_gradient"
        }
    }

    /// Column name in the reference training table (`learning_parameters_…csv`).
    public var referenceColumn: String {
        ["por", "phi2", "Pe", "Dr", "c_f_avg_norm", "d_f_c_avg_norm"][rawValue]
    }

    /// The feature stored under `name` in model and training-set files, if any.
    public init?(name: String) {
        guard let f = Self.allCases.first(where: { $0.name == name }) else { return nil }
        self = f
    }

    public static var count: Int { allCases.count }

    /// One feature row from named values, in the order of the cases: the one place that knows
    /// the order (DESIGN §2: εβ, φ², Pe, Dr, ⟨c⟩^β/Ka, −r ∂x⟨c⟩^β/Ka).
    public static func row(porosity: Double, thieleModulusSquared: Double, peclet: Double, diffusivityRatio: Double,
                           concentration: Double, concentrationGradient: Double) -> [Double] {
        var row: [Double] = []
        appendRow(to: &row, porosity: porosity, thieleModulusSquared: thieleModulusSquared, peclet: peclet,
                  diffusivityRatio: diffusivityRatio, concentration: concentration, concentrationGradient: concentrationGradient)
        return row
    }

    /// Appends one row to a row-major batch without allocating a row of its own (the operator's loop).
    public static func appendRow(to values: inout [Double], porosity: Double, thieleModulusSquared: Double, peclet: Double,
                                 diffusivityRatio: Double, concentration: Double, concentrationGradient: Double) {
        let start = values.count
        values.append(contentsOf: repeatElement(0, count: count))
        values[start + EffectivenessFeature.porosity.rawValue] = porosity
        values[start + EffectivenessFeature.thieleModulusSquared.rawValue] = thieleModulusSquared
        values[start + EffectivenessFeature.peclet.rawValue] = peclet
        values[start + EffectivenessFeature.diffusivityRatio.rawValue] = diffusivityRatio
        values[start + EffectivenessFeature.concentration.rawValue] = concentration
        values[start + EffectivenessFeature.concentrationGradient.rawValue] = concentrationGradient
    }
    public static var names: [String] { allCases.map(\.name) }
}

/// A batch of feature rows, row-major `rows × 6` in `EffectivenessFeature` order.
public struct FeatureBatch: Sendable, Equatable {
    public var values: [Double]
    public var rows: Int { values.count / EffectivenessFeature.count }

    public init(values: [Double]) {
        precondition(values.count % EffectivenessFeature.count == 0, "feature rows must have 6 values")
        self.values = values
    }

    public subscript(row: Int, feature: EffectivenessFeature) -> Double {
        get { values[row * EffectivenessFeature.count + feature.rawValue] }
        set { values[row * EffectivenessFeature.count + feature.rawValue] = newValue }
    }
}

/// η for a batch, its sensitivities ∂η/∂feature for the requested features, and how many
/// inputs had to be clamped into the closure's valid range (per feature).
public struct ClosureEvaluation: Sendable, Equatable {
    public var eta: [Double]
    /// One array per requested feature, aligned with `eta`.
    public var sensitivities: [[Double]]
    /// Clamped input values per feature (6 entries), for this evaluation.
    public var clampedCounts: [Int]
    /// Outputs below zero that were raised to 0 (a network can predict η < 0 far from its data).
    public var clampedOutputs: Int

    public init(eta: [Double], sensitivities: [[Double]], clampedCounts: [Int] = Array(repeating: 0, count: EffectivenessFeature.count), clampedOutputs: Int = 0) {
        self.eta = eta
        self.sensitivities = sensitivities
        self.clampedCounts = clampedCounts
        self.clampedOutputs = clampedOutputs
    }
}

/// An effectiveness-factor closure η(features): one protocol, several providers.
public protocol EffectivenessClosure: Sendable {
    /// Short human-readable description ("constant η = 0.74", "MLP models/x.h5").
    var summary: String { get }
    /// Whether η depends on the local state (⟨c⟩, its gradient); if not, sensitivities are zero.
    var dependsOnState: Bool { get }
    /// η for every row, with ∂η/∂f for each feature in `sensitivities`.
    func evaluate(_ batch: FeatureBatch, sensitivities: [EffectivenessFeature]) throws -> ClosureEvaluation
    /// The first value of one of `features` that lies far outside the range the closure is valid
    /// for (a network's training range plus a margin), or nil; closures valid everywhere return nil.
    func farOutsideValidRange(_ batch: FeatureBatch, features: [EffectivenessFeature]) -> FeatureExcursion?
    /// The range of each feature (`EffectivenessFeature` order) the closure was trained on, beyond
    /// which inputs are clamped; nil for closures valid everywhere.
    var trainingRange: [ClosedRange<Double>]? { get }
}

/// A closure input far outside the closure's valid range: batch row, feature, value and range.
public struct FeatureExcursion: Sendable, Equatable {
    public var row: Int
    public var feature: EffectivenessFeature
    public var value: Double
    public var minimum: Double
    public var maximum: Double

    public init(row: Int, feature: EffectivenessFeature, value: Double, minimum: Double, maximum: Double) {
        self.row = row
        self.feature = feature
        self.value = value
        self.minimum = minimum
        self.maximum = maximum
    }
}

extension EffectivenessClosure {
    public func farOutsideValidRange(_ batch: FeatureBatch, features: [EffectivenessFeature]) -> FeatureExcursion? { nil }
    public var trainingRange: [ClosedRange<Double>]? { nil }

    /// η only.
    public func effectivenessFactor(_ batch: FeatureBatch) throws -> [Double] {
        try evaluate(batch, sensitivities: []).eta
    }
}

/// The effectiveness factor's definition (DESIGN §2), one home for the DNS tiles and the averaging
/// windows: η = ⟨R(c)⟩^σ / R(⟨c⟩^β) with the Michaelis–Menten uptake rate R(c) = km c/(Ka + c).
public enum Effectiveness {
    /// R(c) = km c/(Ka + c) (mol m⁻³ s⁻¹).
    @inlinable
    public static func uptakeRate(_ c: Double, km: Double, Ka: Double) -> Double { km * c / (Ka + c) }

    /// η from the cell-phase mean uptake rate ⟨R(c)⟩^σ and the fluid average ⟨c⟩^β; NaN where the
    /// average holds no cells (`meanCellUptake` NaN) or R(⟨c⟩^β) = 0.
    public static func factor(meanCellUptake: Double, fluidConcentration: Double, km: Double, Ka: Double) -> Double {
        let reference = uptakeRate(fluidConcentration, km: km, Ka: Ka)
        return reference > 0 && meanCellUptake.isFinite ? meanCellUptake / reference : .nan
    }
}
