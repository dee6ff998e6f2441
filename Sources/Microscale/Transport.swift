import Foundation
import Numerics

/// Steady microscale transport (DESIGN §2): convection–diffusion in the fluid (β), diffusion with
/// Michaelis–Menten uptake in the cells (σ), on the cell-centred finite-volume grid of `Grid2D`
/// with both phases in every grid cell, weighted by the solid fraction f:
///
///     ∇·(u c) = ∇·(D ∇c) − f km c/(Ka + c),   D = 1/((1 − f)/Dβ + f/Dσ),  Dσ = Dr·Dβ,
///
/// face diffusivity = harmonic mean of the two neighbouring cells (continuity of c and of the
/// normal flux across the interface), convection with the MAC face velocities (QUICK by default).
/// Solved by Newton with a sparse LU (UMFPACK) per iteration. Units: SI (m, s, mol m⁻³); fluxes
/// of a 2-D problem are per metre of depth (mol m⁻¹ s⁻¹).

/// Which rows of the inlet line x = 0 carry the Dirichlet condition c = cL.
public enum InletCoverage: Sendable, Equatable {
    /// Only rows whose first grid cell is mostly fluid (solid fraction < 0.5); the cell parts of
    /// x = 0 have no diffusive flux (DNS-CALIBRATION: else domain-1 η is off by ~18 %).
    case fluidOnly
    /// Every row of x = 0, cell parts included (the calibration's "wrong" variant).
    case wholeLine
}

/// Boundary conditions of a transport problem.
public enum TransportBoundaries: Sendable, Equatable {
    /// The unit-cell row: inlet x = 0 with c = cL (half-cell diffusive flux 2D_P(cL − c_P) on the
    /// covered rows, convective inflow u·cL), outlet x = L with convective outflow only (zero
    /// diffusive flux), top and bottom zero flux (symmetry, v = 0).
    case flowThrough(inlet: InletCoverage)
    /// c = cL held on all four sides (a bath): half-cell diffusive flux on every boundary face,
    /// convective inflow u·cL, outflow u·c_P.
    case fixedConcentration
    /// A tissue strip: inlet and outlet as in `flowThrough`, periodic in y (the top row of grid
    /// cells neighbours the bottom row; v on y = H repeats v on y = 0).
    case periodicY(inlet: InletCoverage)

    /// Whether the top and bottom rows are joined.
    public var isPeriodicY: Bool {
        if case .periodicY = self { return true }
        return false
    }

    /// The unit-cell row with the fluid-only inlet.
    public static let unitCellRow = TransportBoundaries.flowThrough(inlet: .fluidOnly)
}

/// Errors of the transport solve.
public enum TransportError: Error, CustomStringConvertible, Equatable {
    /// The problem's inputs are inconsistent or out of range (names the input).
    case invalidProblem(String)
    /// Newton did not reach the tolerance in the allowed iterations.
    case notConverged(iterations: Int, lastUpdate: Double, tolerance: Double)
    /// A non-finite concentration or residual appeared (names the Newton iteration).
    case nonFinite(iteration: Int)
    /// The sparse LU failed (singular Jacobian, out of memory, …).
    case linearSolve(iteration: Int, message: String)

    public var description: String {
        switch self {
        case .invalidProblem(let m): return "transport problem: \(m)"
        case .notConverged(let n, let u, let tol):
            return "transport Newton did not converge in \(n) iterations: last update |δc|∞/cL = \(u) (tolerance \(tol))"
        case .nonFinite(let n): return "transport Newton produced a non-finite concentration at iteration \(n)"
        case .linearSolve(let n, let m): return "transport Newton iteration \(n): \(m)"
        }
    }
}

/// One steady transport problem on a grid: geometry (solid fractions), flow, physical
/// parameters, boundary conditions and scheme.
public struct TransportProblem: Sendable {
    public let grid: Grid2D
    /// Solid (cell, σ) area fraction f ∈ [0, 1] per grid cell, row-major (ny, nx) (`solidFractions`).
    public let solidFraction: [Double]
    /// MAC face velocities (m s⁻¹), zero inside the cells; should be discretely divergence-free.
    public let velocity: FaceVelocities
    /// Dβ, fluid diffusivity (m² s⁻¹).
    public let fluidDiffusivity: Double
    /// Dr = Dσ/Dβ.
    public let diffusivityRatio: Double
    /// km, maximum uptake rate per unit cell volume (mol m⁻³ s⁻¹).
    public let km: Double
    /// Ka, half-saturation concentration (mol m⁻³).
    public let Ka: Double
    /// cL, inlet concentration (mol m⁻³); the bath value for `.fixedConcentration`.
    public let inletConcentration: Double
    public let boundaries: TransportBoundaries
    public let convection: ConvectionScheme
    /// Open inlet rows when they are not those of the grid's own fractions (a coarsened problem
    /// keeps its fine rows open); nil: `inletIsOpen` decides by the solid fraction.
    var openInletRows: [Bool]? = nil

    /// Dσ = Dr·Dβ (m² s⁻¹).
    public var cellDiffusivity: Double { diffusivityRatio * fluidDiffusivity }

    public init(grid: Grid2D, solidFraction: [Double], velocity: FaceVelocities,
                fluidDiffusivity: Double, diffusivityRatio: Double,
                km: Double, Ka: Double, inletConcentration: Double,
                boundaries: TransportBoundaries = .unitCellRow, convection: ConvectionScheme = .quick) throws {
        guard solidFraction.count == grid.cellCount else {
            throw TransportError.invalidProblem("solid fraction has \(solidFraction.count) values for a \(grid.nx) × \(grid.ny) grid")
        }
        if let bad = solidFraction.firstIndex(where: { !($0 >= 0 && $0 <= 1) }) {
            throw TransportError.invalidProblem("solid fraction \(solidFraction[bad]) at cell \(bad) is outside [0, 1]")
        }
        guard velocity.grid == grid else { throw TransportError.invalidProblem("face velocities are on another grid") }
        guard velocity.u.allSatisfy(\.isFinite), velocity.v.allSatisfy(\.isFinite) else {
            throw TransportError.invalidProblem("face velocities contain non-finite values")
        }
        guard fluidDiffusivity > 0, fluidDiffusivity.isFinite else {
            throw TransportError.invalidProblem("fluid diffusivity Dβ = \(fluidDiffusivity) must be positive")
        }
        guard diffusivityRatio > 0, diffusivityRatio.isFinite else {
            throw TransportError.invalidProblem("diffusivity ratio Dr = \(diffusivityRatio) must be positive")
        }
        guard km >= 0, km.isFinite else {
            throw TransportError.invalidProblem("maximum uptake rate km = \(km) must be ≥ 0")
        }
        guard Ka > 0, Ka.isFinite else {
            throw TransportError.invalidProblem("half-saturation Ka = \(Ka) must be positive")
        }
        guard inletConcentration >= 0, inletConcentration.isFinite else {
            throw TransportError.invalidProblem("inlet concentration cL = \(inletConcentration) must be ≥ 0")
        }
        self.grid = grid
        self.solidFraction = solidFraction
        self.velocity = velocity
        self.fluidDiffusivity = fluidDiffusivity
        self.diffusivityRatio = diffusivityRatio
        self.km = km
        self.Ka = Ka
        self.inletConcentration = inletConcentration
        self.boundaries = boundaries
        self.convection = convection
    }

    /// km = φ² Ka Dβ / r² (φ² = km r²/(Ka Dβ), DESIGN §2).
    public static func km(thieleModulusSquared phi2: Double, radius r: Double,
                                     Ka ka: Double, fluidDiffusivity dBeta: Double) -> Double {
        phi2 * ka * dBeta / (r * r)
    }

    /// Mixture diffusivity of grid cell k: 1/((1 − f)/Dβ + f/Dσ) (the two phases in series).
    @inlinable public func mixtureDiffusivity(_ k: Int) -> Double {
        let f = solidFraction[k]
        return 1 / ((1 - f) / fluidDiffusivity + f / cellDiffusivity)
    }

    /// Michaelis–Menten uptake per unit volume of cell phase, km c/(Ka + c) (mol m⁻³ s⁻¹),
    /// continued linearly (km c/Ka, C¹ at 0) for c < 0, which a higher-order convection scheme may
    /// produce by a small undershoot in a steep layer.
    @inlinable public func uptakeRate(_ c: Double) -> Double {
        c >= 0 ? km * c / (Ka + c) : km * c / Ka
    }

    /// d(uptake rate)/dc = km Ka/(Ka + c)² (km/Ka for c < 0).
    @inlinable public func uptakeRateDerivative(_ c: Double) -> Double {
        let s = Ka + max(c, 0)
        return km * Ka / (s * s)
    }

    /// Whether row j of the inlet carries c = cL (flow-through boundaries only).
    public func inletIsOpen(row j: Int) -> Bool {
        switch boundaries {
        case .flowThrough(inlet: .wholeLine), .fixedConcentration, .periodicY(inlet: .wholeLine): return true
        case .flowThrough(inlet: .fluidOnly), .periodicY(inlet: .fluidOnly):
            return openInletRows?[j] ?? (solidFraction[grid.index(0, j)] < 0.5)
        }
    }

    /// Solves the steady problem by Newton from c = cL (or from `initialConcentration`, e.g. a
    /// coarser solution or a neighbouring realisation) until the update |δc|∞/cL < `tolerance`.
    ///
    /// Iterates are clipped at c ≥ 0 while the Newton step is large (|δc|∞/cL > 1e-2: the first
    /// steps from c = cL overshoot below zero in strongly reacting cells); the last steps are
    /// applied unclipped, so the result is a root of the discrete equations and the global balance
    /// holds to round-off even where QUICK undershoots slightly below zero in a steep layer
    /// (the uptake is continued linearly, km c/Ka, for c < 0).
    /// Throws `TransportError` on non-convergence, non-finite values or a failed LU.
    /// With `useMirrorSymmetry` (default) a problem symmetric about y = H/2 (`isMirrorSymmetricInY`)
    /// is solved on its lower half; the answer is the same discrete solution.
    public func solve(tolerance: Double = 1e-10, maxIterations: Int = 30,
                      initialConcentration: [Double]? = nil, useMirrorSymmetry: Bool = true) throws -> TransportSolution {
        guard tolerance > 0, maxIterations > 0 else {
            throw TransportError.invalidProblem("Newton needs a positive tolerance and iteration limit")
        }
        if let start = initialConcentration {
            guard start.count == grid.cellCount, start.allSatisfy(\.isFinite) else {
                throw TransportError.invalidProblem("initial concentration needs \(grid.cellCount) finite values")
            }
        }
        let initialConcentration = initialConcentration ?? nestedStart()
        let full = TransportOperator(self)
        if useMirrorSymmetry && isMirrorSymmetricInY {
            // Solve on the lower half with the upper half's columns folded onto their mirror cells:
            // the same discrete solution (the operator maps symmetric fields to symmetric fields),
            // at about a third of the factorisation cost.
            let half = full.foldedOntoLowerHalf()
            let start = initialConcentration.map { Array($0[0..<half.rhs.count]) }
            let (cHalf, iterations, history) = try half.newton(tolerance: tolerance, maxIterations: maxIterations,
                                                               clipWhileStepAbove: 1e-2, start: start)
            var c = cHalf
            c.reserveCapacity(grid.cellCount)
            for j in (0..<(grid.ny / 2)).reversed() {
                c.append(contentsOf: cHalf[(j * grid.nx)..<((j + 1) * grid.nx)])
            }
            return TransportSolution(problem: self, concentration: c, iterations: iterations,
                                     updateHistory: history, balance: full.balance(c))
        }
        let (c, iterations, history) = try full.newton(tolerance: tolerance, maxIterations: maxIterations,
                                                       clipWhileStepAbove: 1e-2, start: initialConcentration)
        return TransportSolution(problem: self, concentration: c, iterations: iterations,
                                 updateHistory: history, balance: full.balance(c))
    }

    /// Grids of at least this many cells start Newton from the solution on the grid of 2h
    /// (nested iteration) instead of c = cL.
    public static let nestedStartMinimumCells = 40_000

    /// The same problem on the grid of 2h: solid fractions averaged over the four fine cells,
    /// face fluxes summed (`FaceVelocities.coarsened`); nil if nx or ny is odd.
    public func coarsened() -> TransportProblem? {
        guard grid.nx % 2 == 0, grid.ny % 2 == 0 else { return nil }
        let c = Grid2D(nx: grid.nx / 2, ny: grid.ny / 2, h: 2 * grid.h)
        var f = [Double](repeating: 0, count: c.cellCount)
        for j in 0..<grid.ny { for i in 0..<grid.nx { f[c.index(i / 2, j / 2)] += 0.25 * solidFraction[grid.index(i, j)] } }
        for k in f.indices { f[k] = min(max(f[k], 0), 1) }
        var p = try? TransportProblem(grid: c, solidFraction: f, velocity: velocity.coarsened(),
                                      fluidDiffusivity: fluidDiffusivity, diffusivityRatio: diffusivityRatio,
                                      km: km, Ka: Ka,
                                      inletConcentration: inletConcentration, boundaries: boundaries, convection: convection)
        p?.openInletRows = (0..<c.ny).map { inletIsOpen(row: 2 * $0) || inletIsOpen(row: 2 * $0 + 1) }
        return p
    }

    /// Nested iteration: on a large grid, the coarse problem's solution (itself started the same
    /// way) copied onto the four fine cells of each coarse cell; a good start saves the first
    /// Newton factorisations (≈ 4 → 1–2 on the tissue strips). Nil (start from cL) on small or
    /// odd grids, or if the coarse solve fails. The root found is the fine grid's either way.
    func nestedStart() -> [Double]? {
        guard grid.cellCount >= Self.nestedStartMinimumCells, let coarse = coarsened(),
              let solution = try? coarse.solve() else { return nil }
        var c = [Double](repeating: 0, count: grid.cellCount)
        for j in 0..<grid.ny { for i in 0..<grid.nx { c[grid.index(i, j)] = max(solution.concentration[coarse.grid.index(i / 2, j / 2)], 0) } }
        return c
    }

    /// The Newton matrix at `c` on the whole grid (no mirror folding): J = A + diag(∂uptake/∂c),
    /// ∂uptake/∂c = h² f km Ka/(Ka + c)², the matrix each Newton factorisation works on
    /// (mol m⁻¹ s⁻¹ per mol m⁻³). For benchmarks and checks.
    public func newtonMatrix(at c: [Double]) throws -> CSCMatrix {
        guard c.count == grid.cellCount else {
            throw TransportError.invalidProblem("newtonMatrix needs \(grid.cellCount) values, got \(c.count)")
        }
        let op = TransportOperator(self)
        let du = op.residual(c).dUptake
        var j = op.matrix
        j.values.withUnsafeMutableBufferPointer { v in
            for k in 0..<du.count { v[op.diagonal[k]] += du[k] }
        }
        return j
    }

    /// Whether the problem is mirror symmetric about y = H/2 (to 1e-12 relative): an even number
    /// of rows, f(i, j) = f(i, ny−1−j), u(i, j) = u(i, ny−1−j), v on face j = −v on face ny−j,
    /// and the same inlet condition on mirrored rows. The unit-cell row is (its flow is solved on
    /// a half tile and mirrored).
    public var isMirrorSymmetricInY: Bool {
        let nx = grid.nx, ny = grid.ny
        guard ny % 2 == 0, ny >= 2, boundaries == .flowThrough(inlet: .fluidOnly) || boundaries == .flowThrough(inlet: .wholeLine)
                || boundaries == .fixedConcentration else { return false }
        let uScale = max(velocity.u.lazy.map(abs).max() ?? 0, velocity.v.lazy.map(abs).max() ?? 0)
        let tolerance = 1e-12 * uScale
        for j in 0..<(ny / 2) {
            let m = ny - 1 - j
            if inletIsOpen(row: j) != inletIsOpen(row: m) { return false }
            for i in 0..<nx where abs(solidFraction[j * nx + i] - solidFraction[m * nx + i]) > 1e-12 { return false }
            for i in 0...nx where abs(velocity.u[j * (nx + 1) + i] - velocity.u[m * (nx + 1) + i]) > tolerance { return false }
        }
        for j in 0...(ny / 2) {
            for i in 0..<nx where abs(velocity.v[j * nx + i] + velocity.v[(ny - j) * nx + i]) > tolerance { return false }
        }
        return true
    }
}

/// Net flux into the domain through one side (mol m⁻¹ s⁻¹, per metre of depth): convective and
/// diffusive parts; negative = outflow.
public struct SideFlux: Sendable, Equatable {
    public var convective: Double = 0
    public var diffusive: Double = 0
    public var total: Double { convective + diffusive }
    public init(convective: Double = 0, diffusive: Double = 0) {
        self.convective = convective
        self.diffusive = diffusive
    }
}

/// Global mass balance of a solution (mol m⁻¹ s⁻¹): net inflow through the four sides against
/// the total uptake by the cells.
public struct TransportBalance: Sendable, Equatable {
    /// x = 0 (the inlet), inward.
    public var left = SideFlux()
    /// x = L (the outlet), inward (negative for an outflow).
    public var right = SideFlux()
    /// y = 0, inward.
    public var bottom = SideFlux()
    /// y = H, inward.
    public var top = SideFlux()
    /// Σ h² f km c/(Ka + c).
    public var uptake = 0.0

    /// Inflow at x = 0, convective + diffusive.
    public var inflow: Double { left.total }
    /// Outflow at x = L.
    public var outflow: Double { -right.total }
    /// Net inflow through all four sides.
    public var netInflow: Double { left.total + right.total + bottom.total + top.total }
    /// Net inflow − uptake (zero at convergence, to round-off).
    public var imbalance: Double { netInflow - uptake }
    /// |imbalance| relative to the largest of the inflow, the outflow and the uptake.
    public var relativeImbalance: Double {
        let scale = max(abs(left.total), abs(right.total), abs(bottom.total), abs(top.total), abs(uptake))
        return scale > 0 ? abs(imbalance) / scale : 0
    }
}

/// A converged steady solution.
public struct TransportSolution: Sendable {
    public let problem: TransportProblem
    /// Concentration per grid cell (mol m⁻³), row-major (ny, nx).
    public let concentration: [Double]
    /// Newton iterations taken.
    public let iterations: Int
    /// |δc|∞/cL of every Newton update.
    public let updateHistory: [Double]
    /// Global balance evaluated at `concentration`.
    public let balance: TransportBalance
}

/// The discrete operator: residual R(c) = A c − b + h² f km c/(Ka + c) per grid cell, the net
/// outflow of cell P (A, b linear: convection, diffusion, boundary terms), with the boundary-face
/// fluxes kept so that the global balance uses exactly the fluxes of the residual.
struct TransportOperator {
    let problem: TransportProblem
    let matrix: CSCMatrix
    let rhs: [Double]
    /// Position of A[k, k] in `matrix.values`.
    let diagonal: [Int]
    /// Per cell: h² f (cell-phase area of the grid cell).
    let cellArea: [Double]
    /// Boundary faces: inward flux = coefficient·c[cell] + constant.
    struct BoundaryFace {
        var side: Int   // 0 left, 1 right, 2 bottom, 3 top
        var cell: Int
        var convectiveCoefficient: Double
        var convectiveConstant: Double
        var diffusiveCoefficient: Double
        var diffusiveConstant: Double
    }
    let boundaryFaces: [BoundaryFace]

    private init(problem: TransportProblem, matrix: CSCMatrix, rhs: [Double], cellArea: [Double],
                 boundaryFaces: [BoundaryFace]) {
        self.problem = problem
        self.matrix = matrix
        self.rhs = rhs
        self.diagonal = Self.diagonalPositions(matrix)
        self.cellArea = cellArea
        self.boundaryFaces = boundaryFaces
    }

    /// Position of A[k, k] in the values of a CSC matrix whose pattern holds every diagonal.
    private static func diagonalPositions(_ m: CSCMatrix) -> [Int] {
        var diag = [Int](repeating: -1, count: m.columns)
        for col in 0..<m.columns {
            for k in m.columnPointers[col]..<m.columnPointers[col + 1] where m.rowIndices[k] == col {
                diag[col] = k
                break
            }
        }
        return diag
    }

    /// The equations of the cells j < ny/2 with every column of a cell j ≥ ny/2 added to the
    /// column of its mirror cell ny−1−j: the operator restricted to fields symmetric about y = H/2.
    /// (Boundary faces are not kept: the balance is evaluated with the full operator.)
    func foldedOntoLowerHalf() -> TransportOperator {
        let nx = problem.grid.nx, ny = problem.grid.ny
        let half = nx * (ny / 2)
        var a = SparseMatrixBuilder(rows: half, columns: half, reserve: matrix.values.count / 2 + half)
        for col in 0..<matrix.columns {
            let j = col / nx
            let folded = j < ny / 2 ? col : (ny - 1 - j) * nx + col % nx
            for k in matrix.columnPointers[col]..<matrix.columnPointers[col + 1] where matrix.rowIndices[k] < half {
                a.add(matrix.rowIndices[k], folded, matrix.values[k])
            }
        }
        return TransportOperator(problem: problem, matrix: a.build(), rhs: Array(rhs[0..<half]),
                                 cellArea: Array(cellArea[0..<half]), boundaryFaces: [])
    }

    init(_ p: TransportProblem) {
        problem = p
        var assembly = TransportAssembly(p)
        assembly.addXFaces()
        assembly.addYFaces()
        assembly.addBoundaryFaces()
        let m = assembly.a.build()
        matrix = m
        rhs = assembly.b
        diagonal = Self.diagonalPositions(m)
        cellArea = p.solidFraction.map { $0 * p.grid.h * p.grid.h }
        boundaryFaces = assembly.faces
    }

    /// R(c) and the uptake derivative h² f km Ka/(Ka + c)² per cell.
    func residual(_ c: [Double]) -> (r: [Double], dUptake: [Double]) {
        var r = matrix.multiply(c)
        var du = [Double](repeating: 0, count: c.count)
        let km = problem.km, ka = problem.Ka
        r.withUnsafeMutableBufferPointer { rp in
            du.withUnsafeMutableBufferPointer { dp in
                c.withUnsafeBufferPointer { cp in
                    rhs.withUnsafeBufferPointer { bp in
                        cellArea.withUnsafeBufferPointer { ap in
                            for k in 0..<cp.count {
                                let ck = cp[k]
                                let s = ka + max(ck, 0)
                                rp[k] += ap[k] * km * ck / s - bp[k]
                                dp[k] = ap[k] * km * ka / (s * s)
                            }
                        }
                    }
                }
            }
        }
        return (r, du)
    }

    func balance(_ c: [Double]) -> TransportBalance {
        var bal = TransportBalance()
        for f in boundaryFaces {
            let side = SideFlux(convective: f.convectiveCoefficient * c[f.cell] + f.convectiveConstant,
                                diffusive: f.diffusiveCoefficient * c[f.cell] + f.diffusiveConstant)
            switch f.side {
            case 0: bal.left.convective += side.convective; bal.left.diffusive += side.diffusive
            case 1: bal.right.convective += side.convective; bal.right.diffusive += side.diffusive
            case 2: bal.bottom.convective += side.convective; bal.bottom.diffusive += side.diffusive
            default: bal.top.convective += side.convective; bal.top.diffusive += side.diffusive
            }
        }
        var uptake = 0.0
        for k in 0..<c.count where cellArea[k] > 0 { uptake += cellArea[k] * problem.uptakeRate(c[k]) }
        bal.uptake = uptake
        return bal
    }

    /// Largest drift of the Jacobian since its factorisation, max_k |Δ(∂uptake/∂c)_k| / |J_kk|,
    /// at which a Newton step reuses that factorisation (a chord step).
    static let chordDrift = 1e-2
    /// Chord steps go on while each update is at most this fraction of the one before.
    static let chordContraction = 0.2

    /// Newton on R(c) = 0 from `start` (default c = cL): the root, the iterations taken and the
    /// |δc|∞/cL history.
    func newton(tolerance: Double, maxIterations: Int, clipWhileStepAbove: Double,
                start: [Double]?) throws -> (c: [Double], iterations: Int, history: [Double]) {
        let n = rhs.count
        let cl = problem.inletConcentration
        let scale = cl > 0 ? cl : 1
        var c = start ?? [Double](repeating: cl, count: n)
        var history: [Double] = []
        var jacobian = matrix
        var lu: SparseLU? = nil   // symbolic analysis done once: the pattern is the same every step
        var factoredUptake = [Double](repeating: 0, count: n)   // ∂uptake/∂c in the factorised Jacobian
        for iteration in 1...maxIterations {
            let (r, du) = residual(c)
            // Chord steps: while the Jacobian has drifted little since it was factorised (the
            // uptake derivative is the only part that changes) and the updates keep shrinking at
            // least fivefold, the factorisation is reused (a solve costs a few % of it); the
            // residual is exact, so the root is the same, only the contraction is linear.
            let previous = history.last ?? .infinity
            let beforePrevious = history.count >= 2 ? history[history.count - 2] : .infinity
            var drift = 0.0
            if lu != nil {
                matrix.values.withUnsafeBufferPointer { a in
                    for k in 0..<n {
                        let d = abs(a[diagonal[k]] + factoredUptake[k])
                        drift = max(drift, abs(du[k] - factoredUptake[k]) / max(d, .leastNormalMagnitude))
                    }
                }
            }
            let reuse = lu != nil && drift < Self.chordDrift && previous < Self.chordContraction * beforePrevious
            let delta: [Double]
            do {
                if !reuse {
                    factoredUptake = du
                    jacobian.values = matrix.values
                    jacobian.values.withUnsafeMutableBufferPointer { jp in
                        for k in 0..<n { jp[diagonal[k]] += du[k] }
                    }
                    if let lu { try lu.refactor(values: jacobian.values) } else { lu = try SparseLU(jacobian, refinementSteps: 0) }
                }
                delta = try lu!.solve(r.map { -$0 })
            } catch {
                throw TransportError.linearSolve(iteration: iteration, message: "\(error)")
            }
            var change = 0.0
            var finite = true
            var raw = 0.0
            for k in 0..<n { raw = max(raw, abs(delta[k])) }
            let floor = raw / scale > clipWhileStepAbove ? 0 : -Double.infinity
            for k in 0..<n {
                let next = max(c[k] + delta[k], floor)
                if !next.isFinite { finite = false; break }
                change = max(change, abs(next - c[k]))
                c[k] = next
            }
            guard finite else { throw TransportError.nonFinite(iteration: iteration) }
            let update = change / scale
            history.append(update)
            if update < tolerance { return (c, iteration, history) }
        }
        throw TransportError.notConverged(iterations: maxIterations, lastUpdate: history.last ?? .nan, tolerance: tolerance)
    }
}

/// The assembly of `TransportOperator`: A and b face by face (convection, diffusion, boundary
/// terms) and the boundary-face fluxes.
private struct TransportAssembly {
    typealias BoundaryFace = TransportOperator.BoundaryFace
    let p: TransportProblem
    let g: Grid2D
    /// Mixture diffusivity per cell.
    let d: [Double]
    var a: SparseMatrixBuilder
    var b: [Double]
    var faces: [BoundaryFace] = []

    init(_ p: TransportProblem) {
        self.p = p
        g = p.grid
        let n = g.cellCount
        var d = [Double](repeating: 0, count: n)
        for k in 0..<n { d[k] = p.mixtureDiffusivity(k) }
        self.d = d
        b = [Double](repeating: 0, count: n)
        a = SparseMatrixBuilder(rows: n, columns: n, reserve: 22 * n)
        for k in 0..<n { a.add(k, k, 0) }   // keep every diagonal in the pattern
        faces.reserveCapacity(2 * (g.nx + g.ny))
    }

    /// Face value weights (cell, weight) along a line of `count` cells, for the face between
    /// positions `m − 1` and `m` with normal velocity `vel`; `cell(i)` maps a position to a cell.
    func faceWeights(_ m: Int, _ vel: Double, _ count: Int) -> [(Int, Double)] {
        switch p.convection {
        case .central: return [(m - 1, 0.5), (m, 0.5)]
        case .upwind: return [(vel >= 0 ? m - 1 : m, 1)]
        case .quick:
            if vel >= 0 {
                if m - 2 < 0 { return [(m - 1, 1)] }
                return [(m - 1, 0.75), (m, 0.375), (m - 2, -0.125)]
            } else {
                if m + 1 >= count { return [(m, 1)] }
                return [(m, 0.75), (m - 1, 0.375), (m + 1, -0.125)]
            }
        }
    }

    /// `faceWeights` on a periodic line of `count` cells (positions wrapped, no end fallback).
    func periodicWeights(_ m: Int, _ vel: Double, _ count: Int) -> [(Int, Double)] {
        let raw: [(Int, Double)]
        switch p.convection {
        case .central: raw = [(m - 1, 0.5), (m, 0.5)]
        case .upwind: raw = [(vel >= 0 ? m - 1 : m, 1)]
        case .quick: raw = vel >= 0 ? [(m - 1, 0.75), (m, 0.375), (m - 2, -0.125)] : [(m, 0.75), (m - 1, 0.375), (m + 1, -0.125)]
        }
        return raw.map { (($0.0 % count + count) % count, $0.1) }
    }

    // Interior faces: flux F from the lower-index side (P) to the other (E) adds +F to R_P and −F to R_E.
    mutating func addFace(_ pCell: Int, _ eCell: Int, _ vel: Double, _ weights: [(Int, Double)]) {
        let df = 2 * d[pCell] * d[eCell] / (d[pCell] + d[eCell])
        a.add(pCell, pCell, df); a.add(pCell, eCell, -df)
        a.add(eCell, eCell, df); a.add(eCell, pCell, -df)
        if vel != 0 {
            let q = vel * g.h
            for (cell, w) in weights {
                a.add(pCell, cell, q * w)
                a.add(eCell, cell, -q * w)
            }
        }
    }

    mutating func addXFaces() {
        let nx = g.nx
        for j in 0..<g.ny {
            for i in 1..<nx {
                let vel = p.velocity.u[j * (nx + 1) + i]
                let w = vel == 0 ? [] : faceWeights(i, vel, nx).map { (g.index($0.0, j), $0.1) }
                addFace(g.index(i - 1, j), g.index(i, j), vel, w)
            }
        }
    }

    /// y faces (periodic in y: also the face y = H between the top row and the bottom row).
    mutating func addYFaces() {
        let nx = g.nx, ny = g.ny
        let periodicY = p.boundaries.isPeriodicY
        for j in 1..<(periodicY ? ny + 1 : ny) {
            for i in 0..<nx {
                let vel = p.velocity.v[j * nx + i]
                let w = vel == 0 ? [] : (periodicY ? periodicWeights(j, vel, ny) : faceWeights(j, vel, ny)).map { (g.index(i, $0.0), $0.1) }
                addFace(g.index(i, j - 1), g.index(i, j % ny), vel, w)
            }
        }
    }

    /// A boundary face. `inwardVelocity` > 0 means flow into the domain.
    mutating func addBoundary(_ side: Int, _ cell: Int, inwardVelocity w: Double, dirichlet: Bool, inflowValue: Bool) {
        let cb = p.inletConcentration
        var face = BoundaryFace(side: side, cell: cell, convectiveCoefficient: 0, convectiveConstant: 0,
                                diffusiveCoefficient: 0, diffusiveConstant: 0)
        let q = w * g.h
        if q > 0 && inflowValue { face.convectiveConstant = q * cb } else { face.convectiveCoefficient = q }
        if dirichlet {
            face.diffusiveCoefficient = -2 * d[cell]
            face.diffusiveConstant = 2 * d[cell] * cb
        }
        // R_P −= inward flux
        a.add(cell, cell, -(face.convectiveCoefficient + face.diffusiveCoefficient))
        b[cell] += face.convectiveConstant + face.diffusiveConstant
        faces.append(face)
    }

    /// Left and right faces, and bottom and top unless periodic in y.
    mutating func addBoundaryFaces() {
        let nx = g.nx, ny = g.ny
        let allDirichlet = p.boundaries == .fixedConcentration
        for j in 0..<ny {
            addBoundary(0, g.index(0, j), inwardVelocity: p.velocity.u[j * (nx + 1)],
                        dirichlet: p.inletIsOpen(row: j), inflowValue: true)
            addBoundary(1, g.index(nx - 1, j), inwardVelocity: -p.velocity.u[j * (nx + 1) + nx],
                        dirichlet: allDirichlet, inflowValue: allDirichlet)
        }
        for i in 0..<nx where !p.boundaries.isPeriodicY {
            addBoundary(2, g.index(i, 0), inwardVelocity: p.velocity.v[i],
                        dirichlet: allDirichlet, inflowValue: allDirichlet)
            addBoundary(3, g.index(i, ny - 1), inwardVelocity: -p.velocity.v[ny * nx + i],
                        dirichlet: allDirichlet, inflowValue: allDirichlet)
        }
    }
}
