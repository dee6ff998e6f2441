import Closure
/// Averages of a transport solution over tiles along x (the reference's "flow domains"):
/// the β-intrinsic average concentration, the effectiveness factor and the gradient feature,
/// with the definitions of `data/reference/README.md`.

/// Sums over one tile (x-slab) of the grid, weighted by the phase fractions of each grid cell.
public struct TileAverage: Sendable, Equatable {
    /// ⟨c⟩^β = Σ (1 − f) c / Σ (1 − f) (mol m⁻³).
    public var fluidConcentration: Double
    /// ⟨km c/(Ka + c)⟩^σ = Σ f km c/(Ka + c) / Σ f (mol m⁻³ s⁻¹); 0 if the tile has no cell phase.
    public var meanUptakeRate: Double
    /// η = ⟨km c/(Ka + c)⟩^σ / [km ⟨c⟩^β/(Ka + ⟨c⟩^β)]; NaN where ⟨c⟩^β = 0 or the tile has no cells.
    public var eta: Double
    /// Fluid (β) area of the tile (m², per metre of depth m³).
    public var fluidArea: Double
    /// Cell (σ) area of the tile.
    public var cellArea: Double
}

/// One flow domain of the unit-cell row: the three numbers the reference table records.
public struct FlowDomainAverage: Sendable, Equatable {
    /// ⟨c⟩^β (mol m⁻³); divide by Ka for the reference's normalised value.
    public var concentration: Double
    /// −r ∂x⟨c⟩^β / Ka by the reference's finite differences between domain averages
    /// (forward for domains 1–2, centred for the interior ones, backward for the last).
    public var gradientFeature: Double
    /// Effectiveness factor η of the domain.
    public var eta: Double
}

extension TransportProblem {
    /// Averages of `concentration` over `count` equal tiles along x; a grid cell belongs to the
    /// tile that holds its centre.
    public func tileAverages(of concentration: [Double], count: Int) -> [TileAverage] {
        precondition(count > 0 && concentration.count == grid.cellCount, "tile averages: bad sizes")
        var fluidC = [Double](repeating: 0, count: count)
        var fluid = [Double](repeating: 0, count: count)
        var uptake = [Double](repeating: 0, count: count)
        var solid = [Double](repeating: 0, count: count)
        let tileLength = grid.width / Double(count)
        for i in 0..<grid.nx {
            let t = min(count - 1, Int(grid.centreX(i) / tileLength))
            for j in 0..<grid.ny {
                let k = grid.index(i, j)
                let f = solidFraction[k], c = concentration[k]
                fluidC[t] += (1 - f) * c
                fluid[t] += 1 - f
                if f > 0 {
                    uptake[t] += f * uptakeRate(c)
                    solid[t] += f
                }
            }
        }
        let area = grid.h * grid.h
        return (0..<count).map { t in
            let cb = fluid[t] > 0 ? fluidC[t] / fluid[t] : .nan
            let mean = solid[t] > 0 ? uptake[t] / solid[t] : 0
            let eta = Effectiveness.factor(meanCellUptake: solid[t] > 0 ? mean : .nan, fluidConcentration: cb, km: km, Ka: Ka)
            return TileAverage(fluidConcentration: cb, meanUptakeRate: mean, eta: eta,
                               fluidArea: fluid[t] * area, cellArea: solid[t] * area)
        }
    }

    /// The reference's per-domain record for `count` ≥ 3 flow domains of equal length along x:
    /// ⟨c⟩^β, the gradient feature r·(⟨c⟩_i − ⟨c⟩_{i+1})/Δx / Ka (forward) for domains 1–2,
    /// r·(⟨c⟩_{i−1} − ⟨c⟩_{i+1})/(2Δx) / Ka (centred) for domains 3…count−1, backward for the
    /// last, Δx = domain length; and η. `cellRadius` is r (m).
    public func flowDomainAverages(of concentration: [Double], count: Int = UnitCellRow.tiles,
                                   cellRadius r: Double) throws -> [FlowDomainAverage] {
        guard count >= 3 else { throw TransportError.invalidProblem("flow-domain averages need at least 3 domains (got \(count))") }
        guard r > 0 else { throw TransportError.invalidProblem("cell radius r = \(r) must be positive") }
        let tiles = tileAverages(of: concentration, count: count)
        let c = tiles.map(\.fluidConcentration)
        let dx = grid.width / Double(count)
        let scale = r / (dx * Ka)
        return (0..<count).map { i in
            let g: Double
            if i <= 1 { g = scale * (c[i] - c[i + 1]) }
            else if i == count - 1 { g = scale * (c[i - 1] - c[i]) }
            else { g = scale * (c[i - 1] - c[i + 1]) / 2 }
            return FlowDomainAverage(concentration: c[i], gradientFeature: g, eta: tiles[i].eta)
        }
    }
}

extension TransportSolution {
    /// Averages over `count` equal tiles along x (see `TransportProblem.tileAverages`).
    public func tileAverages(count: Int) -> [TileAverage] {
        problem.tileAverages(of: concentration, count: count)
    }

    /// The reference's per-domain record (see `TransportProblem.flowDomainAverages`).
    public func flowDomainAverages(count: Int = UnitCellRow.tiles, cellRadius r: Double) throws -> [FlowDomainAverage] {
        try problem.flowDomainAverages(of: concentration, count: count, cellRadius: r)
    }
}
