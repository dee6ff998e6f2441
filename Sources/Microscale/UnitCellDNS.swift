import Closure
import Numerics

/// One unit-cell realisation end to end (DESIGN §2, "Unit-cell row"): Stokes flow on the
/// periodic tile (the 3 µm circle-row tile or another `UnitCellTile`; solved once per tile and
/// scaled linearly in PL), tiled five times; steady transport with Michaelis–Menten uptake on the
/// row; per flow domain ⟨c⟩^β, the gradient feature (r = r_eff) and η. Domains 2–5 become
/// training samples.
public struct UnitCellResult: Sendable {
    public var inputs: UnitCellInputs
    /// εβ (exact: 1 − π r² / 4.5 µm² for the circle row, the tile's for other families).
    public var porosity: Double
    /// Pe = r ⟨v⟩^β / Dβ from our flow.
    public var peclet: Double
    /// The five flow domains, inlet first.
    public var domains: [FlowDomainAverage]
    /// Newton iterations of the transport solve and the relative global imbalance.
    public var iterations: Int
    public var relativeImbalance: Double
    /// Wall time (s) of flow (0 when cached) and transport.
    public var flowSeconds: Double
    public var transportSeconds: Double

    /// Feature rows (EffectivenessFeature order) and η of domains `domains` (1-based; default 2–5).
    public func samples(domains chosen: ClosedRange<Int> = 2...5) -> [(domain: Int, features: [Double], eta: Double)] {
        chosen.map { d in
            let a = domains[d - 1]
            return (d, EffectivenessFeature.row(porosity: porosity, thieleModulusSquared: inputs.thieleModulusSquared,
                                                peclet: peclet, diffusivityRatio: inputs.diffusivityRatio,
                                                concentration: a.concentration / inputs.Ka,
                                                concentrationGradient: a.gradientFeature), a.eta)
        }
    }
}

/// Runs unit-cell realisations on one resolution, caching the unit-PL flow per tile.
public final class UnitCellDNS {
    public let cellsPerTile: Int
    private var flowCache: [String: FlowSolution] = [:]

    public init(cellsPerTile: Int) {
        self.cellsPerTile = cellsPerTile
    }

    /// The flow for a unit pressure drop (1 Pa) across the circle row at radius r (cached).
    public func unitFlow(radius r: Double) throws -> (flow: FlowSolution, seconds: Double) {
        try unitFlow(tile: .circleRow(radius: r))
    }

    /// The flow for a unit pressure drop (1 Pa) across the row of `tile` (cached per tile).
    public func unitFlow(tile: UnitCellTile) throws -> (flow: FlowSolution, seconds: Double) {
        let key = tile.flowKey
        if let cached = flowCache[key] { return (cached, 0) }
        let watch = Stopwatch()
        let flow = try tile.flow(cellsPerTile: cellsPerTile, pressureDrop: 1)
        if flowCache.count > 64 { flowCache.removeAll() }
        flowCache[key] = flow
        return (flow, watch.seconds)
    }

    /// One realisation on the circle row of radius `inputs.radius`.
    public func run(_ inputs: UnitCellInputs) throws -> UnitCellResult {
        try inputs.validate()
        return try run(inputs, tile: .circleRow(radius: inputs.radius))
    }

    /// One realisation on `tile` (whose r_eff and porosity `inputs` must carry).
    public func run(_ inputs: UnitCellInputs, tile: UnitCellTile) throws -> UnitCellResult {
        try inputs.validateGroups()
        guard inputs.radius == tile.effectiveRadius, inputs.porosity == tile.porosity else {
            throw UnitCellInputError(message: "inputs (r = \(inputs.radius) m, porosity \(inputs.porosity)) do not match the \(tile.family.name) tile (r_eff = \(tile.effectiveRadius) m, porosity \(tile.porosity))")
        }
        let (unit, flowSeconds) = try unitFlow(tile: tile)
        let flow = unit.scaled(by: inputs.pressureDrop)
        let tiles = UnitCellRow.tiles
        let tileGrid = tile.grid(cellsPerTile: cellsPerTile)
        let grid = Grid2D(nx: tileGrid.nx * tiles, ny: tileGrid.ny, h: tileGrid.h)
        let fractions = tile.rowSolidFractions(tileGrid: tileGrid, tiles: tiles)
        let problem = try TransportProblem(
            grid: grid, solidFraction: fractions, velocity: flow.tiled(alongX: tiles),
            fluidDiffusivity: inputs.diffusivityBeta, diffusivityRatio: inputs.diffusivityRatio,
            km: inputs.km, Ka: inputs.Ka, inletConcentration: inputs.inletConcentration,
            boundaries: tile.rowBoundaries)
        let watch = Stopwatch()
        let solution = try problem.solve()
        let transportSeconds = watch.seconds
        let domains = try solution.flowDomainAverages(count: tiles, cellRadius: inputs.radius)
        return UnitCellResult(
            inputs: inputs, porosity: inputs.porosity,
            peclet: flow.intrinsicVelocity(porosity: inputs.porosity) * inputs.radius / inputs.diffusivityBeta,
            domains: domains, iterations: solution.iterations,
            relativeImbalance: solution.balance.relativeImbalance,
            flowSeconds: flowSeconds, transportSeconds: transportSeconds)
    }
}
