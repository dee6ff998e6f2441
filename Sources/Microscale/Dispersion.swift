import Foundation
import Numerics

/// Longitudinal effective dispersion D*(Pe) of the β phase from the closure problem on a periodic
/// unit cell (impermeable, non-reacting cells), issue 5 item 5.
///
/// Closure problem (Whitaker, *The Method of Volume Averaging*, 1999, ch. 3; Paine, Carbonell &
/// Whitaker 1983): with c̃ = b·∇⟨c⟩^β, the closure variable b(x) (m) for the x direction solves, in β,
///
///     v·∇b − Dβ ∇²b = −ṽ_x,          ṽ = v − ⟨v⟩^β  (deviation velocity),
///     −n·∇b = n_x                     on the cell walls, n = n_βσ pointing out of β into σ,
///     b periodic,  ⟨b⟩^β = 0,
///
/// and the xx component of the (β-intrinsic) dispersion tensor is
///
///     D*_xx = Dβ (1 + ⟨∂b/∂x⟩^β) − ⟨ṽ_x b⟩^β,
///
/// the coefficient of εβ ∂⟨c⟩^β/∂t + εβ⟨v⟩^β·∇⟨c⟩^β = ∇·(εβ D*·∇⟨c⟩^β). Signs checked by the limits:
/// Pe = 0 gives the intrinsic tortuosity factor 0 < D*/Dβ ≤ 1 (for a dilute square array of
/// cylinders Maxwell's 1/(1 + φs), φs = 1 − εβ; the superficial conductivity (1 − φs)/(1 + φs) is
/// εβ times it); plane Poiseuille flow of width W gives Taylor–Aris D*/Dβ = 1 + (⟨v⟩W/Dβ)²/210
/// (ṽ_x b < 0, dispersion enhanced).
///
/// Discretisation (cell-centred finite volumes on a `Grid2D`, periodic in x and y, no shear):
/// - **Staircase** geometry: a grid cell is fluid when its solid fraction is < ½ (given as a mask).
///   Faces between two fluid cells carry diffusion and convection; a face between a fluid and a solid
///   cell carries no flux of x + b: its wall term is −Dβ n_x h (n_x = ±1 on faces normal to x, 0 on
///   faces normal to y).
/// - Convection with the MAC face velocities of the flow, kept only on fluid–fluid faces, in the
///   advective form Σ_f F_f (b_f − b_P) (so it annihilates constants even where the staircase cuts
///   flow faces); face values by QUICK (falling back to central where the far-upstream cell is solid),
///   central or upwind.
/// - ⟨b⟩^β = 0 by a Lagrange multiplier (bordered system), solved with `SparseLU`.
/// - D*: ⟨∂(x + b)/∂x⟩^β = Σ_{fluid–fluid x faces}(1 + Δb/h) / N_fluid (the mean x flux of x + b);
///   ⟨ṽ_x b⟩^β with cell-centre velocities ½(u_w + u_e) and ṽ relative to their fluid mean.
///
/// Pe = ℓ ⟨v⟩^β / Dβ with ℓ = r (the reference study's definition) unless another length is given;
/// ⟨v⟩^β is the flow's `intrinsicVelocity` (exact porosity 1 − π r²/4.5 µm² on the unit cell).
public enum Dispersion {
    /// Result of one closure solve.
    public struct Result: Sendable {
        /// D*_xx (m² s⁻¹).
        public let coefficient: Double
        /// D*/Dβ.
        public let ratio: Double
        /// Diffusive (tortuosity) part 1 + ⟨∂b/∂x⟩^β.
        public let tortuosity: Double
        /// Convective part −⟨ṽ_x b⟩^β / Dβ.
        public let convective: Double
        /// Fraction of grid cells that are fluid (staircase porosity).
        public let fluidFraction: Double
        /// Closure variable b (m) per grid cell, row-major (ny, nx); NaN in solid cells.
        public let b: [Double]
        /// Lagrange multiplier (dimensionless): the solvability defect; ≈ 0 when the flow is
        /// divergence-free on the staircase fluid cells.
        public let multiplier: Double
        /// Connected fluid regions of the staircase mask (1 unless the grid closes a gap).
        public let fluidRegions: Int
    }

    /// One row of a D*(Pe) table.
    public struct Row: Sendable, Equatable {
        public let peclet: Double
        public let coefficient: Double
        public let ratio: Double
    }

    /// Errors for bad input.
    public enum Failure: Error, CustomStringConvertible, Equatable {
        case invalidInput(String)
        public var description: String {
            switch self { case .invalidInput(let m): return "dispersion: \(m)" }
        }
    }

    /// Staircase mask (true = solid) of `geometry` on `grid`: solid fraction ≥ ½ (6 × 6 sub-samples).
    public static func staircaseMask(_ grid: Grid2D, _ geometry: some CellGeometry) -> [Bool] {
        solidFractions(grid, geometry).map { $0 >= 0.5 }
    }

    /// Solve the closure problem on a periodic tile with solid mask `solid` (row-major (ny, nx), true =
    /// cell) and face velocities `velocities` (periodic tile, face nx ≡ 0, row ny ≡ 0).
    public static func solve(solid: [Bool], velocities: FaceVelocities, diffusivity: Double,
                             scheme: ConvectionScheme = .quick) throws -> Result {
        let g = velocities.grid
        guard solid.count == g.cellCount else { throw Failure.invalidInput("mask has \(solid.count) cells, grid \(g.cellCount)") }
        guard diffusivity > 0, diffusivity.isFinite else { throw Failure.invalidInput("diffusivity must be positive, got \(diffusivity)") }
        let tile = ClosureTile(solid: solid, velocities: velocities)
        guard tile.nf > 0 else { throw Failure.invalidInput("the tile has no fluid cell") }
        let scale = g.h / diffusivity   // velocity → cell Péclet number
        let (uc, mean) = tile.cellCentreVelocities()
        let (a, rhs) = tile.assemble(scheme: scheme, scale: scale, uc: uc, mean: mean)
        let lu = try SparseLU(a.build())
        let x = try lu.solve(rhs)
        return tile.result(x, uc: uc, mean: mean, scale: scale, diffusivity: diffusivity)
    }

    /// The pre-asymptotic dispersion D*(t): the closure problem from b = 0 at t = 0, i.e. solute spread
    /// uniformly over the fluid at t = 0 (as at the inlet of a strip fed with c = cL over its fluid),
    ///
    ///     ∂b/∂t + v·∇b − Dβ ∇²b = −ṽ_x,   the same walls and periodicity,
    ///     D*(t) = Dβ (1 + ⟨∂b/∂x⟩^β) − ⟨ṽ_x b⟩^β,
    ///
    /// which starts at Dβ times the fraction of x faces between fluid cells (no wall felt yet beyond
    /// the staircase's blocked faces; → Dβ as h → 0) and tends to `solve`'s asymptotic D* after a few
    /// times the time to diffuse across the flow paths. The results at `times` (s, increasing, > 0); implicit Euler
    /// with `substeps` equal steps between consecutive times (one factorisation per interval).
    public static func development(solid: [Bool], velocities: FaceVelocities, diffusivity: Double, times: [Double],
                                   scheme: ConvectionScheme = .quick, substeps: Int = 8) throws -> [Result] {
        let g = velocities.grid
        guard solid.count == g.cellCount else { throw Failure.invalidInput("mask has \(solid.count) cells, grid \(g.cellCount)") }
        guard diffusivity > 0, diffusivity.isFinite else { throw Failure.invalidInput("diffusivity must be positive, got \(diffusivity)") }
        guard !times.isEmpty, times[0] > 0, zip(times, times.dropFirst()).allSatisfy({ $0 < $1 }), substeps >= 1 else {
            throw Failure.invalidInput("times must be positive and increasing, substeps ≥ 1")
        }
        let tile = ClosureTile(solid: solid, velocities: velocities)
        guard tile.nf > 0 else { throw Failure.invalidInput("the tile has no fluid cell") }
        let scale = g.h / diffusivity
        let (uc, mean) = tile.cellCentreVelocities()
        let (steady, rhs) = tile.assemble(scheme: scheme, scale: scale, uc: uc, mean: mean)
        var x = [Double](repeating: 0, count: tile.nf + tile.regions)   // b̂ = b/h and the multipliers
        var previous = 0.0
        var results: [Result] = []
        for t in times {
            let dt = (t - previous) / Double(substeps)
            // Row P is the steady row (fluxes / Dβ) plus the storage h² (b̂ − b̂_old)/(Dβ Δt).
            let storage = g.h * g.h / (diffusivity * dt)
            var a = steady
            for k in 0..<tile.nf { a.add(k, k, storage) }
            let lu = try SparseLU(a.build())
            for _ in 0..<substeps {
                var b = rhs
                for k in 0..<tile.nf { b[k] += storage * x[k] }
                x = try lu.solve(b)
            }
            results.append(tile.result(x, uc: uc, mean: mean, scale: scale, diffusivity: diffusivity))
            previous = t
        }
        return results
    }

    /// An exploratory reactive closure: the steady closure problem with the deviation field taken up at
    /// the cell walls, v·∇b − Dβ∇²b + k_w b = −ṽ_x, where k_w is nonzero only in fluid cells beside a
    /// cell, in proportion to their wall faces, and its fluid mean is `rate` (s⁻¹; e.g. the uptake rate
    /// (εσ/εβ) km η/(Ka + ⟨c⟩)): a Robin-type sink standing for the uptake through the cell surfaces.
    public static func dampedAtWalls(solid: [Bool], velocities: FaceVelocities, diffusivity: Double, rate: Double,
                                     scheme: ConvectionScheme = .quick) throws -> Result {
        let g = velocities.grid
        guard solid.count == g.cellCount, rate >= 0, rate.isFinite, diffusivity > 0 else {
            throw Failure.invalidInput("dampedAtWalls needs a matching mask, a rate ≥ 0 and a positive diffusivity")
        }
        let tile = ClosureTile(solid: solid, velocities: velocities)
        guard tile.nf > 0 else { throw Failure.invalidInput("the tile has no fluid cell") }
        var walls = [Double](repeating: 0, count: tile.nf)
        for j in 0..<g.ny {
            for i in 0..<g.nx where !solid[j * g.nx + i] {
                let k = tile.id[j * g.nx + i]
                for n in [tile.cell(i + 1, j), tile.cell(i - 1, j), tile.cell(i, j + 1), tile.cell(i, j - 1)] where solid[n] { walls[k] += 1 }
            }
        }
        let total = walls.reduce(0, +)
        guard total > 0 else { throw Failure.invalidInput("the tile has no wall") }
        let scale = g.h / diffusivity
        let (uc, mean) = tile.cellCentreVelocities()
        var (a, rhs) = tile.assemble(scheme: scheme, scale: scale, uc: uc, mean: mean)
        // Row P: fluxes / Dβ; the sink k_P h² b̂_P / Dβ with k_P = rate · N_fluid · walls_P / Σ walls.
        for k in 0..<tile.nf where walls[k] > 0 {
            a.add(k, k, rate * Double(tile.nf) * walls[k] / total * g.h * g.h / diffusivity)
        }
        let x = try SparseLU(a.build()).solve(rhs)
        return tile.result(x, uc: uc, mean: mean, scale: scale, diffusivity: diffusivity)
    }

    /// Orientation of the square lattice of circles (one circle of radius r per 4.5 µm²) to the flow.
    public enum Lattice: String, Sendable, CaseIterable {
        /// The reference unit cell: the lattice rotated 45° (centre + four quarter circles per 3 µm tile).
        case staggered
        /// The same lattice with a lattice axis along the flow: one centred circle per tile of side
        /// √4.5 µm ≈ 2.121 µm, straight fluid lanes between the rows of circles.
        case inline
    }

    /// A prepared unit cell (flow solved once, scaled per Pe).
    public struct UnitCell: Sendable {
        /// Cell radius, r_eff for a non-circular tile (m).
        public let radius: Double
        /// The circle row's orientation (`.staggered` for tiles of other families).
        public let lattice: Lattice
        public let mask: [Bool]
        /// Flow at unit pressure drop.
        public let flow: FlowSolution
        /// Length ℓ in Pe = ℓ⟨v⟩^β/Dβ.
        public let pecletLength: Double

        /// The reference unit cell (one 3 µm tile, centre circle and four quarter circles of radius r,
        /// `UnitCellRow`) on an n × n grid; Stokes flow by `StokesFlow.unitCellRow` (sub-cell walls),
        /// transport mask by the staircase rule.
        /// With `lattice: .inline` the tile is the √4.5 µm square around one circle, n cells a side,
        /// its flow by `StokesFlow.periodicTile` (same walls, same porosity 1 − π r²/4.5 µm²).
        /// The tile of any unit-cell family (`UnitCellTile`) on n cells along its length: Stokes flow by
        /// `UnitCellTile.flow` (the circle row's is `.staggered`'s), the staircase mask of its periodic
        /// cells, Pe length r_eff unless given.
        public init(tile: UnitCellTile, cellsPerTile n: Int, pecletLength: Double? = nil) throws {
            if let l = pecletLength, !(l > 0 && l.isFinite) { throw Failure.invalidInput("Péclet length must be positive, got \(l)") }
            self.radius = tile.effectiveRadius
            self.lattice = .staggered
            self.flow = try tile.flow(cellsPerTile: n, pressureDrop: 1)
            self.mask = Dispersion.staircaseMask(flow.grid, PeriodicExtension(base: AnyCellGeometry(tile.cells),
                                                                              width: tile.width, height: tile.height))
            self.pecletLength = pecletLength ?? tile.effectiveRadius
        }

        public init(radius: Double, cellsPerTile n: Int, pecletLength: Double? = nil, lattice: Lattice = .staggered) throws {
            if let l = pecletLength, !(l > 0 && l.isFinite) { throw Failure.invalidInput("Péclet length must be positive, got \(l)") }
            let flow: FlowSolution
            let cells: CircleCells
            switch lattice {
            case .staggered:
                flow = try StokesFlow.unitCellRow(radius: radius, cellsPerTile: n, pressureDrop: 1)
                cells = UnitCellRow.cells(radius: radius, tiles: 1)
            case .inline:
                let side = (UnitCellRow.tileSize * UnitCellRow.tileSize / 2).squareRoot()
                guard radius > 0, 2 * radius < side else {
                    throw Failure.invalidInput("radius \(radius) m does not fit the inline tile of side \(side) m (need 0 < 2r < side)")
                }
                cells = CircleCells([Circle(x: side / 2, y: side / 2, radius: radius)])
                flow = try StokesFlow.periodicTile(geometry: cells, grid: Grid2D(nx: n, ny: n, h: side / Double(n)),
                                                   bodyForce: 1, porosity: UnitCellRow.porosity(radius: radius))
            }
            self.radius = radius
            self.lattice = lattice
            self.flow = flow
            self.mask = Dispersion.staircaseMask(flow.grid, cells)
            self.pecletLength = pecletLength ?? radius
        }

        /// Closure solution at Péclet number `peclet` (≥ 0).
        public func solve(peclet: Double, diffusivity: Double = 1e-10, scheme: ConvectionScheme = .quick) throws -> Result {
            guard peclet >= 0, peclet.isFinite else { throw Failure.invalidInput("Péclet number must be ≥ 0, got \(peclet)") }
            let v = flow.intrinsicVelocity
            let factor = peclet * diffusivity / (pecletLength * v)
            return try Dispersion.solve(solid: mask, velocities: flow.velocities.scaled(by: factor),
                                        diffusivity: diffusivity, scheme: scheme)
        }

        /// D* at Péclet number `peclet` with the deviation field taken up at the walls (`Dispersion.dampedAtWalls`).
        public func dampedAtWalls(peclet: Double, rate: Double, diffusivity: Double = 1e-10,
                                  scheme: ConvectionScheme = .quick) throws -> Result {
            guard peclet >= 0, peclet.isFinite else { throw Failure.invalidInput("Péclet number must be ≥ 0, got \(peclet)") }
            let factor = peclet * diffusivity / (pecletLength * flow.intrinsicVelocity)
            return try Dispersion.dampedAtWalls(solid: mask, velocities: flow.velocities.scaled(by: factor),
                                                diffusivity: diffusivity, rate: rate, scheme: scheme)
        }

        /// The pre-asymptotic D*(t) at Péclet number `peclet` (`Dispersion.development`).
        public func development(peclet: Double, times: [Double], diffusivity: Double = 1e-10,
                                scheme: ConvectionScheme = .quick, substeps: Int = 8) throws -> [Result] {
            guard peclet >= 0, peclet.isFinite else { throw Failure.invalidInput("Péclet number must be ≥ 0, got \(peclet)") }
            let factor = peclet * diffusivity / (pecletLength * flow.intrinsicVelocity)
            return try Dispersion.development(solid: mask, velocities: flow.velocities.scaled(by: factor),
                                              diffusivity: diffusivity, times: times, scheme: scheme, substeps: substeps)
        }
    }

    /// D*_xx (m² s⁻¹) on the reference unit cell of radius `radius` (m) with n cells per 3 µm tile, at
    /// Pe = r⟨v⟩^β/Dβ = `peclet`.
    public static func coefficient(radius: Double, cellsPerTile n: Int, peclet: Double,
                                   diffusivity: Double = 1e-10, scheme: ConvectionScheme = .quick) throws -> Double {
        try UnitCell(radius: radius, cellsPerTile: n).solve(peclet: peclet, diffusivity: diffusivity, scheme: scheme).coefficient
    }

    /// D*/Dβ with the tortuosity frozen at its value at rest: 1 + ⟨∂b/∂x⟩ at Pe = 0 plus the
    /// convective term −⟨ṽx b⟩/Dβ at Pe. The reference table follows this sum (docs/unitcell-dns.md, "Dispersion").
    public static func frozenTortuosityRatio(rest: Result, at result: Result) -> Double {
        rest.tortuosity + result.convective
    }

    /// (Pe, D*) pairs of a reference table `effective_dispersion_…csv` (lines starting with %
    /// skipped; columns PL, Pe, D* in SI units), sorted by Pe.
    public static func readReferenceTable(path: String) throws -> (peclet: [Double], coefficient: [Double]) {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw Failure.invalidInput("cannot read \(path)")
        }
        var rows: [(Double, Double)] = []
        for line in text.split(whereSeparator: \.isNewline) where !line.hasPrefix("%") {
            let f = line.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
            guard f.count >= 3, let pe = f[1], let d = f[2] else { throw Failure.invalidInput("\(path): bad line \(line)") }
            rows.append((pe, d))
        }
        guard rows.count >= 2 else { throw Failure.invalidInput("\(path): fewer than 2 data rows") }
        rows.sort { $0.0 < $1.0 }
        return (rows.map(\.0), rows.map(\.1))
    }

    /// The 11 Péclet numbers of the reference table (`effective_dispersion_…csv`, rounded).
    public static let referencePeclets: [Double] = [0.01, 0.1, 1, 2, 4, 8, 16, 32, 64, 128, 512]

    /// D*(Pe) on the reference unit cell at each Péclet number (flow solved once).
    public static func table(radius: Double, cellsPerTile n: Int, peclets: [Double] = referencePeclets,
                             diffusivity: Double = 1e-10, pecletLength: Double? = nil,
                             scheme: ConvectionScheme = .quick, lattice: Lattice = .staggered) throws -> [Row] {
        let cell = try UnitCell(radius: radius, cellsPerTile: n, pecletLength: pecletLength, lattice: lattice)
        return try peclets.map { pe in
            let r = try cell.solve(peclet: pe, diffusivity: diffusivity, scheme: scheme)
            return Row(peclet: pe, coefficient: r.coefficient, ratio: r.ratio)
        }
    }
}

/// The fluid cells of a periodic closure tile: their numbering, connected regions and face
/// velocities, and the assembly of `Dispersion.solve`'s system.
///
/// Unknowns: b̂ = b / h. Row P (divided by Dβ h⁰): Σ Pe_f (b̂_f − b̂_P) − Σ (b̂_N − b̂_P) + λ = −ṽ_P h/Dβ − Σ_walls n_x.
private struct ClosureTile {
    let solid: [Bool]
    let velocities: FaceVelocities
    let nx: Int, ny: Int
    /// Unknown index of each fluid cell, −1 in a cell.
    let id: [Int]
    /// Fluid cells.
    let nf: Int
    /// Connected fluid region of each fluid cell (4-neighbour, periodic), −1 in a cell.
    let component: [Int]
    let regions: Int

    init(solid: [Bool], velocities: FaceVelocities) {
        self.solid = solid
        self.velocities = velocities
        let g = velocities.grid
        nx = g.nx; ny = g.ny
        var id = [Int](repeating: -1, count: g.cellCount)
        var nf = 0
        for k in 0..<g.cellCount where !solid[k] { id[k] = nf; nf += 1 }
        self.id = id
        self.nf = nf
        (component, regions) = Self.fluidRegions(solid: solid, nx: g.nx, ny: g.ny)
    }

    @inline(__always) static func wrap(_ i: Int, _ n: Int) -> Int { (i % n + n) % n }
    @inline(__always) func wx(_ i: Int) -> Int { Self.wrap(i, nx) }
    @inline(__always) func wy(_ j: Int) -> Int { Self.wrap(j, ny) }
    @inline(__always) func cell(_ i: Int, _ j: Int) -> Int { wy(j) * nx + wx(i) }

    /// Connected fluid regions (4-neighbour, periodic): b is fixed up to a constant in each, so each
    /// gets its own multiplier (Σ_region b = 0); several regions mean the staircase closed a gap.
    private static func fluidRegions(solid: [Bool], nx: Int, ny: Int) -> (component: [Int], regions: Int) {
        func cell(_ i: Int, _ j: Int) -> Int { wrap(j, ny) * nx + wrap(i, nx) }
        var component = [Int](repeating: -1, count: nx * ny)
        var regions = 0
        for start in 0..<nx * ny where !solid[start] && component[start] < 0 {
            var stack = [start]
            component[start] = regions
            while let k = stack.popLast() {
                let i = k % nx, j = k / nx
                for nb in [cell(i + 1, j), cell(i - 1, j), cell(i, j + 1), cell(i, j - 1)] where !solid[nb] && component[nb] < 0 {
                    component[nb] = regions
                    stack.append(nb)
                }
            }
            regions += 1
        }
        return (component, regions)
    }

    // Face velocities kept on fluid–fluid faces only (m/s).
    func uFace(_ i: Int, _ j: Int) -> Double {   // face between (i−1, j) and (i, j)
        let a = cell(i - 1, j), b = cell(i, j)
        return solid[a] || solid[b] ? 0 : velocities.u[wy(j) * (nx + 1) + wx(i)]
    }
    func vFace(_ i: Int, _ j: Int) -> Double {   // face between (i, j−1) and (i, j)
        let a = cell(i, j - 1), b = cell(i, j)
        return solid[a] || solid[b] ? 0 : velocities.v[wy(j) * nx + wx(i)]
    }

    /// Cell-centre x velocity and its fluid mean.
    func cellCentreVelocities() -> (uc: [Double], mean: Double) {
        var uc = [Double](repeating: 0, count: nx * ny)
        var mean = 0.0
        for j in 0..<ny { for i in 0..<nx where !solid[j * nx + i] {
            uc[j * nx + i] = 0.5 * (uFace(i, j) + uFace(i + 1, j)); mean += uc[j * nx + i]
        } }
        mean /= Double(nf)
        return (uc, mean)
    }

    /// Convection across a face between `up`stream-side ordering L → R with cell Péclet `pe` (positive L → R).
    func convect(_ l: Int, _ r: Int, _ ll: Int, _ rr: Int, _ pe: Double, _ scheme: ConvectionScheme,
                 _ a: inout SparseMatrixBuilder) {
        guard pe != 0 else { return }
        var w: [(Int, Double)]
        let (upC, dnC, far) = pe > 0 ? (l, r, ll) : (r, l, rr)
        switch scheme {
        case .central: w = [(l, 0.5), (r, 0.5)]
        case .upwind: w = [(upC, 1)]
        case .quick: w = solid[far] ? [(l, 0.5), (r, 0.5)] : [(upC, 0.75), (dnC, 0.375), (far, -0.125)]
        }
        // Row L: outward flux pe; row R: outward flux −pe.
        for (c, wt) in w { a.add(id[l], id[c], pe * wt); a.add(id[r], id[c], -pe * wt) }
        a.add(id[l], id[l], -pe); a.add(id[r], id[r], pe)
    }

    /// The system matrix and right-hand side: per fluid cell its x and y faces (diffusion,
    /// convection, wall normals n_x), the mean-flow source and the region multiplier.
    func assemble(scheme: ConvectionScheme, scale: Double, uc: [Double], mean: Double) -> (SparseMatrixBuilder, [Double]) {
        let size = nf + regions
        var a = SparseMatrixBuilder(rows: size, columns: size, reserve: 12 * nf)
        var rhs = [Double](repeating: 0, count: size)
        for j in 0..<ny {
            for i in 0..<nx {
                let p = j * nx + i
                // x face between (i−1, j) = L and (i, j) = R.
                let l = cell(i - 1, j)
                if !solid[l] && !solid[p] {
                    a.add(id[l], id[l], 1); a.add(id[l], id[p], -1)
                    a.add(id[p], id[p], 1); a.add(id[p], id[l], -1)
                    convect(l, p, cell(i - 2, j), cell(i + 1, j), uFace(i, j) * scale, scheme, &a)
                } else if !solid[l] {
                    rhs[id[l]] -= 1      // east wall of L: n_x = +1
                } else if !solid[p] {
                    rhs[id[p]] += 1      // west wall of P: n_x = −1
                }
                // y face between (i, j−1) = S and (i, j).
                let s = cell(i, j - 1)
                if !solid[s] && !solid[p] {
                    a.add(id[s], id[s], 1); a.add(id[s], id[p], -1)
                    a.add(id[p], id[p], 1); a.add(id[p], id[s], -1)
                    convect(s, p, cell(i, j - 2), cell(i, j + 1), vFace(i, j) * scale, scheme, &a)
                }
                if !solid[p] {
                    rhs[id[p]] -= (uc[p] - mean) * scale
                    a.add(id[p], nf + component[p], 1)
                    a.add(nf + component[p], id[p], 1)
                }
            }
        }
        return (a, rhs)
    }

    /// D* and its parts from the solution `x` (b̂ and the multipliers).
    func result(_ x: [Double], uc: [Double], mean: Double, scale: Double, diffusivity: Double) -> Dispersion.Result {
        let h = velocities.grid.h
        var tort = 0.0, conv = 0.0
        var bField = [Double](repeating: .nan, count: nx * ny)
        for j in 0..<ny {
            for i in 0..<nx {
                let p = j * nx + i
                guard !solid[p] else { continue }
                bField[p] = x[id[p]] * h
                conv -= (uc[p] - mean) * scale * x[id[p]]
                let l = cell(i - 1, j)
                if !solid[l] { tort += 1 + x[id[p]] - x[id[l]] }
            }
        }
        tort /= Double(nf); conv /= Double(nf)
        let ratio = tort + conv
        return Dispersion.Result(coefficient: ratio * diffusivity, ratio: ratio, tortuosity: tort, convective: conv,
                                 fluidFraction: Double(nf) / Double(nx * ny), b: bField, multiplier: x[nf],
                                 fluidRegions: regions)
    }
}
