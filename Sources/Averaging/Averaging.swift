import Closure
/// Averaging: a-posteriori averaging operators that turn a 2-D tissue DNS field into 1-D
/// profiles (β-intrinsic section and moving-window averages), and profile comparison metrics.
/// One home for the averaging operator (DESIGN §3). The operators work on plain arrays, a
/// fluid weight per grid cell and the grid spacing; they know nothing of how the field was made.
///
/// Definitions (x along the strip, y across it; a 2-D field on nx × ny square grid cells of side
/// h, row-major (ny, nx); wᵢⱼ = 1 − fᵢⱼ the fluid (β) area fraction of grid cell (i, j)):
///
/// - **Section average** at the centre xᵢ = (i + ½) h of column i:
///
///       ⟨c⟩^β_sec(xᵢ) = Σⱼ wᵢⱼ cᵢⱼ / Σⱼ wᵢⱼ.
///
/// - **Moving-window average** of width W centred at x, truncated at the ends of [0, L]:
///
///       ⟨c⟩^β_W(x) = ∫_{a}^{b} Σⱼ w c dx′ / ∫_{a}^{b} Σⱼ w dx′,   a = max(0, x − W/2), b = min(L, x + W/2),
///
///   with c and w piecewise constant on the grid cells, so the integrals are exact (a grid column
///   cut by the window edge counts with the fraction of its width inside). Near the ends the window
///   is truncated, not shifted or mirrored: at x = 0 it covers [0, W/2]. This is the fluid-weighted
///   ("β-intrinsic") window; the published "moving bar" profile is reproduced by W ≈ 4 r_eff, the
///   default (`defaultWindowRadii`).
public enum AveragingModule {
    /// Default window width in effective cell radii: W = 4 r_eff.
    public static let defaultWindowRadii = 4.0
}

/// Column sums of a 2-D field over the fluid phase: aᵢ = Σⱼ wᵢⱼ cᵢⱼ and bᵢ = Σⱼ wᵢⱼ.
public struct FluidColumnSums: Sendable, Equatable {
    /// Σⱼ wᵢⱼ cᵢⱼ per column (units of c).
    public var weighted: [Double]
    /// Σⱼ wᵢⱼ per column (number of fluid grid cells, fractional).
    public var weights: [Double]

    /// Sums of `field` (row-major (ny, nx)) weighted by `fluidFraction` (same shape, values in [0, 1]).
    public init(field: [Double], fluidFraction: [Double], nx: Int, ny: Int) {
        precondition(nx > 0 && ny > 0 && field.count == nx * ny && fluidFraction.count == nx * ny,
                     "fluid column sums: field and fluid fraction must both hold nx × ny = \(nx * ny) values")
        var a = [Double](repeating: 0, count: nx), b = [Double](repeating: 0, count: nx)
        field.withUnsafeBufferPointer { c in
            fluidFraction.withUnsafeBufferPointer { w in
                for j in 0..<ny {
                    let row = j &* nx
                    for i in 0..<nx {
                        let wk = w[row &+ i]
                        a[i] += wk * c[row &+ i]
                        b[i] += wk
                    }
                }
            }
        }
        weighted = a
        weights = b
    }

    public init(weighted: [Double], weights: [Double]) {
        precondition(weighted.count == weights.count, "column sums: sizes differ")
        self.weighted = weighted
        self.weights = weights
    }
}

/// The averaging operators (see `AveragingModule` for the exact definitions).
public enum Averages {
    /// β-intrinsic section average Σⱼ w c / Σⱼ w per column; NaN for a column without fluid.
    public static func section(_ sums: FluidColumnSums) -> [Double] {
        zip(sums.weighted, sums.weights).map { $1 > 0 ? $0 / $1 : .nan }
    }

    /// β-intrinsic section average of a 2-D field (row-major (ny, nx)).
    public static func section(field: [Double], fluidFraction: [Double], nx: Int, ny: Int) -> [Double] {
        section(FluidColumnSums(field: field, fluidFraction: fluidFraction, nx: nx, ny: ny))
    }

    /// β-intrinsic moving-window average at `points` for columns of uniform width `h` on [0, nx h]:
    /// ⟨c⟩^β_W(x) = ∫ Σⱼ w c / ∫ Σⱼ w over [max(0, x − W/2), min(L, x + W/2)], exact for the
    /// piecewise-constant field. `width` W > 0 (m); `points` default to the column centres.
    public static func window(_ sums: FluidColumnSums, h: Double, width: Double, at points: [Double]? = nil) -> [Double] {
        let n = sums.weights.count
        let edges = (0...n).map { Double($0) * h }
        return window(sums, edges: edges, width: width, at: points ?? (0..<n).map { (Double($0) + 0.5) * h })
    }

    /// The moving-window average for columns between `edges` (n + 1 increasing positions, m): column i
    /// covers [edges[i], edges[i+1]] and holds the sums aᵢ, bᵢ spread uniformly over its width.
    /// NaN where the window holds no fluid.
    public static func window(_ sums: FluidColumnSums, edges: [Double], width: Double, at points: [Double]) -> [Double] {
        let n = sums.weights.count
        precondition(edges.count == n + 1 && n > 0, "window average: need n + 1 column edges")
        precondition(width > 0 && width.isFinite, "window average: width must be positive, got \(width)")
        // Cumulative integrals at the edges: A(edges[k]) = Σ_{i<k} aᵢ.
        var cumA = [Double](repeating: 0, count: n + 1), cumB = [Double](repeating: 0, count: n + 1)
        for i in 0..<n {
            cumA[i + 1] = cumA[i] + sums.weighted[i]
            cumB[i + 1] = cumB[i] + sums.weights[i]
        }
        let lo = edges[0], hi = edges[n]
        /// Cumulative integral at position x ∈ [lo, hi], linear inside a column.
        func cumulative(_ x: Double) -> (Double, Double) {
            if x <= lo { return (0, 0) }
            if x >= hi { return (cumA[n], cumB[n]) }
            let l = bracket(edges, x)
            let t = (x - edges[l]) / (edges[l + 1] - edges[l])
            return (cumA[l] + t * sums.weighted[l], cumB[l] + t * sums.weights[l])
        }
        return points.map { x in
            let a = max(lo, x - width / 2), b = min(hi, x + width / 2)
            let (a1, b1) = cumulative(a), (a2, b2) = cumulative(b)
            let weight = b2 - b1
            return weight > 0 ? (a2 - a1) / weight : .nan
        }
    }

    /// The same moving window applied to a 1-D profile c(x) (e.g. an upscaled profile, to compare
    /// like with like): each node stands for the interval between the midpoints to its neighbours
    /// (the first and last reach half a spacing beyond the node, clipped to [`lower`, `upper`]), with
    /// unit fluid weight. Nodes must be strictly increasing.
    public static func filter(x: [Double], c: [Double], width: Double, lower: Double? = nil, upper: Double? = nil) -> [Double] {
        precondition(x.count == c.count && x.count >= 2, "filter: need at least two nodes and one value per node")
        let edges = cellEdges(x, lower: lower, upper: upper)
        let widths = (0..<x.count).map { edges[$0 + 1] - edges[$0] }
        let sums = FluidColumnSums(weighted: zip(c, widths).map { $0 * $1 }, weights: widths)
        return window(sums, edges: edges, width: width, at: x)
    }

    /// Interval edges around nodes `x`: midpoints between neighbours, half a spacing beyond the ends,
    /// clipped to [lower, upper] when given.
    public static func cellEdges(_ x: [Double], lower: Double? = nil, upper: Double? = nil) -> [Double] {
        let n = x.count
        var e = [Double](repeating: 0, count: n + 1)
        for i in 1..<n { e[i] = 0.5 * (x[i - 1] + x[i]) }
        e[0] = x[0] - 0.5 * (x[1] - x[0])
        e[n] = x[n - 1] + 0.5 * (x[n - 1] - x[n - 2])
        if let lower { e[0] = max(e[0], lower) }
        if let upper { e[n] = min(e[n], upper) }
        return e
    }

    /// Effectiveness factor of a window: η_W(x) = ⟨R(c)⟩^σ_W / R(⟨c⟩^β_W) with R(c) = km c/(Ka + c),
    /// ⟨R⟩^σ_W the cell-phase (weight f = 1 − w) window average of the uptake rate. `cellSums` are the
    /// column sums of R(c) weighted by f; NaN where a window holds no cells or ⟨c⟩^β_W = 0.
    public static func windowEta(cellSums: FluidColumnSums, h: Double, width: Double, fluidWindow: [Double],
                                 km: Double, Ka: Double) -> [Double] {
        let meanUptake = window(cellSums, h: h, width: width)
        return zip(meanUptake, fluidWindow).map { r, c in
            Effectiveness.factor(meanCellUptake: r, fluidConcentration: c, km: km, Ka: Ka)
        }
    }
}

/// Index l with xs[l] ≤ t < xs[l + 1] (binary search; xs increasing, xs[0] ≤ t < xs.last).
func bracket(_ xs: [Double], _ t: Double) -> Int {
    var l = 0, r = xs.count - 1
    while r - l > 1 {
        let m = (l + r) / 2
        if xs[m] <= t { l = m } else { r = m }
    }
    return l
}
