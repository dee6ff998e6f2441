import Closure
import Numerics

/// One unit-cell realisation end to end (DESIGN §2, "Unit-cell row"): Stokes flow on the
/// periodic 3 µm tile (solved once per radius and scaled linearly in PL), tiled five times;
/// steady transport with Michaelis–Menten uptake on the 15 µm × 3 µm row; per flow domain
/// ⟨c⟩^β, the gradient feature and η. Domains 2–5 become training samples.
public struct UnitCellResult: Sendable {
    public var inputs: UnitCellInputs
    /// εβ (exact, 1 − π r² / 4.5 µm²).
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

/// Runs unit-cell realisations on one resolution, caching the unit-G flow per radius.
public final class UnitCellDNS {
    public let cellsPerTile: Int
    private var flowCache: [Double: FlowSolution] = [:]

    public init(cellsPerTile: Int) {
        self.cellsPerTile = cellsPerTile
    }

    /// The flow for a unit pressure drop (1 Pa) across the row at radius r (cached).
    public func unitFlow(radius r: Double) throws -> (flow: FlowSolution, seconds: Double) {
        if let cached = flowCache[r] { return (cached, 0) }
        let watch = Stopwatch()
        let flow = try StokesFlow.unitCellRow(radius: r, cellsPerTile: cellsPerTile, pressureDrop: 1)
        if flowCache.count > 64 { flowCache.removeAll() }
        flowCache[r] = flow
        return (flow, watch.seconds)
    }

    public func run(_ inputs: UnitCellInputs) throws -> UnitCellResult {
        try inputs.validate()
        let (unit, flowSeconds) = try unitFlow(radius: inputs.radius)
        let flow = unit.scaled(by: inputs.pressureDrop)
        let n = cellsPerTile, tiles = UnitCellRow.tiles
        let grid = Grid2D(nx: n * tiles, ny: n, h: UnitCellRow.tileSize / Double(n))
        let fractions = solidFractions(grid, UnitCellRow.cells(radius: inputs.radius, tiles: tiles))
        let problem = try TransportProblem(
            grid: grid, solidFraction: fractions, velocity: flow.tiled(alongX: tiles),
            fluidDiffusivity: inputs.diffusivityBeta, diffusivityRatio: inputs.diffusivityRatio,
            km: inputs.km, Ka: inputs.Ka, inletConcentration: inputs.inletConcentration)
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
