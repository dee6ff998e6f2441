/// Face interpolation of a convective flux u c: one choice shared by the 1-D upscaled solver
/// and the 2-D microscale transport.
public enum ConvectionScheme: String, Sendable, Equatable, CaseIterable {
    /// Central (linear) interpolation c_f = ½ (c_L + c_R): second order, monotone for cell
    /// Péclet ≲ 2.
    case central
    /// First-order upwind c_f = c_U: monotone at any cell Péclet, numerically diffusive.
    case upwind
    /// Leonard's QUICK, c_f = 6/8 c_U + 3/8 c_D − 1/8 c_UU: upwind-biased quadratic (2-D
    /// transport only: its wider stencil does not fit the 1-D tridiagonal solver).
    case quick
}
