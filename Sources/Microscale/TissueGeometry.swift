import Foundation
import Numerics

/// Synthetic 2-D tissue samples for strip DNS (DESIGN §2 "Tissues"; `TISSUE-CALIBRATION.md`,
/// "Geometry achieved"): Poisson-disk seeds in a periodic box ℓ × H, their periodic Voronoi cells,
/// each scaled about its centroid by √(1 − εβ) so that the cells cover exactly (1 − εβ) ℓ H.
/// The number of cells n = round((1 − εβ) ℓ H / (π r²)) makes the effective radius
/// r_eff = √(mean cell area / π) = √((1 − εβ) ℓ H / (n π)) as close to the target r as an integer
/// count allows. Units: m.

/// Errors of the tissue geometry.
public enum TissueGeometryError: Error, CustomStringConvertible, Equatable {
    case invalidInput(String)
    /// The target porosity or radius cannot be reached within tolerance (names why and what to change).
    case unreachable(String)
    /// No fluid path from the inlet to the outlet.
    case noFluidPath(String)
    /// A mask image or dataset cannot be read.
    case unreadableMask(String)

    public var description: String {
        switch self {
        case .invalidInput(let m): return "tissue geometry: \(m)"
        case .unreachable(let m): return "tissue geometry: \(m)"
        case .noFluidPath(let m): return "tissue geometry: \(m)"
        case .unreadableMask(let m): return "tissue mask: \(m)"
        }
    }
}

/// A convex polygon (counter-clockwise vertices, m).
public struct ConvexPolygon: Sendable, Equatable {
    public var xs: [Double]
    public var ys: [Double]

    public init(xs: [Double], ys: [Double]) {
        self.xs = xs
        self.ys = ys
    }

    /// Signed area (m², positive for counter-clockwise vertices).
    public var area: Double {
        var a = 0.0
        for k in xs.indices {
            let l = (k + 1) % xs.count
            a += xs[k] * ys[l] - xs[l] * ys[k]
        }
        return 0.5 * a
    }

    /// Area centroid (m).
    public var centroid: (x: Double, y: Double) {
        var cx = 0.0, cy = 0.0, a = 0.0
        for k in xs.indices {
            let l = (k + 1) % xs.count
            let cross = xs[k] * ys[l] - xs[l] * ys[k]
            a += cross
            cx += (xs[k] + xs[l]) * cross
            cy += (ys[k] + ys[l]) * cross
        }
        return (cx / (3 * a), cy / (3 * a))
    }

    /// Whether (x, y) lies strictly inside (counter-clockwise polygon: left of every edge).
    @inlinable public func contains(_ x: Double, _ y: Double) -> Bool {
        let n = xs.count
        for k in 0..<n {
            let l = k &+ 1 == n ? 0 : k &+ 1
            if (xs[l] - xs[k]) * (y - ys[k]) - (ys[l] - ys[k]) * (x - xs[k]) <= 0 { return false }
        }
        return true
    }

    /// The part on the side a·x + b·y ≤ c of a line (Sutherland–Hodgman, one edge).
    func clipped(a: Double, b: Double, c: Double) -> ConvexPolygon {
        var ox: [Double] = [], oy: [Double] = []
        let n = xs.count
        for k in 0..<n {
            let l = (k + 1) % n
            let dk = a * xs[k] + b * ys[k] - c, dl = a * xs[l] + b * ys[l] - c
            if dk <= 0 { ox.append(xs[k]); oy.append(ys[k]) }
            if (dk < 0 && dl > 0) || (dk > 0 && dl < 0) {
                let t = dk / (dk - dl)
                ox.append(xs[k] + t * (xs[l] - xs[k]))
                oy.append(ys[k] + t * (ys[l] - ys[k]))
            }
        }
        return ConvexPolygon(xs: ox, ys: oy)
    }

    /// The polygon scaled by `s` about `(cx, cy)`.
    func scaled(by s: Double, about cx: Double, _ cy: Double) -> ConvexPolygon {
        ConvexPolygon(xs: xs.map { cx + s * ($0 - cx) }, ys: ys.map { cy + s * ($0 - cy) })
    }

    func translated(_ dx: Double, _ dy: Double) -> ConvexPolygon {
        ConvexPolygon(xs: xs.map { $0 + dx }, ys: ys.map { $0 + dy })
    }

    var bounds: (x0: Double, x1: Double, y0: Double, y1: Double) {
        (xs.min()!, xs.max()!, ys.min()!, ys.max()!)
    }
}

/// Cells as convex polygons on a periodic box [0, width) × [0, height); polygons that cross the box
/// edge are stored with their periodic images, so `isSolid` answers for points inside the box.
/// A bucket grid keeps each query to the few polygons near the point.
public struct PolygonCells: CellGeometry {
    /// The cells, one polygon each, in unwrapped coordinates (centroids inside the box).
    public let cells: [ConvexPolygon]
    public let width: Double
    public let height: Double
    private let pieces: [ConvexPolygon]
    private let buckets: [[Int32]]
    private let bx: Int
    private let by: Int

    public init(cells: [ConvexPolygon], width: Double, height: Double) {
        self.cells = cells
        self.width = width
        self.height = height
        var pieces: [ConvexPolygon] = []
        for p in cells {
            let b = p.bounds
            for sx in -1...1 {
                for sy in -1...1 {
                    let dx = Double(sx) * width, dy = Double(sy) * height
                    if b.x1 + dx <= 0 || b.x0 + dx >= width || b.y1 + dy <= 0 || b.y0 + dy >= height { continue }
                    pieces.append(p.translated(dx, dy))
                }
            }
        }
        let n = max(1, Int((Double(cells.count)).squareRoot().rounded()))
        bx = max(1, min(256, 2 * n))
        by = max(1, min(256, Int((Double(bx) * height / width).rounded(.up))))
        var buckets = [[Int32]](repeating: [], count: bx * by)
        for (k, p) in pieces.enumerated() {
            let b = p.bounds
            let i0 = max(0, Int(b.x0 / width * Double(bx))), i1 = min(bx - 1, Int(b.x1 / width * Double(bx)))
            let j0 = max(0, Int(b.y0 / height * Double(by))), j1 = min(by - 1, Int(b.y1 / height * Double(by)))
            if i0 > i1 || j0 > j1 { continue }
            for j in j0...j1 { for i in i0...i1 { buckets[j * bx + i].append(Int32(k)) } }
        }
        self.pieces = pieces
        self.buckets = buckets
    }

    public func isSolid(x: Double, y: Double) -> Bool {
        guard x >= 0, x < width, y >= 0, y < height else {
            // Wrap into the box (the geometry is periodic).
            let xw = x - (x / width).rounded(.down) * width, yw = y - (y / height).rounded(.down) * height
            return isSolid(x: min(xw, width.nextDown), y: min(yw, height.nextDown))
        }
        let i = min(bx - 1, Int(x / width * Double(bx))), j = min(by - 1, Int(y / height * Double(by)))
        for k in buckets[j * bx + i] where pieces[Int(k)].contains(x, y) { return true }
        return false
    }

    /// Mean cell area (m²) and r_eff = √(mean area / π) (m).
    public var effectiveRadius: Double {
        let mean = cells.reduce(0) { $0 + $1.area } / Double(max(cells.count, 1))
        return (mean / Double.pi).squareRoot()
    }

    /// Exact porosity 1 − Σ cell areas / (width · height).
    public var porosity: Double { 1 - cells.reduce(0) { $0 + $1.area } / (width * height) }
}

/// The Voronoi tissue recipe.
public enum VoronoiTissue {
    /// Largest allowed deviation of r_eff from the target (relative): 2 %.
    public static let radiusTolerance = 0.02

    /// Number of cells n = round((1 − ε) ℓ H / (π r²)) for a box ℓ × H.
    public static func cellCount(width: Double, height: Double, porosity: Double, radius: Double) -> Int {
        Int(((1 - porosity) * width * height / (Double.pi * radius * radius)).rounded())
    }

    /// A periodic sample of `width` × `height` (m) with porosity εβ and effective radius ≈ r.
    ///
    /// Seeds: Poisson-disk points (dart throwing with minimum distance 0.8 of the hexagonal spacing
    /// √(2 ℓ H/(√3 n)), relaxed by 5 % whenever 2000 darts in a row miss), periodic in both
    /// directions, from `SplitMix64(seed)`. Cells: periodic Voronoi polygons of the seeds, each scaled
    /// about its centroid by √(1 − εβ) (so the exact porosity is εβ; the channel between two facing
    /// cells is (1 − √(1 − εβ)) times their centroid distance across the shared edge).
    ///
    /// With `areaSpread` c > 0 the cells differ in size while the channels between them stay as in
    /// the plain recipe (a fixed fraction of the local cell size): the same seeds get power (Laguerre)
    /// weights wᵢ = d² / (1 + exp(−σ zᵢ)), zᵢ standard normal from their own stream
    /// (`SplitMix64(seed ^ spreadStream)`), d the seeds' Poisson-disk distance; as 0 ≤ wᵢ ≤ d² ≤ |pᵢ − pⱼ|²,
    /// every power cell contains its seed. The cells are those power cells shrunk about their
    /// centroids by √(1 − εβ) as before (porosity and r_eff exact), and σ is chosen by bisection so that
    /// the coefficient of variation of the cell areas is c (to 1e-4). c = 0 is the plain recipe (σ = 0
    /// gives the same cells), whose own spread (about 0.1) is the smallest c can be.
    /// - Throws: `TissueGeometryError.unreachable` when an integer number of cells cannot give r_eff
    ///   within 2 % of r (the sample is too small for the cells), porosity ∉ (0, 1), or c is below the
    ///   plain recipe's own spread or beyond what weights between 0 and d² give.
    public static func sample(width: Double, height: Double, porosity: Double, radius: Double, seed: UInt64,
                              areaSpread: Double = 0) throws -> PolygonCells {
        guard width > 0, height > 0, radius > 0, width.isFinite, height.isFinite else {
            throw TissueGeometryError.invalidInput("sample size and radius must be positive (got \(width) × \(height) m, r = \(radius) m)")
        }
        guard porosity > 0, porosity < 1 else {
            throw TissueGeometryError.unreachable("porosity \(porosity) cannot be reached: expected 0 < porosity < 1")
        }
        let n = cellCount(width: width, height: height, porosity: porosity, radius: radius)
        guard n >= 1 else {
            throw TissueGeometryError.unreachable("a \(width * 1e6) × \(height * 1e6) µm sample at porosity \(porosity) holds less than half a cell of radius \(radius * 1e6) µm; enlarge the sample")
        }
        let rEff = ((1 - porosity) * width * height / (Double(n) * Double.pi)).squareRoot()
        guard abs(rEff / radius - 1) <= radiusTolerance else {
            throw TissueGeometryError.unreachable("porosity \(porosity) and r_eff \(radius * 1e6) µm cannot both be met within 2 % with a whole number of cells in a \(width * 1e6) × \(height * 1e6) µm sample (\(n) cells give r_eff = \(rEff * 1e6) µm); enlarge the sample")
        }
        guard areaSpread >= 0, areaSpread.isFinite else {
            throw TissueGeometryError.invalidInput("cell-area spread \(areaSpread) must be a coefficient of variation >= 0")
        }
        var rng = SplitMix64(seed: seed)
        let (seeds, d) = poissonDisk(count: n, width: width, height: height, rng: &rng)
        let polygons = areaSpread == 0
            ? polygons(seeds: seeds, distance: d, z: nil, sigma: 0, width: width, height: height)
            : try spreadPolygons(seeds: seeds, distance: d, width: width, height: height, spread: areaSpread, seed: seed)
        let shrink = (1 - porosity).squareRoot()
        var cells: [ConvexPolygon] = []
        for cell in polygons {
            let c = cell.centroid
            var scaled = cell.scaled(by: shrink, about: c.x, c.y)
            // Keep the centroid inside the box (the cell of a seed near an edge may straddle it).
            let dx = c.x < 0 ? width : (c.x >= width ? -width : 0), dy = c.y < 0 ? height : (c.y >= height ? -height : 0)
            if dx != 0 || dy != 0 { scaled = scaled.translated(dx, dy) }
            cells.append(scaled)
        }
        return PolygonCells(cells: cells, width: width, height: height)
    }

    /// Stream of the size draws: the seed XOR this constant (the positions' stream is untouched).
    static let spreadStream: UInt64 = 0x5EED_5BEE_AD00_0001

    /// The Voronoi polygons of the plain recipe (σ nil), or the power cells with weights of width σ
    /// (see `sample`); one per seed, in seed order.
    static func polygons(seeds: [(Double, Double)], distance d: Double, z: [Double]?, sigma: Double,
                         width: Double, height: Double) -> [ConvexPolygon] {
        let weights = z.map { $0.map { d * d / (1 + Foundation.exp(-sigma * $0)) } }
        return seeds.indices.map { voronoiCell($0, seeds, weights: weights, width: width, height: height) }
    }

    /// Power cells of `seeds` whose areas have the coefficient of variation `spread` (σ by bisection).
    static func spreadPolygons(seeds: [(Double, Double)], distance d: Double, width: Double, height: Double,
                               spread: Double, seed: UInt64) throws -> [ConvexPolygon] {
        var rng = SplitMix64(seed: seed ^ spreadStream)
        var z: [Double] = []
        while z.count < seeds.count {   // standard normals by Box–Muller
            let u1 = max(rng.nextUniform(), Double.leastNormalMagnitude), u2 = rng.nextUniform()
            let r = (-2 * Foundation.log(u1)).squareRoot()
            z += [r * Foundation.cos(2 * Double.pi * u2), r * Foundation.sin(2 * Double.pi * u2)]
        }
        func cells(_ sigma: Double) -> [ConvexPolygon] {
            polygons(seeds: seeds, distance: d, z: z, sigma: sigma, width: width, height: height)
        }
        func cv(_ cells: [ConvexPolygon]) -> Double {
            let a = cells.map(\.area)
            let mean = a.reduce(0, +) / Double(a.count)
            return (a.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(a.count)).squareRoot() / mean
        }
        let own = cv(cells(0))
        guard spread >= own else {
            throw TissueGeometryError.unreachable("cell-area spread \(spread) is below the plain recipe's own spread \(String(format: "%.3f", own)) in this sample (use 0 for the plain recipe)")
        }
        var lo = 0.0, hi = 50.0
        let most = cv(cells(hi))
        guard spread <= most else {
            throw TissueGeometryError.unreachable("cell-area spread \(spread) cannot be reached in this sample: at most \(String(format: "%.3f", most)) (\(seeds.count) cells)")
        }
        for _ in 0..<100 {
            let mid = 0.5 * (lo + hi)
            let c = cells(mid)
            let e = cv(c) - spread
            if abs(e) < 1e-5 { return c }
            if e < 0 { lo = mid } else { hi = mid }
        }
        let c = cells(0.5 * (lo + hi))
        guard abs(cv(c) - spread) < 1e-4 else {
            throw TissueGeometryError.unreachable("cell-area spread \(spread) could not be met in this sample (reached \(String(format: "%.4f", cv(c)))); try another seed or a larger sample")
        }
        return c
    }

    /// `count` points in the periodic box with pairwise (periodic) distance ≥ d (see `sample`).
    /// Returns the points and the final distance d.
    static func poissonDisk(count n: Int, width: Double, height: Double,
                            rng: inout SplitMix64) -> (points: [(Double, Double)], distance: Double) {
        var d = 0.8 * (2 * width * height / (3.0.squareRoot() * Double(n))).squareRoot()
        var points: [(Double, Double)] = []
        var misses = 0
        while points.count < n {
            let x = rng.nextUniform() * width, y = rng.nextUniform() * height
            var ok = true
            for p in points {
                var dx = abs(p.0 - x), dy = abs(p.1 - y)
                dx = min(dx, width - dx)
                dy = min(dy, height - dy)
                if dx * dx + dy * dy < d * d { ok = false; break }
            }
            if ok {
                points.append((x, y))
                misses = 0
            } else {
                misses += 1
                if misses >= 2000 { d *= 0.95; misses = 0 }
            }
        }
        return (points, d)
    }

    /// The Voronoi cell of seed k among all seeds and their periodic images (a convex polygon around
    /// the seed, in unwrapped coordinates).
    /// With `weights`, the power (Laguerre) cell: |x − p|² − w_p ≤ |x − q|² − w_q.
    static func voronoiCell(_ k: Int, _ seeds: [(Double, Double)], weights: [Double]? = nil,
                            width: Double, height: Double) -> ConvexPolygon {
        let (px, py) = seeds[k]
        let big = 2 * max(width, height)
        var poly = ConvexPolygon(xs: [px - big, px + big, px + big, px - big], ys: [py - big, py - big, py + big, py + big])
        for (m, s) in seeds.enumerated() {
            for sx in -1...1 {
                for sy in -1...1 {
                    if m == k && sx == 0 && sy == 0 { continue }
                    let qx = s.0 + Double(sx) * width, qy = s.1 + Double(sy) * height
                    // Half-plane closer to p than to q: (q − p)·x ≤ (|q|² − |p|²)/2.
                    let a = qx - px, b = qy - py
                    let power = weights.map { 0.5 * ($0[k] - $0[m]) } ?? 0
                    let c = 0.5 * (qx * qx + qy * qy - px * px - py * py) + power
                    poly = poly.clipped(a: a, b: b, c: c)
                }
            }
        }
        return poly
    }
}

/// A binary cell mask on a pixel grid (row-major (rows, columns), row 0 at y = 0, 1 = cell),
/// with square pixels of side `pixelSize` (m), repeated periodically beyond its edges.
public struct MaskCells: CellGeometry, Equatable {
    public let mask: [UInt8]
    public let columns: Int
    public let rows: Int
    public let pixelSize: Double

    public init(mask: [UInt8], columns: Int, rows: Int, pixelSize: Double) throws {
        guard columns > 0, rows > 0, mask.count == columns * rows else {
            throw TissueGeometryError.invalidInput("mask of \(mask.count) values is not \(rows) × \(columns)")
        }
        guard pixelSize > 0, pixelSize.isFinite else {
            throw TissueGeometryError.invalidInput("pixel size must be positive, got \(pixelSize) m")
        }
        self.mask = mask.map { $0 != 0 ? 1 : 0 }
        self.columns = columns
        self.rows = rows
        self.pixelSize = pixelSize
    }

    public var width: Double { Double(columns) * pixelSize }
    public var height: Double { Double(rows) * pixelSize }

    public func isSolid(x: Double, y: Double) -> Bool {
        var i = Int((x / pixelSize).rounded(.down)) % columns, j = Int((y / pixelSize).rounded(.down)) % rows
        if i < 0 { i += columns }
        if j < 0 { j += rows }
        return mask[j * columns + i] != 0
    }

    /// Porosity of the mask: fraction of fluid pixels.
    public var porosity: Double { 1 - Double(mask.reduce(0) { $0 + Int($1) }) / Double(mask.count) }

    /// r_eff = √(mean cell area / π), cells = 4-connected solid pixel groups of the periodic sample
    /// (a cell cut by an edge of the image counts once).
    public var effectiveRadius: Double {
        let count = cellCount
        let solidArea = Double(mask.reduce(0) { $0 + Int($1) }) * pixelSize * pixelSize
        return count > 0 ? (solidArea / Double(count) / Double.pi).squareRoot() : 0
    }

    /// Number of cells: 4-connected solid pixel groups, periodic in x and y.
    public var cellCount: Int {
        TissueMaskAnalysis.components(solid: mask.map { $0 != 0 }, nx: columns, ny: rows, periodicX: true)
    }
}

/// Connectivity checks on grid masks (periodic in y; in x only where asked).
public enum TissueMaskAnalysis {
    /// Number of 4-connected components of the `true` cells of an (ny, nx) row-major mask.
    public static func components(solid: [Bool], nx: Int, ny: Int, periodicX: Bool = false) -> Int {
        var label = [Int32](repeating: -1, count: nx * ny)
        var count = 0
        var stack: [Int] = []
        for start in 0..<(nx * ny) where solid[start] && label[start] < 0 {
            label[start] = Int32(count)
            stack.append(start)
            while let k = stack.popLast() {
                let i = k % nx, j = k / nx
                let up = j == ny - 1 ? i : k + nx, down = j == 0 ? (ny - 1) * nx + i : k - nx
                var nbs = [up, down]
                if i > 0 { nbs.append(k - 1) } else if periodicX { nbs.append(k + nx - 1) }
                if i < nx - 1 { nbs.append(k + 1) } else if periodicX { nbs.append(k - nx + 1) }
                for m in nbs where solid[m] && label[m] < 0 {
                    label[m] = Int32(count)
                    stack.append(m)
                }
            }
            count += 1
        }
        return count
    }

    /// Whether fluid cells (`fluid` true) connect the inlet column i = 0 to the outlet column
    /// i = nx − 1 through 4-neighbours (periodic in y).
    public static func hasFluidPath(fluid: [Bool], nx: Int, ny: Int) -> Bool {
        var seen = [Bool](repeating: false, count: nx * ny)
        var stack: [Int] = []
        for j in 0..<ny where fluid[j * nx] {
            seen[j * nx] = true
            stack.append(j * nx)
        }
        while let k = stack.popLast() {
            let i = k % nx, j = k / nx
            if i == nx - 1 { return true }
            let up = j == ny - 1 ? i : k + nx, down = j == 0 ? (ny - 1) * nx + i : k - nx
            var nbs = [up, down, k + 1]
            if i > 0 { nbs.append(k - 1) }
            for m in nbs where fluid[m] && !seen[m] {
                seen[m] = true
                stack.append(m)
            }
        }
        return false
    }
}
