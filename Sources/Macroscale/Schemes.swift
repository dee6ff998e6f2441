/// Discretisation choices of the 1-D upscaled solver.

/// Face interpolation of the convective flux ⟨v⟩^β ⟨c⟩.
public enum ConvectionScheme: String, Sendable, CaseIterable {
    /// Central (linear) interpolation: second order, needs cell Péclet ≲ 2 for monotone profiles.
    case central
    /// First-order upwind: monotone at any cell Péclet, first-order accurate.
    case upwind
}

/// Implicit time integrator of the transient upscaled equation.
public enum TimeScheme: String, Sendable, CaseIterable {
    /// Backward Euler, first order, L-stable.
    case backwardEuler = "backward-euler"
    /// Second-order backward differentiation (started with one backward-Euler step).
    case bdf2
}
