import Numerics

/// DNS of a whole 2-D tissue strip (DESIGN §1 "tissue dns tissue"): one periodic sample of length ℓ
/// and height H, repeated `copies` times along x (the strip, L = copies·ℓ), periodic in y.
///
/// 1. Geometry: a `VoronoiTissue` sample (or an imported `MaskCells`) on a grid of nx × ny square
///    cells of side h ≈ the requested spacing (h = ℓ / round(ℓ / h_requested)), solid fractions from
///    6 × 6 sub-samples, tiled `copies` times.
/// 2. Flow: `StokesFlow.periodicTile` of the sample under a unit body force (Shortley–Weller walls),
///    scaled linearly so that ⟨v⟩^β = superficial velocity / εβ(mask) equals the tissue's intrinsic
///    velocity Pe Dβ / r (the strip's Pe = r ⟨v⟩^β / Dβ with the tissue's r equals the tissue's Pe),
///    then tiled `copies` times: a strip of identical samples is periodic in x with period ℓ, so the
///    periodic solve is the strip flow without inlet/outlet development.
/// 3. Transport: `TransportProblem` with the tissue's km, Ka, cL, Dr, Dβ, QUICK convection,
///    c = cL on the fluid part of the inlet, zero diffusive flux at the outlet, periodic in y;
///    Newton with UMFPACK.
///
/// Units: SI (m, s, mol m⁻³, Pa).
public struct TissueStripSpec: Sendable {
    /// Where the sample's cells come from.
    public enum Geometry: Sendable {
        /// `VoronoiTissue.sample` with this seed and cell-area spread (0: the plain recipe).
        case voronoi(seed: UInt64, areaSpread: Double = 0)
        /// A user mask; its size sets ℓ and H (the grid spacing should equal or divide the pixel size).
        case mask(MaskCells)
    }

    /// Sample length ℓ (m); ignored for a mask (its width).
    public var sampleLength: Double
    /// Sample height H (m); ignored for a mask (its height).
    public var height: Double
    /// Samples along x (4 in the design).
    public var copies: Int
    /// Requested grid spacing h (m).
    public var gridSpacing: Double
    public var geometry: Geometry
    /// Target porosity εβ and effective radius r (m) of the tissue.
    public var porosity: Double
    public var effectiveRadius: Double
    /// Target ⟨v⟩^β (m s⁻¹): Pe Dβ / r.
    public var intrinsicVelocity: Double
    public var fluidDiffusivity: Double
    public var diffusivityRatio: Double
    public var km: Double
    public var Ka: Double
    public var inletConcentration: Double
    public var viscosity: Double
    public var convection: ConvectionScheme
    /// Newton tolerance on |δc|∞/cL.
    public var tolerance: Double

    public init(sampleLength: Double, height: Double, copies: Int = 4, gridSpacing: Double, geometry: Geometry,
                porosity: Double, effectiveRadius: Double, intrinsicVelocity: Double, fluidDiffusivity: Double,
                diffusivityRatio: Double, km: Double, Ka: Double, inletConcentration: Double,
                viscosity: Double = StokesFlow.defaultViscosity, convection: ConvectionScheme = .quick, tolerance: Double = 1e-10) {
        self.sampleLength = sampleLength
        self.height = height
        self.copies = copies
        self.gridSpacing = gridSpacing
        self.geometry = geometry
        self.porosity = porosity
        self.effectiveRadius = effectiveRadius
        self.intrinsicVelocity = intrinsicVelocity
        self.fluidDiffusivity = fluidDiffusivity
        self.diffusivityRatio = diffusivityRatio
        self.km = km
        self.Ka = Ka
        self.inletConcentration = inletConcentration
        self.viscosity = viscosity
        self.convection = convection
        self.tolerance = tolerance
    }

    /// Target Pe = r ⟨v⟩^β / Dβ.
    public var peclet: Double { effectiveRadius * intrinsicVelocity / fluidDiffusivity }
}

/// A solved tissue strip.
public struct TissueStripResult: Sendable {
    public let spec: TissueStripSpec
    /// The strip grid (copies·nx × ny).
    public let grid: Grid2D
    /// The sample grid (nx × ny).
    public let sampleGrid: Grid2D
    /// Solid (cell) area fraction per strip grid cell, row-major (ny, nx).
    public let solidFraction: [Double]
    /// The flow on the sample, scaled to the target ⟨v⟩^β.
    public let sampleFlow: FlowSolution
    /// Face velocities on the strip (m s⁻¹).
    public let velocity: FaceVelocities
    /// The transport solution (concentration (ny, nx) in mol m⁻³, balance, iterations).
    public let transport: TransportSolution
    /// Porosity of the grid (1 − mean solid fraction) and of the geometry (exact for Voronoi samples).
    public let gridPorosity: Double
    public let geometryPorosity: Double
    /// r_eff of the geometry (m) and its number of cells per sample.
    public let geometryRadius: Double
    public let cellsPerSample: Int
    /// Achieved ⟨v⟩^β (m s⁻¹) and Pe with the tissue's r.
    public let achievedVelocity: Double
    public var achievedPeclet: Double { spec.effectiveRadius * achievedVelocity / spec.fluidDiffusivity }
    /// Body force G (Pa m⁻¹) of the scaled flow (mean pressure gradient −G).
    public let bodyForce: Double
    /// Largest |u| on a face over ⟨v⟩^β, and the largest cell Péclet number |u| h / Dβ.
    public let peakVelocityRatio: Double
    public let maxCellPeclet: Double
    /// Wall times (s).
    public let geometrySeconds: Double
    public let flowSeconds: Double
    public let transportSeconds: Double

    public var concentration: [Double] { transport.concentration }

    /// Cell-centred velocity components (m s⁻¹): means of the two faces of each grid cell.
    public func cellCentredVelocity() -> (u: [Double], v: [Double]) {
        let g = grid, nx = g.nx
        var u = [Double](repeating: 0, count: g.cellCount), v = u
        for j in 0..<g.ny {
            for i in 0..<nx {
                u[j * nx + i] = 0.5 * (velocity.u[j * (nx + 1) + i] + velocity.u[j * (nx + 1) + i + 1])
                v[j * nx + i] = 0.5 * (velocity.v[j * nx + i] + velocity.v[(j + 1) * nx + i])
            }
        }
        return (u, v)
    }

    /// Pressure (Pa) at cell centres, row-major (ny, nx): the periodic part of the sample's
    /// solution plus G (L − x) (p ≈ 0 at the outlet); NaN inside cells.
    public func pressure() -> [Double] {
        let g = grid, s = sampleGrid
        var p = [Double](repeating: .nan, count: g.cellCount)
        for j in 0..<g.ny {
            for i in 0..<g.nx {
                let periodic = sampleFlow.pressure[j * s.nx + i % s.nx]
                p[j * g.nx + i] = periodic + bodyForce * (g.width - g.centreX(i))
            }
        }
        return p
    }

    /// 1 where the grid cell is mostly cell phase (solid fraction ≥ ½), else 0.
    public var mask: [UInt8] { solidFraction.map { $0 >= 0.5 ? 1 : 0 } }
}

/// Stages of a strip DNS, reported to the progress callback.
public enum TissueStripStage: Int, Sendable, CaseIterable {
    case geometry = 1, flow, transport, done
}

public enum TissueStripDNS {
    /// Largest allowed relative deviation of the grid porosity from the target: 2 %.
    public static let porosityTolerance = 0.02

    /// Runs the strip DNS (see `TissueStripSpec`). `progress(stage)` is called as each stage starts;
    /// an error it throws (a stop request) ends the run there.
    /// - Throws: `TissueGeometryError` (unreachable porosity or r_eff, a grid that misses the porosity
    ///   by more than 2 %, no fluid path inlet → outlet), `StokesFlowError`, `TransportError`.
    public static func run(_ spec: TissueStripSpec, progress: (TissueStripStage) throws -> Void = { _ in }) throws -> TissueStripResult {
        guard spec.copies >= 1 else { throw TissueGeometryError.invalidInput("copies must be ≥ 1, got \(spec.copies)") }
        guard spec.gridSpacing > 0, spec.gridSpacing.isFinite else {
            throw TissueGeometryError.invalidInput("grid spacing must be positive, got \(spec.gridSpacing) m")
        }
        guard spec.intrinsicVelocity >= 0, spec.intrinsicVelocity.isFinite else {
            throw TissueGeometryError.invalidInput("target velocity must be ≥ 0, got \(spec.intrinsicVelocity) m/s")
        }
        try progress(.geometry)
        var watch = Stopwatch()
        let sampleGrid: Grid2D
        let fractions: [Double]
        let geometryPorosity: Double, geometryRadius: Double, cellsPerSample: Int
        let flowGeometry: any CellGeometry
        switch spec.geometry {
        case .voronoi(let seed, let spread):
            let nx = max(1, Int((spec.sampleLength / spec.gridSpacing).rounded()))
            let h = spec.sampleLength / Double(nx)
            let ny = max(1, Int((spec.height / h).rounded()))
            sampleGrid = Grid2D(nx: nx, ny: ny, h: h)
            let cells = try VoronoiTissue.sample(width: sampleGrid.width, height: sampleGrid.height, porosity: spec.porosity,
                                                 radius: spec.effectiveRadius, seed: seed, areaSpread: spread)
            fractions = solidFractions(sampleGrid, cells)
            geometryPorosity = cells.porosity
            geometryRadius = cells.effectiveRadius
            cellsPerSample = cells.cells.count
            flowGeometry = cells
        case .mask(let m):
            let nx = max(1, Int((m.width / spec.gridSpacing).rounded()))
            let h = m.width / Double(nx)
            sampleGrid = Grid2D(nx: nx, ny: max(1, Int((m.height / h).rounded())), h: h)
            fractions = solidFractions(sampleGrid, m)
            geometryPorosity = m.porosity
            geometryRadius = m.effectiveRadius
            cellsPerSample = m.cellCount
            flowGeometry = m
        }
        let gridPorosity = 1 - fractions.reduce(0, +) / Double(fractions.count)
        if case .voronoi = spec.geometry, abs(gridPorosity / spec.porosity - 1) > porosityTolerance {
            throw TissueGeometryError.unreachable("the grid (h = \(sampleGrid.h * 1e6) µm) resolves porosity \(gridPorosity) instead of \(spec.porosity) (more than 2 % off); use a finer grid")
        }
        // Strip fractions: the sample repeated along x.
        let strip = Grid2D(nx: sampleGrid.nx * spec.copies, ny: sampleGrid.ny, h: sampleGrid.h)
        var stripFractions = [Double](repeating: 0, count: strip.cellCount)
        for j in 0..<strip.ny {
            for i in 0..<strip.nx { stripFractions[j * strip.nx + i] = fractions[j * sampleGrid.nx + i % sampleGrid.nx] }
        }
        let fluid = stripFractions.map { $0 < 0.5 }
        guard TissueMaskAnalysis.hasFluidPath(fluid: fluid, nx: strip.nx, ny: strip.ny) else {
            throw TissueGeometryError.noFluidPath("no fluid path from the inlet (x = 0) to the outlet (x = L) through the grid's fluid cells (h = \(strip.h * 1e6) µm): the mask blocks the flow")
        }
        let geometrySeconds = watch.seconds

        try progress(.flow)
        watch = Stopwatch()
        let unit = try solveFlow(flowGeometry, sampleGrid, viscosity: spec.viscosity, porosity: gridPorosity)
        let unitVelocity = unit.intrinsicVelocity
        guard unitVelocity > 0, unitVelocity.isFinite else {
            throw TissueGeometryError.noFluidPath("the periodic sample carries no net flow along x (⟨v⟩^β = \(unitVelocity)): the cells block every path")
        }
        let flow = unit.scaled(by: spec.intrinsicVelocity / unitVelocity)
        let velocity = flow.tiled(alongX: spec.copies)
        let flowSeconds = watch.seconds

        try progress(.transport)
        watch = Stopwatch()
        let problem = try TransportProblem(
            grid: strip, solidFraction: stripFractions, velocity: velocity, fluidDiffusivity: spec.fluidDiffusivity,
            diffusivityRatio: spec.diffusivityRatio, km: spec.km, Ka: spec.Ka,
            inletConcentration: spec.inletConcentration, boundaries: .periodicY(inlet: .fluidOnly), convection: spec.convection)
        let solution = try problem.solve(tolerance: spec.tolerance, maxIterations: 40)
        let transportSeconds = watch.seconds
        try progress(.done)

        let peak = max(flow.velocities.u.map(abs).max() ?? 0, flow.velocities.v.map(abs).max() ?? 0)
        let achieved = flow.intrinsicVelocity
        return TissueStripResult(
            spec: spec, grid: strip, sampleGrid: sampleGrid, solidFraction: stripFractions, sampleFlow: flow, velocity: velocity,
            transport: solution, gridPorosity: gridPorosity, geometryPorosity: geometryPorosity, geometryRadius: geometryRadius,
            cellsPerSample: cellsPerSample, achievedVelocity: achieved, bodyForce: flow.bodyForce,
            peakVelocityRatio: achieved > 0 ? peak / achieved : 0, maxCellPeclet: peak * strip.h / spec.fluidDiffusivity,
            geometrySeconds: geometrySeconds, flowSeconds: flowSeconds, transportSeconds: transportSeconds)
    }

    /// Unit-force periodic Stokes flow of the sample (intrinsic velocity with the grid porosity).
    static func solveFlow(_ geometry: any CellGeometry, _ grid: Grid2D, viscosity: Double, porosity: Double) throws -> FlowSolution {
        func solve<G: CellGeometry>(_ g: G) throws -> FlowSolution {
            try StokesFlow.periodicTile(geometry: g, grid: grid, viscosity: viscosity, bodyForce: 1, porosity: porosity)
        }
        return try solve(geometry)
    }
}
