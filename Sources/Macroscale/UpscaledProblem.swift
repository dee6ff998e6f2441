import Numerics

/// The 1-D upscaled convection–diffusion–reaction problem of DESIGN §2:
///
///   ∂t⟨c⟩ + ⟨v⟩^β ∂x⟨c⟩ = D* ∂xx⟨c⟩ − (εσ/εβ) km η ⟨c⟩/(Ka + ⟨c⟩),   x ∈ [0, L],
///   ⟨c⟩(0) = cL,  ∂x⟨c⟩(L) = 0,
///
/// with η from a closure evaluated on the features (εβ, φ², Pe, Dr, ⟨c⟩/Ka, −r ∂x⟨c⟩/Ka).
/// All values SI.
public struct UpscaledProblem: Sendable, Equatable {
    /// Strip length L (m).
    public var length: Double
    /// β-phase volume fraction εβ (1); εσ = 1 − εβ.
    public var porosity: Double
    /// Intrinsic mean velocity ⟨v⟩^β (m s⁻¹), ≥ 0 (inlet at x = 0).
    public var velocity: Double
    /// Effective longitudinal dispersion D* (m² s⁻¹).
    public var dispersion: Double
    /// Maximum uptake rate km (mol m⁻³ s⁻¹).
    public var km: Double
    /// Michaelis constant Ka (mol m⁻³).
    public var Ka: Double
    /// Inlet concentration cL (mol m⁻³).
    public var inletConcentration: Double
    /// Cell (effective) radius r (m): scales the gradient feature.
    public var cellRadius: Double
    /// Closure features that are constant along the strip.
    public var thieleModulusSquared: Double
    public var peclet: Double
    public var diffusivityRatio: Double

    public init(length: Double, porosity: Double, velocity: Double, dispersion: Double, km: Double, Ka: Double,
                inletConcentration: Double, cellRadius: Double, thieleModulusSquared: Double, peclet: Double,
                diffusivityRatio: Double) {
        self.length = length
        self.porosity = porosity
        self.velocity = velocity
        self.dispersion = dispersion
        self.km = km
        self.Ka = Ka
        self.inletConcentration = inletConcentration
        self.cellRadius = cellRadius
        self.thieleModulusSquared = thieleModulusSquared
        self.peclet = peclet
        self.diffusivityRatio = diffusivityRatio
    }

    /// (εσ/εβ) km (mol m⁻³ s⁻¹): uptake per unit β volume at η = 1 and saturation.
    public var uptakeScale: Double { (1 - porosity) / porosity * km }

    /// Checks the values a solve relies on; throws `MacroscaleError.invalidProblem` naming the first bad one.
    public func validate() throws {
        func check(_ ok: Bool, _ what: String) throws { if !ok { throw MacroscaleError.invalidProblem(what) } }
        try check(length > 0 && length.isFinite, "length L = \(length) m must be > 0")
        try check(porosity > 0 && porosity < 1, "porosity εβ = \(porosity) must lie in (0, 1)")
        try check(velocity >= 0 && velocity.isFinite, "velocity ⟨v⟩^β = \(velocity) m/s must be ≥ 0")
        try check(dispersion > 0 && dispersion.isFinite, "dispersion D* = \(dispersion) m²/s must be > 0")
        try check(km >= 0 && km.isFinite, "km = \(km) mol/m³/s must be ≥ 0")
        try check(Ka > 0 && Ka.isFinite, "Ka = \(Ka) mol/m³ must be > 0")
        try check(inletConcentration >= 0 && inletConcentration.isFinite, "cL = \(inletConcentration) mol/m³ must be ≥ 0")
        try check(cellRadius > 0 && cellRadius.isFinite, "cell radius r = \(cellRadius) m must be > 0")
    }
}

/// D*(Pe): a constant or monotone cubic interpolation of a tabulated closure result.
public enum EffectiveDispersion: Sendable, Equatable {
    case constant(Double)
    case table(MonotoneCubicInterpolator)

    /// Builds the table variant from (Pe, D*) pairs.
    public static func table(peclet: [Double], coefficient: [Double]) throws -> EffectiveDispersion {
        .table(try MonotoneCubicInterpolator(x: peclet, y: coefficient))
    }

    /// D* at Péclet number `pe` (m² s⁻¹); the table holds its end values outside its range.
    public func coefficient(atPeclet pe: Double) -> Double {
        switch self {
        case .constant(let d): return d
        case .table(let spline): return spline(pe)
        }
    }
}

/// Errors of the upscaled solvers.
public enum MacroscaleError: Error, CustomStringConvertible {
    case invalidProblem(String)
    case invalidSettings(String)
    case notConverged(iterations: Int, residual: Double, time: Double?)
    case nonFinite(cell: Int, x: Double, time: Double?)
    case linearSolve(String)
    case negativeConcentration(cell: Int, x: Double, value: Double, time: Double?)
    case featureOutOfRange(feature: String, value: Double, cell: Int, x: Double, minimum: Double, maximum: Double)
    /// ⟨c⟩/Ka or the gradient feature of the converged (steady) or final (transient) state lies far
    /// outside the closure's valid range: η there was a clamped extrapolation.
    case stateOutOfRange(feature: String, value: Double, cell: Int, x: Double, minimum: Double, maximum: Double, time: Double?)

    public var description: String {
        switch self {
        case .invalidProblem(let s): return "upscaled problem: \(s)"
        case .invalidSettings(let s): return "solver settings: \(s)"
        case .notConverged(let it, let res, let t):
            let when = t.map { " at t = \($0.messageText) s" } ?? ""
            return "nonlinear solve did not converge\(when): relative residual \(res.messageText) after \(it) iterations"
        case .nonFinite(let cell, let x, let t):
            let when = t.map { " at t = \($0.messageText) s" } ?? ""
            return "non-finite concentration in cell \(cell) (x = \(x.messageText) m)\(when)"
        case .linearSolve(let s): return "linear solve failed: \(s)"
        case .featureOutOfRange(let f, let v, let cell, let x, let lo, let hi):
            return "closure input \(f) = \(v.messageText) in cell \(cell) (x = \(x.messageText) m) is far outside the network's training range [\(lo.messageText), \(hi.messageText)]: the η network would extrapolate (use a closure trained for this regime, or kind = \"analytic\")"
        case .stateOutOfRange(let f, let v, let cell, let x, let lo, let hi, let t):
            let when = t.map { "the state at t = \($0.messageText) s" } ?? "the converged state"
            return "closure input \(f) = \(v.messageText) of \(when) in cell \(cell) (x = \(x.messageText) m) is far outside the network's training range [\(lo.messageText), \(hi.messageText)]: η there is a clamped extrapolation (lower cL, use a closure trained for this regime, or kind = \"analytic\")"
        case .negativeConcentration(let cell, let x, let value, let t):
            let when = t.map { " at t = \($0.messageText) s" } ?? ""
            return "negative concentration \(value.messageText) mol/m^3 in cell \(cell) (x = \(x.messageText) m)\(when), beyond round-off: the grid is too coarse for the convection scheme (refine grid.cells or use solver.convection = \"upwind\")"
        }
    }
}
