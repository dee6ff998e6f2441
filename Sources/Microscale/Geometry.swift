/// Microscale geometry: a uniform Cartesian grid, the cells (σ phase) as a point-membership
/// test, and per-grid-cell solid fractions. Units: m.

/// Uniform grid of nx × ny square cells of side h on [0, nx h] × [0, ny h].
/// Cell (i, j) has centre ((i + ½) h, (j + ½) h) and flat index j·nx + i, so a field is stored
/// row-major with numpy shape (ny, nx).
public struct Grid2D: Sendable, Equatable {
    public let nx: Int
    public let ny: Int
    /// Cell side h (m).
    public let h: Double

    public init(nx: Int, ny: Int, h: Double) {
        precondition(nx > 0 && ny > 0 && h > 0, "grid needs positive sizes")
        self.nx = nx
        self.ny = ny
        self.h = h
    }

    public var cellCount: Int { nx * ny }
    public var width: Double { Double(nx) * h }
    public var height: Double { Double(ny) * h }

    @inlinable public func index(_ i: Int, _ j: Int) -> Int { j &* nx &+ i }
    public func centreX(_ i: Int) -> Double { (Double(i) + 0.5) * h }
    public func centreY(_ j: Int) -> Double { (Double(j) + 0.5) * h }
}

/// MAC (staggered) face velocities on a `Grid2D` (m s⁻¹):
/// `u` at vertical faces x = i h (i = 0…nx), y = (j + ½) h: (nx + 1)·ny values, index j·(nx + 1) + i;
/// `v` at horizontal faces y = j h (j = 0…ny), x = (i + ½) h: nx·(ny + 1) values, index j·nx + i.
public struct FaceVelocities: Sendable, Equatable {
    public let grid: Grid2D
    public var u: [Double]
    public var v: [Double]

    public init(grid: Grid2D, u: [Double], v: [Double]) {
        precondition(u.count == (grid.nx + 1) * grid.ny && v.count == grid.nx * (grid.ny + 1), "face velocity sizes")
        self.grid = grid
        self.u = u
        self.v = v
    }

    /// The same flow on the grid of 2h (nx, ny even): each coarse face carries the summed flux
    /// of its two fine faces, so a discretely divergence-free field stays divergence-free.
    public func coarsened() -> FaceVelocities {
        let g = grid, c = Grid2D(nx: g.nx / 2, ny: g.ny / 2, h: 2 * g.h)
        precondition(g.nx % 2 == 0 && g.ny % 2 == 0, "coarsening needs even grid sizes")
        var cu = [Double](repeating: 0, count: (c.nx + 1) * c.ny)
        var cv = [Double](repeating: 0, count: c.nx * (c.ny + 1))
        for j in 0..<c.ny {
            for i in 0...c.nx {
                cu[j * (c.nx + 1) + i] = 0.5 * (u[2 * j * (g.nx + 1) + 2 * i] + u[(2 * j + 1) * (g.nx + 1) + 2 * i])
            }
        }
        for j in 0...c.ny {
            for i in 0..<c.nx {
                cv[j * c.nx + i] = 0.5 * (v[2 * j * g.nx + 2 * i] + v[2 * j * g.nx + 2 * i + 1])
            }
        }
        return FaceVelocities(grid: c, u: cu, v: cv)
    }

    /// Zero velocity everywhere.
    public static func zero(_ grid: Grid2D) -> FaceVelocities {
        FaceVelocities(grid: grid, u: [Double](repeating: 0, count: (grid.nx + 1) * grid.ny),
                       v: [Double](repeating: 0, count: grid.nx * (grid.ny + 1)))
    }

    /// All velocities scaled by `factor` (Stokes flow is linear in the driving pressure drop).
    public func scaled(by factor: Double) -> FaceVelocities {
        FaceVelocities(grid: grid, u: u.map { $0 * factor }, v: v.map { $0 * factor })
    }
}

/// Where the cells (σ phase, impermeable to flow) are.
public protocol CellGeometry: Sendable {
    /// Whether the point (x, y) (m) lies inside a cell.
    func isSolid(x: Double, y: Double) -> Bool
}

/// A circle of radius r centred at (x, y) (m).
public struct Circle: Sendable, Equatable {
    public var x: Double
    public var y: Double
    public var radius: Double
    public init(x: Double, y: Double, radius: Double) {
        self.x = x
        self.y = y
        self.radius = radius
    }
}

/// Cells as a union of circles.
public struct CircleCells: CellGeometry, Equatable {
    public var circles: [Circle]
    public init(_ circles: [Circle]) { self.circles = circles }

    public func isSolid(x: Double, y: Double) -> Bool {
        for c in circles {
            let dx = x - c.x, dy = y - c.y
            if dx * dx + dy * dy < c.radius * c.radius { return true }
        }
        return false
    }
}

/// The reference unit-cell row (DESIGN §2): square tiles of side `tile` (3 µm), each with a
/// centre circle and four quarter circles of radius r at its corners (a square lattice rotated
/// 45° to the flow); εβ = 1 − π r² / (tile²/2).
public enum UnitCellRow {
    public static let tileSize = 3e-6
    public static let tiles = 5

    /// Circles of `tiles` tiles in a row along x (corner circles shared between tiles).
    public static func cells(radius r: Double, tiles: Int = tiles, tile: Double = tileSize) -> CircleCells {
        var circles: [Circle] = []
        for k in 0..<tiles { circles.append(Circle(x: (Double(k) + 0.5) * tile, y: tile / 2, radius: r)) }
        for k in 0...tiles {
            circles.append(Circle(x: Double(k) * tile, y: 0, radius: r))
            circles.append(Circle(x: Double(k) * tile, y: tile, radius: r))
        }
        return CircleCells(circles)
    }

    /// εβ = 1 − π r² / (tile² / 2): one cell of radius r per half tile area.
    public static func porosity(radius r: Double, tile: Double = tileSize) -> Double {
        1 - Double.pi * r * r / (tile * tile / 2)
    }

    /// Radius giving porosity εβ.
    public static func radius(porosity: Double, tile: Double = tileSize) -> Double {
        ((1 - porosity) * tile * tile / (2 * Double.pi)).squareRoot()
    }

    /// The largest radius, at which the centre circle touches the corner circles: r = ℓ/(2√2)
    /// (εβ = 1 − π/4 ≈ 0.2146); admissible radii lie below it.
    public static func largestRadius(tile: Double = tileSize) -> Double {
        tile / (2 * 2.0.squareRoot())
    }

    /// The narrowest fluid gap, between the centre circle and a corner circle: ℓ/√2 − 2r (m).
    public static func narrowestGap(radius r: Double, tile: Double = tileSize) -> Double {
        tile / 2.0.squareRoot() - 2 * r
    }
}

/// Solid (cell) area fraction of every grid cell, from s × s sub-samples (row-major (ny, nx)).
public func solidFractions(_ grid: Grid2D, _ geometry: some CellGeometry, subsamples s: Int = 6) -> [Double] {
    var f = [Double](repeating: 0, count: grid.cellCount)
    let inv = 1 / Double(s * s)
    for j in 0..<grid.ny {
        for i in 0..<grid.nx {
            var inside = 0
            for a in 0..<s {
                for b in 0..<s {
                    let x = (Double(i) + (Double(a) + 0.5) / Double(s)) * grid.h
                    let y = (Double(j) + (Double(b) + 0.5) / Double(s)) * grid.h
                    if geometry.isSolid(x: x, y: y) { inside += 1 }
                }
            }
            f[grid.index(i, j)] = Double(inside) * inv
        }
    }
    return f
}

/// Distance (m) from (x, y), which must be outside the cells, to the cell boundary along the
/// direction (dx, dy) (a unit grid direction), if the boundary lies within `limit`; found by
/// bisection on `isSolid` to 1e-6 of `limit`. Used for sub-cell (Shortley–Weller) walls.
public func wallDistance(from x: Double, _ y: Double, direction dx: Double, _ dy: Double, limit: Double,
                         geometry: some CellGeometry) -> Double? {
    guard geometry.isSolid(x: x + dx * limit, y: y + dy * limit) else { return nil }
    var lo = 0.0, hi = limit
    for _ in 0..<40 {
        let mid = 0.5 * (lo + hi)
        if geometry.isSolid(x: x + dx * mid, y: y + dy * mid) { hi = mid } else { lo = mid }
        if hi - lo < 1e-6 * limit { break }
    }
    return 0.5 * (lo + hi)
}
