import Foundation
import Testing
@testable import Microscale

@Suite struct CampaignTests {
    /// Shards 1/2 ∪ 2/2 draw exactly the inputs of the whole campaign, whatever the order.
    @Test func samplingIsDeterministicAndShardIndependent() throws {
        let sampler = try UnitCellSampler(seed: 42)
        let n = 37
        let whole = UnitCellCampaign(sampler: sampler, count: n, cellsPerTile: 12)
        #expect(whole.plan == Array(0..<n))
        let s1 = UnitCellCampaign(sampler: sampler, count: n, cellsPerTile: 12, shard: try CampaignShard(parsing: "1/2"))
        let s2 = UnitCellCampaign(sampler: sampler, count: n, cellsPerTile: 12, shard: try CampaignShard(parsing: "2/2"))
        #expect(Set(s1.plan).isDisjoint(with: s2.plan))
        #expect((s1.plan + s2.plan).sorted() == whole.plan)
        let full = whole.plan.map { sampler.draw(index: $0) }
        // Drawn in reverse, from a separate sampler value: the same numbers.
        let sharded = try (s2.plan.reversed() + s1.plan).map { try UnitCellSampler(seed: 42).draw(index: $0) }
            .sorted { $0.index < $1.index }
        #expect(sharded == full)
        #expect(try UnitCellSampler(seed: 43).draw(index: 0) != full[0])
        #expect(Set(full.map(\.porosity)).count == n)
    }

    @Test func drawsFollowTheReferenceDistributions() throws {
        let sampler = try UnitCellSampler(seed: 7)
        let draws = (0..<4000).map { sampler.draw(index: $0) }
        // The documented ranges (docs/unitcell-dns.md, `tissue dns unitcell --help`), written out here rather than
        // read from the sampler's own constants.
        for d in draws {
            #expect((0.2737...0.8255).contains(d.porosity))
            #expect(abs(UnitCellRow.porosity(radius: d.radius) - d.porosity) < 1e-12)
            #expect(d.thieleModulusSquared >= 0 && d.thieleModulusSquared <= 100)
            #expect((0.01...1).contains(d.diffusivityRatio))
            #expect((0.1...10).contains(d.inletConcentration))
            #expect(d.targetPeclet >= 0 && d.targetPeclet <= 130)
            let inputs = UnitCellInputs(radius: d.radius, thieleModulusSquared: d.thieleModulusSquared, pressureDrop: 1,
                                        diffusivityRatio: d.diffusivityRatio, inletConcentration: d.inletConcentration)
            #expect(throws: Never.self) { try inputs.validate() }
        }
        // Triangular with mode 0 on [0, 100]: mean 100/3, median 100 (1 − 1/√2) ≈ 29.3.
        let phi2 = draws.map(\.thieleModulusSquared)
        let phi2Mean: Double = phi2.reduce(0, +) / Double(phi2.count)
        let phi2Median: Double = phi2.quantile(0.5)
        let expectedMedian: Double = 100 * (1 - 1 / 2.0.squareRoot())
        #expect(abs(phi2Mean - 100.0 / 3) < 1.5)
        #expect(abs(phi2Median - expectedMedian) < 2)
        let pe = draws.map(\.targetPeclet)
        let peMean: Double = pe.reduce(0, +) / Double(pe.count)
        #expect(abs(peMean - 65) < 3)
        // The draws fill the documented ranges (4000 uniform draws come within 1 % of each end).
        for (values, lo, hi) in [(draws.map(\.porosity), 0.2737, 0.8255), (draws.map(\.diffusivityRatio), 0.01, 1),
                                 (draws.map(\.inletConcentration), 0.1, 10)] {
            #expect(values.min()! < lo + 0.01 * (hi - lo) && values.max()! > hi - 0.01 * (hi - lo))
        }
        // Voronoi campaigns: εβ on [0.15, 0.6] by default (docs/closures.md), the rest unchanged.
        let voronoi = try UnitCellSampler(seed: 7, family: .voronoi(cells: 8))
        let vd = (0..<2000).map { voronoi.draw(index: $0) }
        #expect(vd.allSatisfy { (0.15...0.6).contains($0.porosity) })
        #expect(vd.map(\.porosity).min()! < 0.16 && vd.map(\.porosity).max()! > 0.59)
        #expect(zip(vd, draws).allSatisfy { $0.thieleModulusSquared == $1.thieleModulusSquared && $0.targetPeclet == $1.targetPeclet })
    }

    /// A supplement campaign's narrowed ranges are honoured; impossible ranges are refused with the reason.
    @Test func narrowedRangesAreHonouredAndImpossibleOnesRefused() throws {
        let sampler = try UnitCellSampler(seed: 7, porosityRange: 0.25...0.45, thieleModulusSquaredMax: 5,
                                          diffusivityRatioRange: 0.05...0.3)
        #expect(!sampler.hasReferenceRanges)
        #expect(try UnitCellSampler(seed: 7).hasReferenceRanges)
        let draws = (0..<2000).map { sampler.draw(index: $0) }
        for d in draws {
            #expect((0.25...0.45).contains(d.porosity))
            #expect(d.thieleModulusSquared >= 0 && d.thieleModulusSquared <= 5)
            #expect((0.05...0.3).contains(d.diffusivityRatio))
        }
        // Triangular with mode 0 on [0, 5]: mean 5/3.
        let mean = draws.map(\.thieleModulusSquared).reduce(0, +) / Double(draws.count)
        #expect(abs(mean - 5.0 / 3) < 0.1)
        for (range, phi2Max, dr) in [(0.2...0.4, 5.0, 0.05...0.3), (0.3...1.0, 5, 0.05...0.3),
                                     (0.3...0.4, 0, 0.05...0.3), (0.3...0.4, 5, 0...0.3)] {
            #expect(throws: UnitCellInputError.self) {
                try UnitCellSampler(seed: 1, porosityRange: range, thieleModulusSquaredMax: phi2Max, diffusivityRatioRange: dr)
            }
        }
    }

    /// The adaptive grid refines where the reaction layer r√(Dr/φ²) or the gap between cells is thin.
    @Test func layerAdaptiveResolutionRefinesThinLayersAndNarrowGaps() throws {
        let rule = UnitCellResolution.adaptiveDefault
        let wide = UnitCellRow.radius(porosity: 0.6)        // r = 0.76 µm, gap 0.61 µm: 12 cells at N = 60
        let narrow = UnitCellRow.radius(porosity: 0.3)      // gap 0.12 µm: 2.4 cells at N = 60
        // δ = r √(Dr/φ²) = 0.76 µm · √(1/10) ≈ 240 nm > 2.1 h(60) = 105 nm.
        #expect(rule.cellsPerTile(radius: wide, thieleModulusSquared: 10, diffusivityRatio: 1) == 60)
        #expect(rule.cellsPerTile(radius: wide, thieleModulusSquared: 0, diffusivityRatio: 0.01) == 60)
        #expect(rule.cellsPerTile(radius: narrow, thieleModulusSquared: 1, diffusivityRatio: 1) == 120)
        // δ ≈ 24 nm < 0.6 h(60) = 30 nm → 240.
        #expect(rule.cellsPerTile(radius: wide, thieleModulusSquared: 100, diffusivityRatio: 0.1) == 240)
        // δ ≈ 76 nm, between 0.6 h and 2.1 h → 120.
        #expect(rule.cellsPerTile(radius: wide, thieleModulusSquared: 30, diffusivityRatio: 0.3) == 120)
        #expect(UnitCellResolution.fixed(44).cellsPerTile(radius: narrow, thieleModulusSquared: 100, diffusivityRatio: 0.01) == 44)
        #expect(rule.tomlValue == "\"auto(60, 120, 180, 240)\"" && UnitCellResolution.fixed(60).tomlValue == "60")
    }

    /// Voronoi tiles get the 3N step and the stricter gap rule (`UnitCellResolution`): with h = ℓ/60 and
    /// δ set through φ² = Dr r_eff²/δ², δ = 0.2 h → 240, 0.5 h → 180, 1.5 h → 120 (or 180 where the tile's
    /// narrowest gap is under 2.75 h), 3 h → 60 unless the gap asks for more; the circle row keeps 60/120/240.
    @Test func voronoiTilesGetTheThreeNStepAndTheStricterGapRule() throws {
        let rule = UnitCellResolution.adaptiveDefault
        var gapsInCells: [Double] = []
        for (porosity, seed) in [(0.2, UInt64(3)), (0.5, 8)] {
            let tile = try UnitCellFamily.voronoi(cells: 8).tile(porosity: porosity, seed: seed)
            let h = tile.width / 60, r = tile.effectiveRadius, gap = tile.narrowestGap
            gapsInCells.append(gap / h)
            func n(_ delta: Double) -> Int {
                rule.cellsPerTile(tile: tile, thieleModulusSquared: 0.5 * r * r / (delta * delta), diffusivityRatio: 0.5)
            }
            #expect(n(0.2 * h) == 240)
            #expect(n(0.5 * h) == 180)
            #expect(n(1.5 * h) == (gap < 2.75 * h ? 180 : 120), "gap \(gap / h) h")
            #expect(n(3 * h) == (gap < 2.75 * h ? 180 : gap < 5 * h ? 120 : 60), "gap \(gap / h) h")
        }
        #expect(gapsInCells.contains { $0 < 2.75 } && gapsInCells.contains { $0 >= 5 }, "both gap branches: \(gapsInCells)")
        // The circle row: no 3N step (δ = 0.5 h(60) → 240).
        let r = UnitCellRow.radius(porosity: 0.6), h = UnitCellRow.tileSize / 60
        #expect(rule.cellsPerTile(radius: r, thieleModulusSquared: r * r / (0.25 * h * h), diffusivityRatio: 1) == 240)
    }

    /// PL is set so that the realisation's Pe is the drawn target, measured from the DNS's own flow field:
    /// the row's face velocities (the unit flow scaled by PL and tiled five times, as `UnitCellDNS.run`
    /// hands them to the transport) averaged over the fluid area of the row's grid (`measuredIntrinsicVelocity`),
    /// Pe = r ⟨v⟩^β / Dβ, against the drawn target; not the sampler's own flux-over-porosity formula.
    /// Tolerance 0.5 %: the measurement divides by the grid's fluid area (6 × 6 sub-sampled cell
    /// fractions), the sampler by the exact porosity; at 60 cells per tile the two differ by
    /// |ε_grid/ε − 1| (checked below to be under 0.2 %), plus the discrete divergence (≈ 1e-10).
    @Test func pressureDropGivesTheTargetPeclet() throws {
        let sampler = try UnitCellSampler(seed: 3)
        let dns = UnitCellDNS(cellsPerTile: 60)
        for k in 0..<4 {
            let (inputs, tile) = try sampler.inputs(index: k, dns: dns)
            let d = sampler.draw(index: k)
            #expect(inputs.pressureDrop > 0)
            let tiles = UnitCellRow.tiles
            let tileGrid = tile.grid(cellsPerTile: dns.cellsPerTile)
            let grid = Grid2D(nx: tileGrid.nx * tiles, ny: tileGrid.ny, h: tileGrid.h)
            let fractions = solidFractions(grid, AnyCellGeometry(tile.rowCells(tiles: tiles)))
            let row = try dns.unitFlow(tile: tile).flow.scaled(by: inputs.pressureDrop).tiled(alongX: tiles)
            let measured = measuredIntrinsicVelocity(row, solidFraction: fractions) * inputs.radius / inputs.diffusivityBeta
            let gridPorosity = 1 - fractions.reduce(0, +) / Double(fractions.count)
            print(String(format: "realisation %d: εβ %.4f (grid %.4f), Pe target %.4f, measured %.4f, ratio %.5f", k,
                         inputs.porosity, gridPorosity, d.targetPeclet, measured, measured / d.targetPeclet))
            #expect(abs(gridPorosity / inputs.porosity - 1) < 2e-3, "realisation \(k): grid porosity \(gridPorosity)")
            #expect(abs(measured / d.targetPeclet - 1) < 5e-3, "realisation \(k): measured Pe \(measured), target \(d.targetPeclet)")
        }
    }

    @Test func shardParsing() throws {
        #expect(try CampaignShard(parsing: "2/4").contains(5))
        #expect(try !CampaignShard(parsing: "2/4").contains(4))
        for bad in ["3/2", "0/2", "1/0", "x", "1/2/3", "-1/2"] {
            #expect(throws: UnitCellInputError.self) { try CampaignShard(parsing: bad) }
        }
    }

    /// A realisation that throws is counted and the campaign goes on; the state survives a part file.
    @Test func failedRealisationIsCountedAndStateRoundTrips() throws {
        func row(_ i: Int, radius: Double) -> UnitCellTableRow {
            UnitCellTableRow(index: i, inputs: UnitCellInputs(radius: radius, thieleModulusSquared: 5, pressureDrop: 100,
                                                              diffusivityRatio: 0.5, inletConcentration: 1))
        }
        let campaign = UnitCellCampaign(rows: [row(0, radius: 6e-7), row(1, radius: -1), row(2, radius: 8e-7)], cellsPerTile: 12)
        var failures: [UnitCellCampaign.Failure] = []
        let outcome = try campaign.run(source: "test", failure: { failures.append($0) })
        #expect(outcome.failed == [1])
        #expect(failures.map(\.index) == [1])
        #expect(failures[0].description.contains("r = -1.0"))
        #expect(outcome.trainingSet.realization == [0, 0, 0, 0, 2, 2, 2, 2])

        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("campaign-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let part = dir.appendingPathComponent("x.part.h5").path
        try outcome.state.write(to: part, identity: "id A", seed: 0, programVersion: "test")
        let back = try UnitCellCampaign.State.read(path: part, identity: "id A")
        #expect(back == outcome.state)
        #expect(throws: UnitCellInputError.self) { try UnitCellCampaign.State.read(path: part, identity: "id B") }
        // Resuming from the full state solves nothing and gives the same rows.
        let again = try campaign.run(source: "test", resume: back)
        #expect(again.results.isEmpty)
        #expect(again.trainingSet.features == outcome.trainingSet.features)
        #expect(again.failed == [1])
    }
}
