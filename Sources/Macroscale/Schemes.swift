/// Discretisation choices of the 1-D upscaled solver (the convection scheme is
/// `Numerics.ConvectionScheme`).

/// Implicit time integrator of the transient upscaled equation.
public enum TimeScheme: String, Sendable, CaseIterable {
    /// Backward Euler, first order, L-stable.
    case backwardEuler = "backward-euler"
    /// Second-order backward differentiation (started with one backward-Euler step).
    case bdf2
}
