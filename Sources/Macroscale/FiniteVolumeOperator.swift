import Closure
import Numerics

/// Cell-centred finite-volume discretisation of the upscaled equation on a uniform grid.
///
/// Cell i covers [ih, (i+1)h], h = L/N. Face fluxes F = ⟨v⟩ c_f − D* ∂x c (positive along +x):
/// - inlet face x = 0:   F₀ = v cL − D* (c₀ − cL)/(h/2)            (Dirichlet)
/// - interior faces:     F = v c_f − D* (c_{i+1} − c_i)/h,  c_f central ½(c_i + c_{i+1}) or upwind c_i
/// - outlet face x = L:  F_N = v c_{N−1}                          (zero gradient: no diffusive flux)
///
/// Residual of cell i:  r_i = h·(time term) + F_{i+½} − F_{i−½} + h (εσ/εβ) km η_i c_i/(Ka + c_i).
/// The sum of the residuals telescopes, so at a solution inflow − outflow = total uptake exactly.
///
/// Cell-centre gradient g_i (second order): interior (c_{i+1} − c_{i−1})/(2h); first cell the
/// quadratic through (0, cL), x₀, x₁: (−4cL + 3c₀ + c₁)/(3h); last cell the quadratic with zero
/// slope at x = L: (c_{N−1} − c_{N−2})/(2h).
public struct FiniteVolumeOperator: Sendable {
    public let problem: UpscaledProblem
    public let grid: UniformGrid1D
    public let convection: ConvectionScheme

    public init(problem: UpscaledProblem, cells: Int, convection: ConvectionScheme) throws {
        try problem.validate()
        guard cells >= 3 else { throw MacroscaleError.invalidSettings("need at least 3 cells, got \(cells)") }
        guard convection != .quick else {
            throw MacroscaleError.invalidSettings("convection \"quick\" is not available in the 1-D solver (its stencil is wider than tridiagonal); use \"central\" or \"upwind\"")
        }
        self.problem = problem
        self.grid = UniformGrid1D(length: problem.length, cells: cells)
        self.convection = convection
    }

    public var cells: Int { grid.cells }
    public var spacing: Double { grid.spacing }

    /// Residual scale for relative norms: the inlet flux scale v cL + D* cL / L (mol m⁻² s⁻¹).
    public var residualScale: Double {
        let p = problem
        let s = p.velocity * p.inletConcentration + p.dispersion * p.inletConcentration / p.length
        return s > 0 ? s : 1e-300
    }

    /// Cell-centre gradients ∂x c (mol m⁻⁴).
    public func gradient(_ c: [Double]) -> [Double] {
        let n = cells, h = spacing, cL = problem.inletConcentration
        var g = [Double](repeating: 0, count: n)
        g[0] = (-4 * cL + 3 * c[0] + c[1]) / (3 * h)
        for i in 1..<(n - 1) { g[i] = (c[i + 1] - c[i - 1]) / (2 * h) }
        g[n - 1] = (c[n - 1] - c[n - 2]) / (2 * h)
        return g
    }

    /// The closure's feature rows for state c: (εβ, φ², Pe, Dr, c/Ka, −r g/Ka).
    public func features(_ c: [Double]) -> FeatureBatch {
        let p = problem
        let g = gradient(c)
        let width = EffectivenessFeature.count
        var values = [Double](repeating: 0, count: cells * width)
        for i in 0..<cells {
            let row = i * width
            values[row + EffectivenessFeature.porosity.rawValue] = p.porosity
            values[row + EffectivenessFeature.thieleModulusSquared.rawValue] = p.thieleModulusSquared
            values[row + EffectivenessFeature.peclet.rawValue] = p.peclet
            values[row + EffectivenessFeature.diffusivityRatio.rawValue] = p.diffusivityRatio
            values[row + EffectivenessFeature.concentration.rawValue] = c[i] / p.Ka
            values[row + EffectivenessFeature.concentrationGradient.rawValue] = -p.cellRadius * g[i] / p.Ka
        }
        return FeatureBatch(values: values)
    }

    /// Uptake per unit β volume R_i = (εσ/εβ) km η_i c_i/(Ka + c_i) (mol m⁻³ s⁻¹).
    public func uptake(_ c: [Double], eta: [Double]) -> [Double] {
        let k = problem.uptakeScale, ka = problem.Ka
        return (0..<cells).map { k * eta[$0] * c[$0] / (ka + c[$0]) }
    }

    /// Face fluxes F_0 … F_N (mol m⁻² s⁻¹).
    public func faceFluxes(_ c: [Double]) -> [Double] {
        let n = cells, h = spacing, v = problem.velocity, d = problem.dispersion, cL = problem.inletConcentration
        var f = [Double](repeating: 0, count: n + 1)
        f[0] = v * cL - d * (c[0] - cL) / (h / 2)
        for i in 0..<(n - 1) {
            let cf = convection == .central ? 0.5 * (c[i] + c[i + 1]) : c[i]
            f[i + 1] = v * cf - d * (c[i + 1] - c[i]) / h
        }
        f[n] = v * c[n - 1]
        return f
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

    /// Time-derivative contribution to the residual: r_i += h (coefficient · c_i − history_i), e.g.
    /// backward Euler coefficient = 1/Δt, history = c_n/Δt (units s⁻¹ and mol m⁻³ s⁻¹).
    public struct TimeTerm: Sendable {
        public var coefficient: Double
        public var history: [Double]
        public init(coefficient: Double, history: [Double]) {
            self.coefficient = coefficient
            self.history = history
        }
    }

    /// Residual r(c) and its tridiagonal Jacobian ∂r/∂c with η given (and, when
    /// `sensitivity` is passed, the chain-rule terms of η's dependence on c and ∂x c).
    public func assemble(_ c: [Double], eta: [Double], sensitivity: EtaSensitivity? = nil,
                         time: TimeTerm? = nil, jacobian: inout TridiagonalSystem) -> [Double] {
        let n = cells, h = spacing, v = problem.velocity, d = problem.dispersion
        let cL = problem.inletConcentration, ka = problem.Ka, k = problem.uptakeScale
        if jacobian.count != n { jacobian = TridiagonalSystem(count: n) }
        var r = [Double](repeating: 0, count: n)
        r.withUnsafeMutableBufferPointer { r in
            jacobian.lower.withUnsafeMutableBufferPointer { lo in
                jacobian.diagonal.withUnsafeMutableBufferPointer { di in
                    jacobian.upper.withUnsafeMutableBufferPointer { up in
                        for i in 0..<n { lo[i] = 0; di[i] = 0; up[i] = 0 }
                        // Inlet face: r_0 −= F_0.
                        let f0 = v * cL - d * (c[0] - cL) / (h / 2)
                        r[0] -= f0
                        di[0] += 2 * d / h
                        // Interior faces.
                        let (wl, wr) = convection == .central ? (0.5, 0.5) : (1.0, 0.0)
                        for i in 0..<(n &- 1) {
                            let f = v * (wl * c[i] + wr * c[i &+ 1]) - d * (c[i &+ 1] - c[i]) / h
                            let dfl = v * wl + d / h, dfr = v * wr - d / h
                            r[i] += f; di[i] += dfl; up[i] += dfr
                            r[i &+ 1] -= f; lo[i &+ 1] -= dfl; di[i &+ 1] -= dfr
                        }
                        // Outlet face.
                        r[n &- 1] += v * c[n &- 1]
                        di[n &- 1] += v
                        // Uptake.
                        for i in 0..<n {
                            let denom = ka + c[i]
                            let m = c[i] / denom
                            r[i] += h * k * eta[i] * m
                            di[i] += h * k * eta[i] * ka / (denom * denom)
                        }
                        if let s = sensitivity {
                            // ∂η_i/∂c_j = s_c,i/Ka δ_ij − (r_cell/Ka) s_g,i ∂g_i/∂c_j
                            let rg = problem.cellRadius / ka
                            for i in 0..<n {
                                let w = h * k * c[i] / (ka + c[i])   // ∂(uptake_i)/∂η_i
                                di[i] += w * s.concentration[i] / ka
                                let sg = -rg * s.gradient[i] * w
                                if i == 0 {
                                    di[0] += sg / h
                                    up[0] += sg / (3 * h)
                                } else if i == n &- 1 {
                                    di[i] += sg / (2 * h)
                                    lo[i] -= sg / (2 * h)
                                } else {
                                    up[i] += sg / (2 * h)
                                    lo[i] -= sg / (2 * h)
                                }
                            }
                        }
                        if let t = time {
                            for i in 0..<n {
                                r[i] += h * (t.coefficient * c[i] - t.history[i])
                                di[i] += h * t.coefficient
                            }
                        }
                    }
                }
            }
        }
        return r
    }

    /// Inflow, outflow and total uptake per unit cross-section (mol m⁻² s⁻¹) for state c.
    public func balance(_ c: [Double], eta: [Double]) -> (inflow: Double, outflow: Double, uptake: Double) {
        let f = faceFluxes(c)
        let h = spacing
        let q = uptake(c, eta: eta).reduce(0, +) * h
        return (f[0], f[cells], q)
    }
}

/// ∞-norm.
@inlinable
func maxNorm(_ v: [Double]) -> Double {
    var m = 0.0
    for x in v { let a = abs(x); if a > m || a.isNaN { m = a } }
    return m
}
