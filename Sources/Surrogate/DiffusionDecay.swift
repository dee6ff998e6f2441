import Foundation
import Numerics

/// Errors of the surrogate module: bad parameters, data sets of another kind, shape mismatches.
public struct SurrogateError: Error, CustomStringConvertible, Equatable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// The steady diffusion–decay problem of the CNN surrogate (DESIGN §9, after Toledo-Marín,
/// Glazier & Fox, Front. Physiol. 12:667828, 2021), in lattice units (Δx = 1):
///
///   D ∇²c − γ c + α(x) = 0  on an N × N lattice,  c = 0 outside (absorbing boundary),
///
/// ∇² the 5-point Laplacian with ghost nodes c = 0 one spacing beyond the lattice edge.
/// α is the source map: between `sourcesMin` and `sourcesMax` disks of radius R (pixel centres
/// within R of the disk centre), centres uniform over [R, N − 1 − R]² (so every disk lies on the
/// lattice; overlaps allowed), strengths uniform on [`strengthMin`, 1], summed where disks
/// overlap and then divided by the maximum (α ∈ [0, 1]). The network input is α; the target is
/// c / max c. The reference set-up: N = 100, D = 1, γ = 1/400, R = 5, two sources.
public struct DiffusionDecayParameters: Sendable, Equatable {
    /// N (pixels per side).
    public var latticeSize: Int
    /// D (lattice units: pixel² per time unit).
    public var diffusivity: Double
    /// γ (per time unit); decay length √(D/γ) pixels.
    public var decayRate: Double
    /// R (pixels).
    public var sourceRadius: Double
    public var sourcesMin: Int
    public var sourcesMax: Int
    /// Lower end of the uniform source-strength distribution (upper end 1).
    public var strengthMin: Double

    /// The reference parameters (N = 100, D = 1, γ = 1/400, R = 5, two sources, strengths on [0.1, 1]).
    public static let reference = try! DiffusionDecayParameters(
        latticeSize: 100, diffusivity: 1, decayRate: 1.0 / 400, sourceRadius: 5, sourcesMin: 2, sourcesMax: 2,
        strengthMin: 0.1)

    public init(latticeSize: Int, diffusivity: Double, decayRate: Double, sourceRadius: Double,
                sourcesMin: Int, sourcesMax: Int, strengthMin: Double) throws {
        guard latticeSize >= 4 else { throw SurrogateError("lattice size \(latticeSize) is too small (need ≥ 4 pixels)") }
        guard diffusivity > 0, diffusivity.isFinite else { throw SurrogateError("diffusivity D = \(diffusivity) must be > 0") }
        guard decayRate > 0, decayRate.isFinite else { throw SurrogateError("decay rate γ = \(decayRate) must be > 0") }
        let maxRadius = Double(latticeSize - 1) / 2
        guard sourceRadius > 0, sourceRadius <= maxRadius else {
            throw SurrogateError("source radius R = \(sourceRadius) px must lie in (0, \(maxRadius)] for a \(latticeSize) × \(latticeSize) lattice")
        }
        guard sourcesMin >= 1, sourcesMax >= sourcesMin else {
            throw SurrogateError("source count range [\(sourcesMin), \(sourcesMax)] must satisfy 1 ≤ min ≤ max")
        }
        guard strengthMin > 0, strengthMin <= 1 else {
            throw SurrogateError("minimum source strength \(strengthMin) must lie in (0, 1]")
        }
        self.latticeSize = latticeSize
        self.diffusivity = diffusivity
        self.decayRate = decayRate
        self.sourceRadius = sourceRadius
        self.sourcesMin = sourcesMin
        self.sourcesMax = sourcesMax
        self.strengthMin = strengthMin
    }

    /// Pixels per field, N².
    public var pixels: Int { latticeSize * latticeSize }
    /// √(D/γ) in pixels.
    public var decayLength: Double { (diffusivity / decayRate).squareRoot() }
}

/// One disk source: centre (x = column, y = row, pixels) and strength.
public struct DiskSource: Sendable, Equatable {
    public var x: Double
    public var y: Double
    public var strength: Double
    public init(x: Double, y: Double, strength: Double) {
        self.x = x
        self.y = y
        self.strength = strength
    }
}

extension DiffusionDecayParameters {
    /// The sources of sample `index`, drawn from the per-sample stream (seed, index), so a sample
    /// does not depend on which shard or process draws it. Draw order: count, then per source
    /// x, y, strength.
    public func sources(seed: UInt64, index: Int) -> [DiskSource] {
        var rng = SplitMix64.stream(seed: seed, index: UInt64(index))
        let span = UInt64(sourcesMax - sourcesMin + 1)
        let count = sourcesMin + Int(rng.next() % span)
        let lo = sourceRadius, hi = Double(latticeSize - 1) - sourceRadius
        return (0..<count).map { _ in
            let x = lo + (hi - lo) * rng.nextUniform()
            let y = lo + (hi - lo) * rng.nextUniform()
            let s = strengthMin + (1 - strengthMin) * rng.nextUniform()
            return DiskSource(x: x, y: y, strength: s)
        }
    }

    /// α: the sum of the disks (pixel (i, j) belongs to a disk when (j − x)² + (i − y)² ≤ R²)
    /// divided by its maximum; (N, N) row-major, row i = y.
    public func sourceMap(_ sources: [DiskSource]) -> [Double] {
        let n = latticeSize
        var alpha = [Double](repeating: 0, count: n * n)
        let r2 = sourceRadius * sourceRadius
        for s in sources {
            let i0 = max(0, Int((s.y - sourceRadius).rounded(.down))), i1 = min(n - 1, Int((s.y + sourceRadius).rounded(.up)))
            let j0 = max(0, Int((s.x - sourceRadius).rounded(.down))), j1 = min(n - 1, Int((s.x + sourceRadius).rounded(.up)))
            for i in i0...i1 {
                let dy = Double(i) - s.y
                for j in j0...j1 {
                    let dx = Double(j) - s.x
                    if dx * dx + dy * dy <= r2 { alpha[i * n + j] += s.strength }
                }
            }
        }
        let peak = alpha.max() ?? 0
        if peak > 0 { for k in alpha.indices { alpha[k] /= peak } }
        return alpha
    }
}

/// Direct solver of D ∇²c − γ c + α = 0 on the absorbing lattice: assembles the SPD 5-point
/// operator A = D (4 I − neighbours) + γ I once and factorises it once (UMFPACK LU); every
/// solve reuses the factorisation, since only α changes between samples.
public final class DiffusionDecaySolver {
    public let parameters: DiffusionDecayParameters
    private let lu: SparseLU
    /// Seconds spent assembling and factorising.
    public let setupSeconds: Double

    public init(_ parameters: DiffusionDecayParameters) throws {
        self.parameters = parameters
        let watch = Stopwatch()
        lu = try SparseLU(Self.operatorMatrix(parameters))
        setupSeconds = watch.seconds
    }

    /// A (N² × N²), pixel k = i·N + j.
    public static func operatorMatrix(_ p: DiffusionDecayParameters) -> CSCMatrix {
        let n = p.latticeSize, d = p.diffusivity
        var b = SparseMatrixBuilder(rows: n * n, columns: n * n, reserve: 5 * n * n)
        for i in 0..<n {
            for j in 0..<n {
                let k = i * n + j
                b.add(k, k, 4 * d + p.decayRate)
                if i > 0 { b.add(k, k - n, -d) }
                if i < n - 1 { b.add(k, k + n, -d) }
                if j > 0 { b.add(k, k - 1, -d) }
                if j < n - 1 { b.add(k, k + 1, -d) }
            }
        }
        return b.build()
    }

    /// c for the source map α ((N, N) row-major).
    public func solve(sourceMap alpha: [Double]) throws -> [Double] {
        guard alpha.count == parameters.pixels else {
            throw SurrogateError("source map has \(alpha.count) values, the lattice \(parameters.pixels)")
        }
        return try lu.solve(alpha)
    }
}

/// Eigen-series solutions of the absorbing square, for verification.
public enum DiffusionDecaySeries {
    /// Exact solution of the *discrete* problem by the discrete sine transform: the 5-point
    /// operator with ghost nodes c = 0 has eigenvectors φ_pq(i, j) = sin(pπ(i+1)/(N+1)) sin(qπ(j+1)/(N+1))
    /// and eigenvalues D (λ_p + λ_q) + γ, λ_p = 2 − 2 cos(pπ/(N+1)), p, q = 1…N. O(N⁴); small N only.
    public static func discrete(_ p: DiffusionDecayParameters, sourceMap alpha: [Double]) -> [Double] {
        let n = p.latticeSize
        let h = Double.pi / Double(n + 1)
        // S[p][i] = sin(p π (i+1)/(N+1)), p = 1…N; Σ_i S[p][i] S[q][i] = δ_pq (N+1)/2.
        var s = [Double](repeating: 0, count: n * n)
        for a in 0..<n { for i in 0..<n { s[a * n + i] = Foundation.sin(Double((a + 1) * (i + 1)) * h) } }
        let lambda = (0..<n).map { 2 - 2 * Foundation.cos(Double($0 + 1) * h) }
        let norm = 2 / Double(n + 1)
        // α̂ = S α Sᵀ · norm²
        var tmp = [Double](repeating: 0, count: n * n)    // tmp[a][j] = Σ_i S[a][i] α[i][j]
        for a in 0..<n { for i in 0..<n { let sa = s[a * n + i]; if sa == 0 { continue }
            for j in 0..<n { tmp[a * n + j] += sa * alpha[i * n + j] } } }
        var hat = [Double](repeating: 0, count: n * n)    // hat[a][b] = Σ_j tmp[a][j] S[b][j]
        for a in 0..<n { for b in 0..<n { var acc = 0.0
            for j in 0..<n { acc += tmp[a * n + j] * s[b * n + j] }
            hat[a * n + b] = acc * norm * norm / (p.diffusivity * (lambda[a] + lambda[b]) + p.decayRate) } }
        // c = Sᵀ ĉ S
        var tmp2 = [Double](repeating: 0, count: n * n)   // tmp2[i][b] = Σ_a S[a][i] ĉ[a][b]
        for a in 0..<n { for i in 0..<n { let sa = s[a * n + i]
            for b in 0..<n { tmp2[i * n + b] += sa * hat[a * n + b] } } }
        var c = [Double](repeating: 0, count: n * n)
        for i in 0..<n { for j in 0..<n { var acc = 0.0
            for b in 0..<n { acc += tmp2[i * n + b] * s[b * n + j] }
            c[i * n + j] = acc } }
        return c
    }

    /// The *continuum* eigen-series of D ∇²c − γ c + f = 0 on the square (0, L)², c = 0 on its edge,
    /// for one uniform disk source f = 1 of radius R centred at (x₀, y₀):
    ///
    ///   c(x, y) = Σ_{p,q ≥ 1} f̂_pq / (D π² (p² + q²)/L² + γ) sin(pπx/L) sin(qπy/L),
    ///   f̂_pq = (4/L²) ∫∫_disk sin(pπx/L) sin(qπy/L) dx dy,
    ///
    /// f̂ by Gauss–Legendre quadrature in polar coordinates (`radialPoints` × `angularPoints`).
    /// The lattice of `DiffusionDecayParameters` maps to L = N + 1 with pixel (i, j) at (j + 1, i + 1)
    /// (the ghost nodes are the edge); returns c at the pixel centres, (N, N) row-major.
    public static func continuum(_ p: DiffusionDecayParameters, centreX: Double, centreY: Double, modes: Int,
                                 radialPoints: Int = 24, angularPoints: Int = 64) -> [Double] {
        let n = p.latticeSize
        let L = Double(n + 1)
        let x0 = centreX + 1, y0 = centreY + 1, R = p.sourceRadius
        let (nodes, weights) = gaussLegendre(radialPoints)
        // Quadrature points of the disk (polar: r = R(ξ+1)/2, uniform angles).
        var qx: [Double] = [], qy: [Double] = [], qw: [Double] = []
        for (xi, w) in zip(nodes, weights) {
            let r = R * (xi + 1) / 2
            for t in 0..<angularPoints {
                let th = 2 * Double.pi * (Double(t) + 0.5) / Double(angularPoints)
                qx.append(x0 + r * Foundation.cos(th)); qy.append(y0 + r * Foundation.sin(th))
                qw.append(w * R / 2 * r * 2 * Double.pi / Double(angularPoints))
            }
        }
        let m = modes
        var sx = [Double](repeating: 0, count: m * qx.count), sy = sx
        for a in 0..<m { for k in qx.indices {
            sx[a * qx.count + k] = Foundation.sin(Double(a + 1) * Double.pi * qx[k] / L)
            sy[a * qx.count + k] = Foundation.sin(Double(a + 1) * Double.pi * qy[k] / L) } }
        var coefficient = [Double](repeating: 0, count: m * m)   // [q (y) * m + p (x)]
        for b in 0..<m { for a in 0..<m {
            var acc = 0.0
            for k in qx.indices { acc += qw[k] * sx[a * qx.count + k] * sy[b * qx.count + k] }
            let ev = p.diffusivity * Double.pi * Double.pi * Double((a + 1) * (a + 1) + (b + 1) * (b + 1)) / (L * L) + p.decayRate
            coefficient[b * m + a] = 4 / (L * L) * acc / ev } }
        var px = [Double](repeating: 0, count: m * n)   // sin(aπ(j+1)/L)
        for a in 0..<m { for j in 0..<n { px[a * n + j] = Foundation.sin(Double(a + 1) * Double.pi * Double(j + 1) / L) } }
        var c = [Double](repeating: 0, count: n * n)
        var row = [Double](repeating: 0, count: m)
        for i in 0..<n {
            for a in 0..<m { var acc = 0.0; for b in 0..<m { acc += coefficient[b * m + a] * px[b * n + i] }; row[a] = acc }
            for j in 0..<n { var acc = 0.0; for a in 0..<m { acc += row[a] * px[a * n + j] }; c[i * n + j] = acc }
        }
        return c
    }

    /// Gauss–Legendre nodes and weights on [−1, 1] (Newton on P_n).
    static func gaussLegendre(_ n: Int) -> ([Double], [Double]) {
        var x = [Double](repeating: 0, count: n), w = x
        for i in 0..<n {
            var z = Foundation.cos(Double.pi * (Double(i) + 0.75) / (Double(n) + 0.5))
            var dp = 0.0
            for _ in 0..<100 {
                var p0 = 1.0, p1 = z
                for k in 2...max(2, n) { let pk = (Double(2 * k - 1) * z * p1 - Double(k - 1) * p0) / Double(k); p0 = p1; p1 = pk }
                if n == 1 { p1 = z; p0 = 1 }
                dp = Double(n) * (z * p1 - p0) / (z * z - 1)
                let dz = p1 / dp
                z -= dz
                if abs(dz) < 1e-15 { break }
            }
            x[i] = z; w[i] = 2 / ((1 - z * z) * dp * dp)
        }
        return (x, w)
    }
}
