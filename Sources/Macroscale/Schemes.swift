/// Discretisation choices of the 1-D upscaled solver (the convection scheme is
/// `Numerics.ConvectionScheme`).

/// Implicit time integrator of the transient upscaled equation.
public enum TimeScheme: String, Sendable, CaseIterable {
    /// SUNDIALS CVODES: variable-order (1–5), variable-step BDF with local error control
    /// (`TransientSettings.relativeTolerance`, `absoluteTolerance`); η evaluated at the current
    /// state in every right-hand side. The default.
    case cvode
    /// Backward Euler, first order, L-stable, fixed step (for comparison).
    case backwardEuler = "backward-euler"
    /// Second-order backward differentiation (started with one backward-Euler step), fixed step
    /// (for comparison).
    case bdf2

    /// Whether the scheme steps with the fixed `TransientSettings.timeStep`.
    public var isFixedStep: Bool { self != .cvode }
}
