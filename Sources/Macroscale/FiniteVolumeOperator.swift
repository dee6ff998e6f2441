import Closure
import Numerics

/// Cell-centred finite-volume discretisation of the upscaled equation on a uniform 1-D grid, for
/// a homogeneous or heterogeneous strip (`UpscaledMedium`).
///
/// Cell i covers [ih, (i+1)h], h = L/N. The balance of cell i is written per unit β volume of the
/// inlet cell (divided by εβ,0, so that a homogeneous strip has DESIGN §2's equation exactly), with
/// storage s_i = εβ,i/εβ,0, convective velocity a = u/εβ,0 = ⟨v⟩^β_0 on every face (u conserved),
/// diffusivity d_i = s_i D*_i, uptake coefficient k_i = (εσ,i/εβ,0) km_i. Face fluxes
/// F = a c_f − d_f ∂x c (positive along +x):
/// - inlet face x = 0:   F₀ = a cL − d₀ (c₀ − cL)/(h/2)            (Dirichlet)
/// - interior faces:     F = a c_f − d_f (c_{i+1} − c_i)/h,  c_f central ½(c_i + c_{i+1}) or upwind
///   c_i; d_f the harmonic mean of d_i and d_{i+1} (two half-cells in series: the normal flux is
///   continuous at a jump in the medium)
/// - outlet face x = L:  F_N = a c_{N−1}                          (zero gradient: no diffusive flux)
///
/// Residual of cell i:  r_i = h s_i (time term) + F_{i+½} − F_{i−½} + h k_i η_i c_i/(Ka + c_i).
/// The sum of the residuals telescopes, so at a solution inflow − outflow = total uptake exactly.
///
/// Cell-centre gradient g_i (second order on smooth profiles): interior (c_{i+1} − c_{i−1})/(2h);
/// first cell the quadratic through (0, cL), x₀, x₁: (−4cL + 3c₀ + c₁)/(3h); last cell the
/// quadratic with zero slope at x = L: (c_{N−1} − c_{N−2})/(2h).
public struct FiniteVolumeOperator: UpscaledOperator {
    public typealias Jacobian = TridiagonalSystem

    /// The scalar description of the strip (a heterogeneous strip: its inlet values).
    public let problem: UpscaledProblem
    public private(set) var medium: UpscaledMedium
    public let grid: UniformGrid1D
    public let convection: ConvectionScheme
    /// s_i = εβ,i/εβ,0, d_i = s_i D*_i, d_f on the N − 1 interior faces, k_i = (εσ,i/εβ,0) km_i.
    let storage: [Double]
    let diffusivity: [Double]
    let faceDiffusivity: [Double]
    let uptakeCoefficient: [Double]

    /// A homogeneous strip.
    public init(problem: UpscaledProblem, cells: Int, convection: ConvectionScheme) throws {
        try problem.validate()
        try self.init(problem: problem, medium: UpscaledMedium(homogeneous: problem, cells: cells), convection: convection)
    }

    /// A strip with per-cell properties; `problem` holds its scalar description (inlet values).
    public init(problem: UpscaledProblem, medium: UpscaledMedium, convection: ConvectionScheme) throws {
        let cells = medium.cells
        guard cells >= 3 else { throw MacroscaleError.invalidSettings("need at least 3 cells, got \(cells)") }
        guard convection != .quick else {
            throw MacroscaleError.invalidSettings("convection \"quick\" is not available in the 1-D solver (its stencil is wider than tridiagonal); use \"central\" or \"upwind\"")
        }
        try medium.validate()
        self.problem = problem
        self.medium = medium
        self.grid = UniformGrid1D(length: medium.length, cells: cells)
        self.convection = convection
        let e0 = medium.porosity[0]
        let s = medium.porosity.map { (e: Double) -> Double in e == e0 ? 1 : e / e0 }
        storage = s
        diffusivity = zip(medium.dispersion, s).map { (d: Double, s: Double) -> Double in d * s }
        let d = diffusivity
        faceDiffusivity = (0..<(cells - 1)).map { (i: Int) -> Double in
            let a = d[i], b = d[i + 1]
            return a == b ? a : 2 * a * b / (a + b)
        }
        uptakeCoefficient = zip(medium.porosity, medium.km).map { (e: Double, km: Double) -> Double in (1 - e) / e0 * km }
    }

    public var cells: Int { grid.cells }
    public var spacing: Double { grid.spacing }
    public var centres: [Double] { grid.centres }
    public var inletConcentration: Double { medium.inletConcentration }
    /// Convective velocity on every face, a = u/εβ,0 = ⟨v⟩^β of the inlet cell (m s⁻¹).
    var faceVelocity: Double { medium.velocity[0] }

    public func makeJacobian() -> TridiagonalSystem { TridiagonalSystem(count: cells) }

    /// Residual scale for relative norms: the inlet flux scale v cL + D* cL / L (mol m⁻² s⁻¹).
    public var residualScale: Double {
        let cL = medium.inletConcentration
        let s = faceVelocity * cL + diffusivity[0] * cL / medium.length
        return s > 0 ? s : 1e-300
    }

    /// Cell-centre gradients ∂x c (mol m⁻⁴).
    public func gradient(_ c: [Double]) -> [Double] {
        let n = cells, h = spacing, cL = medium.inletConcentration
        var g = [Double](repeating: 0, count: n)
        g[0] = (-4 * cL + 3 * c[0] + c[1]) / (3 * h)
        for i in 1..<(n - 1) { g[i] = (c[i + 1] - c[i - 1]) / (2 * h) }
        g[n - 1] = (c[n - 1] - c[n - 2]) / (2 * h)
        return g
    }

    /// The closure's feature rows for state c: (εβ, φ², Pe, Dr, c/Ka, −r g/Ka), local values per cell.
    public func features(_ c: [Double]) -> FeatureBatch {
        let m = medium
        let g = gradient(c)
        var values: [Double] = []
        values.reserveCapacity(cells * EffectivenessFeature.count)
        for i in 0..<cells {
            EffectivenessFeature.appendRow(
                to: &values, porosity: m.porosity[i], thieleModulusSquared: m.thieleModulusSquared[i], peclet: m.peclet[i],
                diffusivityRatio: m.diffusivityRatio[i], concentration: c[i] / m.Ka,
                concentrationGradient: -m.cellRadius[i] * g[i] / m.Ka)
        }
        return FeatureBatch(values: values)
    }

    /// Uptake per unit β volume of the inlet cell, k_i η_i c_i/(Ka + c_i) (mol m⁻³ s⁻¹); for a
    /// homogeneous strip R_i = (εσ/εβ) km η_i c_i/(Ka + c_i).
    public func uptake(_ c: [Double], eta: [Double]) -> [Double] {
        let ka = medium.Ka
        return (0..<cells).map { uptakeCoefficient[$0] * eta[$0] * c[$0] / (ka + c[$0]) }
    }

    /// Face fluxes F_0 … F_N (mol m⁻² s⁻¹).
    public func faceFluxes(_ c: [Double]) -> [Double] {
        let n = cells, h = spacing, v = faceVelocity, cL = medium.inletConcentration
        var f = [Double](repeating: 0, count: n + 1)
        f[0] = v * cL - diffusivity[0] * (c[0] - cL) / (h / 2)
        for i in 0..<(n - 1) {
            let cf = convection == .central ? 0.5 * (c[i] + c[i + 1]) : c[i]
            f[i + 1] = v * cf - faceDiffusivity[i] * (c[i + 1] - c[i]) / h
        }
        f[n] = v * c[n - 1]
        return f
    }

    /// Residual r(c) and its tridiagonal Jacobian ∂r/∂c with η given (and, when
    /// `sensitivity` is passed, the chain-rule terms of η's dependence on c and ∂x c).
    public func assemble(_ c: [Double], eta: [Double], sensitivity: EtaSensitivity? = nil,
                         time: TimeTerm? = nil, jacobian: inout TridiagonalSystem) -> [Double] {
        let n = cells, h = spacing, v = faceVelocity
        let cL = medium.inletConcentration, ka = medium.Ka
        if jacobian.count != n { jacobian = TridiagonalSystem(count: n) }
        var r = [Double](repeating: 0, count: n)
        jacobian.withUnsafeBands { lo, di, up in
            r.withUnsafeMutableBufferPointer { r in
                storage.withUnsafeBufferPointer { s in
                    uptakeCoefficient.withUnsafeBufferPointer { k in
                        faceDiffusivity.withUnsafeBufferPointer { df in
                            for i in 0..<n { lo[i] = 0; di[i] = 0; up[i] = 0 }
                            // Inlet face: r_0 −= F_0.
                            let d0 = diffusivity[0]
                            r[0] -= v * cL - d0 * (c[0] - cL) / (h / 2)
                            di[0] += 2 * d0 / h
                            // Interior faces.
                            let (wl, wr) = convection == .central ? (0.5, 0.5) : (1.0, 0.0)
                            for i in 0..<(n &- 1) {
                                let d = df[i]
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
                                r[i] += h * k[i] * eta[i] * m
                                di[i] += h * k[i] * eta[i] * ka / (denom * denom)
                            }
                            if let sens = sensitivity {
                                addEtaSensitivity(sens, c: c, k: k, lo: lo, di: di, up: up)
                            }
                            if let t = time {
                                for i in 0..<n {
                                    r[i] += h * s[i] * (t.coefficient * c[i] - t.history[i])
                                    di[i] += h * s[i] * t.coefficient
                                }
                            }
                        }
                    }
                }
            }
        }
        return r
    }

    /// The Jacobian terms of η's dependence on the state: ∂η_i/∂c_j = s_c,i/Ka δ_ij −
    /// (r_i/Ka) s_g,i ∂g_i/∂c_j, times ∂(uptake_i)/∂η_i = h k_i c_i/(Ka + c_i).
    private func addEtaSensitivity(_ s: EtaSensitivity, c: [Double], k: UnsafeBufferPointer<Double>,
                                   lo: UnsafeMutableBufferPointer<Double>, di: UnsafeMutableBufferPointer<Double>,
                                   up: UnsafeMutableBufferPointer<Double>) {
        let n = cells, h = spacing, ka = medium.Ka
        for i in 0..<n {
            let rg = medium.cellRadius[i] / ka
            let w = h * k[i] * c[i] / (ka + c[i])   // ∂(uptake_i)/∂η_i
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

    /// V_i = h s_i (m): r_i = h s_i ∂t c_i + ….
    public func storageVolumes() -> [Double] { storage.map { spacing * $0 } }

    public func withInletConcentration(_ cL: Double) -> FiniteVolumeOperator {
        var copy = self
        copy.medium.inletConcentration = cL
        return copy
    }

    /// Inflow, outflow and total uptake per unit β-phase cross-section at the inlet (mol m⁻² s⁻¹).
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
