import Closure
import Numerics

/// A spatial discretisation of the upscaled equation (DuMux's "discretisation", apart from the
/// problem's physics in `UpscaledProblem` and the spatial parameters in `UpscaledMedium`). The
/// steady (Picard/Newton) and transient drivers and the closure calls see only this protocol:
/// a state vector of cell values, the residual r(c; η) with its Jacobian ∂r/∂c, the closure's
/// feature rows, and the global balance.
///
/// Adding a 2-D operator (a strip of finite height with an x–y medium) means writing one more
/// conforming type: its cells are the unknowns in any order, `Jacobian` a sparse matrix with an
/// LU solve (Numerics' UMFPACK wrapper) instead of the tridiagonal one, `gradient` the component
/// along the flow (the feature is −r ∂x⟨c⟩/Ka), and `position(of:)` the cell's x along the flow
/// for messages. Nothing in `SteadySolver`, `TransientSolver` or `ClosureCaller` changes: they are
/// generic over the operator.
public protocol UpscaledOperator: Sendable {
    associatedtype Jacobian: UpscaledJacobian

    /// Number of unknowns (cells).
    var cells: Int { get }
    /// Cell-centre positions along the flow (m), for outputs and messages.
    var centres: [Double] { get }
    /// Inlet concentration cL (mol m⁻³): the initial iterate of a steady solve and the scale of
    /// the non-negativity guard.
    var inletConcentration: Double { get }
    /// Scale of the residual for relative norms (mol m⁻² s⁻¹).
    var residualScale: Double { get }
    /// An empty Jacobian of the operator's sparsity.
    func makeJacobian() -> Jacobian
    /// Cell-centre gradient along the flow ∂x c (mol m⁻⁴).
    func gradient(_ c: [Double]) -> [Double]
    /// The closure's feature rows for state c, one per cell (`EffectivenessFeature` order).
    func features(_ c: [Double]) -> FeatureBatch
    /// Residual r(c) with η given, and its Jacobian ∂r/∂c (with the chain-rule terms of η's
    /// dependence on c and ∂x c when `sensitivity` is passed; with the time term when `time` is).
    func assemble(_ c: [Double], eta: [Double], sensitivity: EtaSensitivity?, time: TimeTerm?,
                  jacobian: inout Jacobian) -> [Double]
    /// Inflow, outflow and total uptake (per unit β-phase cross-section at the inlet, mol m⁻² s⁻¹).
    func balance(_ c: [Double], eta: [Double]) -> (inflow: Double, outflow: Double, uptake: Double)
    /// The factor V_i of each cell's time derivative in the residual, r_i = V_i ∂t c_i + …, so that
    /// ∂t c_i = −r_i/V_i and Σ V_i c_i is the stored amount (same units as `balance` × s).
    func storageVolumes() -> [Double]
    /// The same operator with another inlet concentration cL (mol m⁻³): time-dependent inputs.
    func withInletConcentration(_ cL: Double) -> Self
}

extension UpscaledOperator {
    /// Position of a cell along the flow (m).
    public func position(of cell: Int) -> Double { centres[cell] }
}

/// The Jacobian of an `UpscaledOperator`: solves J δ = b, and hands its entries to another solver
/// (CVODES's band matrix).
public protocol UpscaledJacobian {
    mutating func solve(_ rhs: [Double], scratch: inout [Double]) throws -> [Double]
    /// Half-bandwidths (below, above the diagonal).
    var bandwidths: (lower: Int, upper: Int) { get }
    /// Calls `body(row, column, value)` for every stored entry.
    func forEachEntry(_ body: (Int, Int, Double) -> Void)
}

extension TridiagonalSystem: UpscaledJacobian {
    public var bandwidths: (lower: Int, upper: Int) { (1, 1) }

    public func forEachEntry(_ body: (Int, Int, Double) -> Void) {
        let n = count
        for i in 0..<n {
            if i > 0 { body(i, i - 1, lower[i]) }
            body(i, i, diagonal[i])
            if i + 1 < n { body(i, i + 1, upper[i]) }
        }
    }
}

/// Sensitivities of η to the state-dependent features, if the closure supplies them.
public struct EtaSensitivity: Sendable {
    /// ∂η/∂(c/Ka) per cell.
    public var concentration: [Double]
    /// ∂η/∂(−r g/Ka) per cell.
    public var gradient: [Double]
    public init(concentration: [Double], gradient: [Double]) {
        self.concentration = concentration
        self.gradient = gradient
    }
}

/// Time-derivative contribution to the residual: r_i += V_i (coefficient · c_i − history_i), V_i the
/// cell's storage volume, e.g. backward Euler coefficient = 1/Δt, history = c_n/Δt (units s⁻¹ and
/// mol m⁻³ s⁻¹).
public struct TimeTerm: Sendable {
    public var coefficient: Double
    public var history: [Double]
    public init(coefficient: Double, history: [Double]) {
        self.coefficient = coefficient
        self.history = history
    }
}
