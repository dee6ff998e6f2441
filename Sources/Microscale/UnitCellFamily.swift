import Numerics

/// Unit cells for training data (DESIGN §2, "Other unit cells"): one periodic tile of a cell layout,
/// repeated `UnitCellRow.tiles` times along x into the row whose tiles are the flow domains.
///
/// Every family is described by the same numbers, with one home each: the tile (width ℓ along the
/// flow, height H), the exact porosity εβ = fluid area / (ℓ H), the effective radius
/// r_eff = √(mean cell area / π), the narrowest fluid gap and the number of cells per tile. The
/// dimensionless problem is fixed by the shape and (εβ, φ², Pe, Dr, cL/Ka) with r = r_eff, so the six
/// closure features keep their definitions with r = r_eff:
///
///     φ² = km r_eff² / (Ka Dβ),   Pe = r_eff ⟨v⟩^β / Dβ,   ⟨v⟩^β = (flux through x = 0)/(H εβ),
///     gradient feature = −r_eff ∂x⟨c⟩^β / Ka by differences of tile averages, Δx = ℓ.
///
/// Units: m.
public enum UnitCellFamily: Sendable, Equatable, CustomStringConvertible {
    /// The reference row (`UnitCellRow`): a square lattice of circles at 45° to the flow, 3 µm tiles.
    case circleRow
    /// A hexagonal (triangular) lattice of equal circles with rows along the flow: tile ℓ = 3 µm wide
    /// and H ≈ ℓ√3 high holding two circles (one centred, four quarter circles at the corners).
    case hexagonal
    /// A periodic Voronoi sample made as the tissue strips are (`VoronoiTissue.sample`): `cells`
    /// Poisson-disk seeds in a square tile, their periodic Voronoi cells shrunk about their centroids
    /// to the porosity; r_eff = `voronoiRadius`. `areaSpread` > 0: cells of different sizes, the
    /// coefficient of variation of their areas (`VoronoiTissue.sample`); 0 is the plain recipe.
    case voronoi(cells: Int, areaSpread: Double = 0)
    /// Square windows of a user's segmented image, mirrored in x and y into a periodic tile.
    case mask(UnitCellMask)

    /// The name used on the command line and in files.
    public var name: String {
        switch self {
        case .circleRow: return "circle-row"
        case .hexagonal: return "hexagonal"
        case .voronoi: return "voronoi"
        case .mask: return "mask"
        }
    }

    public static let names = ["circle-row", "hexagonal", "voronoi", "mask"]

    public var description: String {
        switch self {
        case .circleRow, .hexagonal: return name
        case .voronoi(let n, let spread):
            return "voronoi (\(n) cells per tile" + (spread > 0 ? ", cell-area spread \(spread))" : ")")
        case .mask(let m): return "mask \(m.source) (window \(m.window) px of \(m.image.pixelSize) m)"
        }
    }

    /// Tile width of the hexagonal lattice (m): the lattice spacing a.
    public static let hexagonalSpacing = 3e-6
    /// r_eff of Voronoi tiles (m); the tile side follows from the cell count and porosity.
    public static let voronoiRadius = 1e-6

    /// The porosities the family can make: open at the lower end where cells touch
    /// (1 − π/4 for the circle row, 1 − π/(2√3) ≈ 0.093 for the hexagonal lattice; Voronoi cells
    /// shrunk by √(1 − εβ) never touch, but channels below εβ = 0.05 are too thin to resolve).
    /// nil for a mask, whose windows have the porosity of the image.
    public var admissiblePorosity: ClosedRange<Double>? {
        switch self {
        case .circleRow: return UnitCellSampler.minimumPorosity.nextUp...1.0.nextDown
        case .hexagonal: return (1 - Double.pi / (2 * 3.0.squareRoot())).nextUp...1.0.nextDown
        case .voronoi: return 0.05...1.0.nextDown
        case .mask: return nil
        }
    }

    /// The default sampled porosity range: the reference study's for the circle row; for the new
    /// families one that covers brain (0.26) and liver (0.187) tissue.
    public var defaultPorosityRange: ClosedRange<Double> {
        switch self {
        case .circleRow: return UnitCellSampler.porosityRange
        case .hexagonal: return 0.12...0.6
        case .voronoi: return 0.15...0.6
        case .mask: return 0...1
        }
    }

    /// The realised tile for porosity εβ (ignored by `mask`) and geometry seed `seed` (Voronoi seeds and
    /// mask window positions; ignored by the lattices). `cellsPerTile`: the grid the tile will be
    /// solved on (the hexagonal tile's height is a whole number of its cells); nil for the nominal tile
    /// used to choose that grid.
    /// - Throws: `TissueGeometryError` for a porosity the family cannot reach or a mask without a
    ///   usable window.
    public func tile(porosity: Double, seed: UInt64, cellsPerTile: Int? = nil) throws -> UnitCellTile {
        if let range = admissiblePorosity, !range.contains(porosity) {
            throw TissueGeometryError.unreachable("porosity \(porosity) cannot be reached by the \(name) unit cell: expected \(range.lowerBound)…\(range.upperBound)")
        }
        switch self {
        case .circleRow:
            return UnitCellTile.circleRow(radius: UnitCellRow.radius(porosity: porosity))
        case .hexagonal:
            return UnitCellTile.hexagonal(porosity: porosity, cellsPerTile: cellsPerTile)
        case .voronoi(let n, let spread):
            return try UnitCellTile.voronoi(porosity: porosity, cells: n, areaSpread: spread, seed: seed)
        case .mask(let m):
            return try m.tile(seed: seed)
        }
    }
}

/// Where a mask family's windows come from: a binary image (1 = cell) with its pixel size, and the
/// side of the square windows (pixels).
public struct UnitCellMask: Sendable, Equatable {
    public let image: MaskCells
    /// File the image was read from (for provenance and messages).
    public let source: String
    /// Window side (pixels).
    public let window: Int
    /// Window positions tried per realisation before giving up on a fluid path.
    public static let attempts = 64

    public init(image: MaskCells, source: String, window: Int) throws {
        guard window >= 4, window <= image.columns, window <= image.rows else {
            throw TissueGeometryError.invalidInput("\(source): window of \(window) pixels must lie within 4…\(min(image.columns, image.rows)) (the image is \(image.columns) × \(image.rows) pixels)")
        }
        self.image = image
        self.source = source
        self.window = window
    }

    /// The window at (i0, j0) (pixels, lower-left corner), mirrored in x and y into a periodic tile of
    /// 2w × 2w pixels; nil if that tile has no fluid path along x or no cell.
    public func mirroredWindow(i0: Int, j0: Int) throws -> MaskCells? {
        let w = window, side = 2 * w
        var pixels = [UInt8](repeating: 0, count: side * side)
        for j in 0..<side {
            let sj = j < w ? j0 + j : j0 + (side - 1 - j)
            for i in 0..<side {
                let si = i < w ? i0 + i : i0 + (side - 1 - i)
                pixels[j * side + i] = image.mask[sj * image.columns + si]
            }
        }
        let cells = try MaskCells(mask: pixels, columns: side, rows: side, pixelSize: image.pixelSize)
        let solid = pixels.map { $0 != 0 }
        guard solid.contains(true) else { return nil }
        // A periodic fluid path along x: the tile repeated twice must connect its inlet and outlet.
        var twice = [Bool](repeating: false, count: 2 * side * side)
        for j in 0..<side { for i in 0..<(2 * side) { twice[j * 2 * side + i] = !solid[j * side + i % side] } }
        guard TissueMaskAnalysis.hasFluidPath(fluid: twice, nx: 2 * side, ny: side) else { return nil }
        return cells
    }

    /// The tile of realisation seed `seed`: the first of up to `attempts` window positions drawn from
    /// `SplitMix64(seed)` whose mirrored tile has a fluid path.
    func tile(seed: UInt64) throws -> UnitCellTile {
        var rng = SplitMix64(seed: seed)
        let nx = image.columns - window + 1, ny = image.rows - window + 1
        for _ in 0..<Self.attempts {
            let i0 = Int(rng.next() % UInt64(nx)), j0 = Int(rng.next() % UInt64(ny))
            if let cells = try mirroredWindow(i0: i0, j0: j0) {
                return UnitCellTile.mask(cells, window: (i0, j0), seed: seed, family: .mask(self))
            }
        }
        throw TissueGeometryError.noFluidPath("\(source): none of \(Self.attempts) windows of \(window) × \(window) pixels has both cells and a fluid path along x; choose a larger window or check that cells are 1 (or use --cells-dark)")
    }
}

/// One realised unit cell: the periodic tile of a `UnitCellFamily` and its numbers.
public struct UnitCellTile: Sendable {
    public let family: UnitCellFamily
    /// The cells on [0, width) × [0, height), repeated periodically beyond.
    public let cells: any CellGeometry
    /// Tile length ℓ along the flow and height H (m).
    public let width: Double
    public let height: Double
    /// Exact porosity εβ (fluid area / tile area; for a mask, its fluid pixel fraction).
    public let porosity: Double
    /// r_eff = √(mean cell area / π) (m).
    public let effectiveRadius: Double
    /// Cells per tile (quarter circles at the corners add up to whole ones).
    public let cellCount: Int
    /// Coefficient of variation of the cell areas (0 for the lattices; NaN for a mask).
    public let cellAreaSpread: Double
    /// The narrowest fluid gap between cells (m); for a mask, the pixel size (its walls are pixel edges).
    public let narrowestGap: Double
    /// Geometry seed (Voronoi) or window seed (mask); 0 for the lattices.
    public let seed: UInt64
    /// The mask window's lower-left pixel (i, j); (-1, -1) for other families.
    public let window: (i: Int, j: Int)
    /// Whether the lines y = 0 and y = H are mirror lines of the layout, so the row's top and bottom
    /// are symmetry (zero-flux) boundaries; otherwise the row is periodic in y.
    public let mirrorSymmetricInY: Bool

    /// The reference tile (`UnitCellRow`), radius r.
    public static func circleRow(radius r: Double) -> UnitCellTile {
        UnitCellTile(family: .circleRow, cells: UnitCellRow.cells(radius: r, tiles: 1), width: UnitCellRow.tileSize,
                     height: UnitCellRow.tileSize, porosity: UnitCellRow.porosity(radius: r), effectiveRadius: r,
                     cellCount: 2, cellAreaSpread: 0, narrowestGap: UnitCellRow.narrowestGap(radius: r), seed: 0, window: (-1, -1),
                     mirrorSymmetricInY: true)
    }

    /// The hexagonal tile: spacing a = `hexagonalSpacing`, height H = a√3 (rounded to a whole, even
    /// number of grid cells when `cellsPerTile` n is given: at most 1/n relative distortion), a circle
    /// at the centre and quarter circles at the corners; r = √((1 − εβ) a H / (2π)); gap a − 2r.
    static func hexagonal(porosity: Double, cellsPerTile n: Int?) -> UnitCellTile {
        let a = UnitCellFamily.hexagonalSpacing
        var height = a * 3.0.squareRoot()
        if let n {
            let rows = 2 * max(1, Int((Double(n) * 3.0.squareRoot() / 2).rounded()))
            height = Double(rows) * a / Double(n)
        }
        let r = ((1 - porosity) * a * height / (2 * Double.pi)).squareRoot()
        let circles = [Circle(x: a / 2, y: height / 2, radius: r),
                       Circle(x: 0, y: 0, radius: r), Circle(x: a, y: 0, radius: r),
                       Circle(x: 0, y: height, radius: r), Circle(x: a, y: height, radius: r)]
        let diagonal = (a * a / 4 + height * height / 4).squareRoot()
        return UnitCellTile(family: .hexagonal, cells: CircleCells(circles), width: a, height: height,
                            porosity: porosity, effectiveRadius: r, cellCount: 2, cellAreaSpread: 0,
                            narrowestGap: min(a, diagonal) - 2 * r, seed: 0, window: (-1, -1), mirrorSymmetricInY: true)
    }

    /// A Voronoi tile of `cells` cells with r_eff = `voronoiRadius`: side ℓ = √(n π r_eff² / (1 − εβ)).
    static func voronoi(porosity: Double, cells n: Int, areaSpread: Double = 0, seed: UInt64) throws -> UnitCellTile {
        guard n >= 2 else { throw TissueGeometryError.invalidInput("a Voronoi unit cell needs at least 2 cells per tile, got \(n)") }
        let r = UnitCellFamily.voronoiRadius
        let side = (Double(n) * Double.pi * r * r / (1 - porosity)).squareRoot()
        return try voronoiSample(width: side, height: side, porosity: porosity, radius: r, seed: seed, areaSpread: areaSpread,
                                 family: .voronoi(cells: n, areaSpread: areaSpread))
    }

    /// The periodic sample of a Voronoi tissue strip (`VoronoiTissue.sample` of that size, r_eff and seed)
    /// as a tile, e.g. for the D* of one strip's own sample; `family` names it (default: its cell count).
    public static func voronoiSample(width: Double, height: Double, porosity: Double, radius r: Double, seed: UInt64,
                                     areaSpread: Double = 0, family: UnitCellFamily? = nil) throws -> UnitCellTile {
        let sample = try VoronoiTissue.sample(width: width, height: height, porosity: porosity, radius: r, seed: seed,
                                              areaSpread: areaSpread)
        let areas = sample.cells.map(\.area)
        let mean = areas.reduce(0, +) / Double(areas.count)
        let variance = areas.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(areas.count)
        return UnitCellTile(family: family ?? .voronoi(cells: sample.cells.count, areaSpread: areaSpread), cells: sample, width: width, height: height, porosity: sample.porosity,
                            effectiveRadius: sample.effectiveRadius, cellCount: sample.cells.count,
                            cellAreaSpread: variance.squareRoot() / mean, narrowestGap: sample.narrowestGap, seed: seed, window: (-1, -1), mirrorSymmetricInY: false)
    }

    static func mask(_ cells: MaskCells, window: (Int, Int), seed: UInt64, family: UnitCellFamily) -> UnitCellTile {
        UnitCellTile(family: family, cells: cells, width: cells.width, height: cells.height, porosity: cells.porosity,
                     effectiveRadius: cells.effectiveRadius, cellCount: cells.cellCount, cellAreaSpread: .nan,
                     narrowestGap: cells.pixelSize,
                     seed: seed, window: window, mirrorSymmetricInY: false)
    }

    /// The grid of n cells along the tile width: h = ℓ/n, H/h rows (H is a whole number of cells for
    /// every family: square tiles, and the hexagonal tile made for n).
    public func grid(cellsPerTile n: Int) -> Grid2D {
        let h = width / Double(n)
        return Grid2D(nx: n, ny: max(1, Int((height / h).rounded())), h: h)
    }

    /// The fewest grid cells along the tile the resolution rule may choose: one per pixel of a mask, else 4.
    public var minimumCellsPerTile: Int {
        if case .mask(let m) = family { return 2 * m.window }
        return 4
    }

    /// Whether the tile has an exact height of whole grid cells at n cells per tile.
    func fitsGrid(cellsPerTile n: Int) -> Bool {
        let g = grid(cellsPerTile: n)
        return abs(g.height / height - 1) < 1e-9
    }

    /// Stokes flow through the row of `tiles` tiles for a pressure drop of `pressureDrop` (Pa) across
    /// it, solved on one periodic tile with G = PL/(tiles ℓ) and the exact porosity. The circle row
    /// uses `StokesFlow.unitCellRow` (its half-tile symmetry, unchanged results).
    public func flow(cellsPerTile n: Int, pressureDrop: Double, tiles: Int = UnitCellRow.tiles) throws -> FlowSolution {
        if case .circleRow = family {
            return try StokesFlow.unitCellRow(radius: effectiveRadius, cellsPerTile: n, pressureDrop: pressureDrop)
        }
        guard n >= 4 else { throw StokesFlowError.invalidInput("cellsPerTile must be at least 4, got \(n)") }
        guard fitsGrid(cellsPerTile: n) else {
            throw StokesFlowError.invalidInput("the \(family.name) tile (\(width) × \(height) m) is not a whole number of cells at \(n) cells per tile")
        }
        let g = grid(cellsPerTile: n)
        // A mask's walls are pixel edges: its gap is a pixel, resolved by `minimumCellsPerTile`.
        let isMask: Bool
        if case .mask = family { isMask = true } else { isMask = false }
        guard isMask || narrowestGap >= g.h else {
            throw StokesFlowError.underResolved("the gap of \(narrowestGap) m between cells is narrower than the grid spacing \(g.h) m; "
                + "use at least \(Int((3 * width / narrowestGap).rounded(.up))) cells per tile (3 cells across the gap)")
        }
        return try StokesFlow.periodicTile(geometry: cells, grid: g, bodyForce: pressureDrop / (Double(tiles) * width),
                                           porosity: porosity)
    }

    /// The cells of the whole row of `tiles` tiles, on [0, tiles ℓ) × [0, H).
    public func rowCells(tiles: Int = UnitCellRow.tiles) -> any CellGeometry {
        if case .circleRow = family { return UnitCellRow.cells(radius: effectiveRadius, tiles: tiles) }
        return PeriodicExtension(base: AnyCellGeometry(cells), width: width, height: height)
    }

    /// Solid fractions of the row's grid (`tiles` copies of `tileGrid` along x). The lattices and
    /// samples are periodic, so the tile's fractions are computed once and repeated; the circle row
    /// keeps its own whole-row evaluation (its results stay bit-identical to the reference row's).
    public func rowSolidFractions(tileGrid g: Grid2D, tiles: Int) -> [Double] {
        let row = Grid2D(nx: g.nx * tiles, ny: g.ny, h: g.h)
        if case .circleRow = family { return solidFractions(row, AnyCellGeometry(rowCells(tiles: tiles))) }
        let one = solidFractions(g, AnyCellGeometry(cells))
        var f = [Double](repeating: 0, count: row.cellCount)
        for j in 0..<g.ny {
            for k in 0..<tiles {
                for i in 0..<g.nx { f[row.index(k * g.nx + i, j)] = one[g.index(i, j)] }
            }
        }
        return f
    }

    /// Transport boundaries of the row: symmetry top and bottom for mirror-symmetric tiles, else periodic in y.
    public var rowBoundaries: TransportBoundaries {
        mirrorSymmetricInY ? .unitCellRow : .periodicY(inlet: .fluidOnly)
    }

    /// Identifies the tile's geometry for caching its flow.
    var flowKey: String {
        "\(family.name) \(porosity.bitPattern) \(effectiveRadius.bitPattern) \(height.bitPattern) \(seed) \(window.i) \(window.j)"
    }
}

/// Any cell geometry as a concrete type (for generic wrappers such as `PeriodicExtension`).
public struct AnyCellGeometry: CellGeometry {
    public let base: any CellGeometry
    public init(_ base: any CellGeometry) { self.base = base }
    public func isSolid(x: Double, y: Double) -> Bool { base.isSolid(x: x, y: y) }
}

extension ConvexPolygon {
    /// Distance (m) between two disjoint convex polygons: the smallest vertex-to-edge distance either way.
    func distance(to other: ConvexPolygon) -> Double {
        func vertexToEdges(_ p: ConvexPolygon, _ q: ConvexPolygon) -> Double {
            var best = Double.infinity
            for k in p.xs.indices {
                let x = p.xs[k], y = p.ys[k]
                for e in q.xs.indices {
                    let f = (e + 1) % q.xs.count
                    let ex = q.xs[f] - q.xs[e], ey = q.ys[f] - q.ys[e]
                    let len2 = ex * ex + ey * ey
                    let t = len2 > 0 ? max(0, min(1, ((x - q.xs[e]) * ex + (y - q.ys[e]) * ey) / len2)) : 0
                    let dx = x - (q.xs[e] + t * ex), dy = y - (q.ys[e] + t * ey)
                    best = min(best, (dx * dx + dy * dy).squareRoot())
                }
            }
            return best
        }
        return min(vertexToEdges(self, other), vertexToEdges(other, self))
    }
}

extension PolygonCells {
    /// The narrowest fluid gap (m): the smallest distance between two cells, periodic images included.
    public var narrowestGap: Double {
        var best = Double.infinity
        // Each unordered pair once: d(p_k, p_m + s) = d(p_m, p_k − s), so m ≥ k with every shift s.
        for k in cells.indices {
            for m in k..<cells.count {
                for sx in -1...1 {
                    for sy in -1...1 {
                        if m == k && sx == 0 && sy == 0 { continue }
                        best = min(best, cells[k].distance(to: cells[m].translated(Double(sx) * width, Double(sy) * height)))
                    }
                }
            }
        }
        return best
    }
}
