import Foundation
import Numerics
import Testing
@testable import Microscale

/// Unit-cell families (`UnitCellFamily`, `UnitCellTile`): geometry numbers against independent
/// computations, the isolated-cell limit, global balance, hexagonal-lattice drag against Drummond &
/// Tahir, mask windows, and the errors for impossible requests.
@Suite struct UnitCellFamilyTests {
    /// The circle row's tile carries the row's own formulas (one home: `UnitCellRow`).
    @Test func circleRowTileIsTheReferenceRow() throws {
        let r = 0.8e-6
        let tile = try UnitCellFamily.circleRow.tile(porosity: UnitCellRow.porosity(radius: r), seed: 99)
        #expect(abs(tile.effectiveRadius / r - 1) < 1e-14)
        #expect(tile.width == UnitCellRow.tileSize && tile.height == UnitCellRow.tileSize)
        #expect(tile.narrowestGap == UnitCellRow.narrowestGap(radius: tile.effectiveRadius))
        #expect(tile.mirrorSymmetricInY && tile.cellCount == 2)
    }

    /// The hexagonal tile's porosity, measured by sub-sampling its cells, is the requested one, and its
    /// height is a whole number of grid cells.
    @Test(arguments: [0.12, 0.187, 0.26, 0.5])
    func hexagonalTileHitsItsPorosity(porosity: Double) throws {
        let n = 60
        let tile = try UnitCellFamily.hexagonal.tile(porosity: porosity, seed: 0, cellsPerTile: n)
        #expect(tile.fitsGrid(cellsPerTile: n))
        #expect(abs(tile.height / (tile.width * 3.0.squareRoot()) - 1) < 1.0 / Double(n))
        let grid = tile.grid(cellsPerTile: n)
        let measured = 1 - solidFractions(grid, AnyCellGeometry(tile.cells), subsamples: 16).reduce(0, +) / Double(grid.cellCount)
        #expect(abs(measured - porosity) < 2e-3, "measured \(measured)")
        // Two cells of radius r per tile: r_eff = r = √((1 − ε) ℓ H / (2π)).
        #expect(abs(Double.pi * tile.effectiveRadius * tile.effectiveRadius * 2 / (tile.width * tile.height) - (1 - porosity)) < 1e-12)
    }

    /// Cells of different sizes: the areas' coefficient of variation is the one asked for, porosity
    /// and r_eff stay exact, no two cells overlap (checked on a dense point grid, periodic images
    /// included) and channels stay open; a spread below the plain recipe's own or beyond reach is refused.
    @Test(arguments: [(0.26, 0.3, UInt64(3)), (0.187, 0.25, 11), (0.4, 0.5, 29)])
    func voronoiCellAreaSpreadIsMet(porosity: Double, spread: Double, seed: UInt64) throws {
        let (w, h, r) = (12e-6, 12e-6, 1e-6)
        let cells = try VoronoiTissue.sample(width: w, height: h, porosity: porosity, radius: r, seed: seed, areaSpread: spread)
        let areas = cells.cells.map(\.area)
        let mean = areas.reduce(0, +) / Double(areas.count)
        let cv = (areas.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(areas.count)).squareRoot() / mean
        #expect(abs(cv - spread) < 1e-4, "cv \(cv)")
        #expect(abs(cells.porosity - porosity) < 1e-12)
        let plain = try VoronoiTissue.sample(width: w, height: h, porosity: porosity, radius: r, seed: seed)
        #expect(abs(cells.effectiveRadius / plain.effectiveRadius - 1) < 1e-12)
        var overlaps = 0
        for i in 0..<150 {
            for j in 0..<150 {
                let x = (Double(i) + 0.5) * w / 150, y = (Double(j) + 0.5) * h / 150
                var inside = 0
                for c in cells.cells { for sx in -1...1 { for sy in -1...1 where c.contains(x - Double(sx) * w, y - Double(sy) * h) { inside += 1 } } }
                if inside > 1 { overlaps += 1 }
            }
        }
        #expect(overlaps == 0)
        #expect(cells.narrowestGap > 0.02 * r, "gap \(cells.narrowestGap)")
        let tile = try UnitCellFamily.voronoi(cells: 8, areaSpread: spread).tile(porosity: porosity, seed: seed)
        #expect(abs(tile.cellAreaSpread - spread) < 1e-4 && abs(tile.porosity - porosity) < 1e-12)
        #expect(throws: TissueGeometryError.self) {
            try VoronoiTissue.sample(width: w, height: h, porosity: porosity, radius: r, seed: seed, areaSpread: 0.01)
        }
        #expect(throws: TissueGeometryError.self) {
            try VoronoiTissue.sample(width: w, height: h, porosity: 0.1, radius: r, seed: seed, areaSpread: 1.5)
        }
    }

    /// Voronoi tiles: exact porosity and r_eff = 1 µm with the requested cell count; the narrowest gap
    /// equals a brute-force distance between densely sampled cell boundaries (periodic images included).
    @Test(arguments: [(0.15, UInt64(5)), (0.187, 17), (0.4, 123456789)])
    func voronoiTileHitsPorosityAndRadius(porosity: Double, seed: UInt64) throws {
        let tile = try UnitCellFamily.voronoi(cells: 8).tile(porosity: porosity, seed: seed)
        #expect(abs(tile.porosity - porosity) < 1e-12)
        #expect(abs(tile.effectiveRadius / UnitCellFamily.voronoiRadius - 1) < 1e-12)
        #expect(tile.cellCount == 8)
        let cells = try #require(tile.cells as? PolygonCells)
        func boundary(_ p: ConvexPolygon, dx: Double, dy: Double) -> [(Double, Double)] {
            var pts: [(Double, Double)] = []
            for k in p.xs.indices {
                let l = (k + 1) % p.xs.count
                for s in 0..<200 {
                    let t = Double(s) / 200
                    pts.append((p.xs[k] + t * (p.xs[l] - p.xs[k]) + dx, p.ys[k] + t * (p.ys[l] - p.ys[k]) + dy))
                }
            }
            return pts
        }
        var brute = Double.infinity
        for (k, p) in cells.cells.enumerated() {
            let a = boundary(p, dx: 0, dy: 0)
            for (m, q) in cells.cells.enumerated() {
                for sx in -1...1 { for sy in -1...1 where !(m == k && sx == 0 && sy == 0) {
                    let b = boundary(q, dx: Double(sx) * tile.width, dy: Double(sy) * tile.height)
                    for u in a { for v in b { brute = min(brute, ((u.0 - v.0) * (u.0 - v.0) + (u.1 - v.1) * (u.1 - v.1)).squareRoot()) } }
                } }
            }
        }
        #expect(tile.narrowestGap > 0)
        #expect(abs(brute / tile.narrowestGap - 1) < 0.02, "brute force \(brute), polygon distance \(tile.narrowestGap)")
    }

    /// A bath around each cell (high Pe, tiny uptake over the row, c ≪ Ka, φ² small so that the fluid
    /// film around a cell carries its uptake with a drop of about φ² η / Sh ≪ 1): η of a hexagonal lattice
    /// of circles is the isolated cell's Bessel η 2 I₁(√Λ)/(√Λ I₀(√Λ)), Λ = φ²/Dr; a Voronoi cell,
    /// with r = r_eff, is within 1 % of it at Λ = 1 (a convex cell of the same area, η − 1 = O(Λ)
    /// with a shape factor near the circle's).
    @Test(arguments: [("hexagonal", 0.9, 0.05, 0.005, 120), ("voronoi", 0.5, 0.01, 0.01, 60)])
    func isolatedCellLimit(family name: String, porosity: Double, phi2: Double, dr: Double, n: Int) throws {
        let family: UnitCellFamily = name == "hexagonal" ? .hexagonal : .voronoi(cells: 8)
        let tile = try family.tile(porosity: porosity, seed: 3, cellsPerTile: n)
        let dns = UnitCellDNS(cellsPerTile: n)
        var inputs = UnitCellInputs(radius: tile.effectiveRadius, thieleModulusSquared: phi2, pressureDrop: 0,
                                    diffusivityRatio: dr, inletConcentration: 1e-3, porosity: tile.porosity)
        let unit = try dns.unitFlow(tile: tile).flow
        inputs.pressureDrop = 2000 / (unit.intrinsicVelocity(porosity: tile.porosity) * tile.effectiveRadius / inputs.diffusivityBeta)
        let result = try dns.run(inputs, tile: tile)
        #expect(abs(result.peclet / 2000 - 1) < 1e-9)
        let root = (phi2 / dr).squareRoot()
        let bessel = 2 * ModifiedBessel.ratioI1I0(root) / root
        for d in 1..<5 {
            let eta = result.domains[d].eta
            #expect(abs(eta / bessel - 1) < (name == "hexagonal" ? 0.015 : 0.008), "\(name) domain \(d + 1): η = \(eta), Bessel \(bessel)")
        }
    }

    /// Global balance: inflow = outflow + uptake for each family's row.
    @Test(arguments: ["hexagonal", "voronoi"])
    func globalBalanceCloses(family name: String) throws {
        let family: UnitCellFamily = name == "hexagonal" ? .hexagonal : .voronoi(cells: 6)
        let n = 40
        let tile = try family.tile(porosity: 0.3, seed: 8, cellsPerTile: n)
        let inputs = UnitCellInputs(radius: tile.effectiveRadius, thieleModulusSquared: 5, pressureDrop: 0.5,
                                    diffusivityRatio: 0.2, inletConcentration: 2, porosity: tile.porosity)
        let result = try UnitCellDNS(cellsPerTile: n).run(inputs, tile: tile)
        #expect(result.relativeImbalance < 1e-9)
        #expect(result.domains.allSatisfy { $0.eta > 0 && $0.eta <= 1 })
    }

    /// Transverse Stokes flow through a dilute hexagonal (triangular) array of cylinders, solid
    /// fraction c: F/(μU) = 8π / (−ln c − 1.498 + 2c − c²/2 + O(c⁴)) per cylinder, U the superficial
    /// velocity (Drummond & Tahir 1984, Int. J. Multiphase Flow 10, 515, triangular arrays; the same
    /// solver meets Sangani & Acrivos's square-array series to 0.02 %, `StokesFlowTests`). In the
    /// tile of two cylinders F = G ℓ H / 2.
    @Test(arguments: [0.05, 0.1])
    func hexagonalArrayDragMatchesDrummondTahir(c: Double) throws {
        let n = 120
        let tile = try UnitCellFamily.hexagonal.tile(porosity: 1 - c, seed: 0, cellsPerTile: n)
        let flow = try StokesFlow.periodicTile(geometry: AnyCellGeometry(tile.cells), grid: tile.grid(cellsPerTile: n),
                                               bodyForce: 1, porosity: tile.porosity)
        let drag = flow.bodyForce * tile.width * tile.height / 2 / (flow.viscosity * flow.superficialVelocity)
        let series = 8 * Double.pi / (-log(c) - 1.498 + 2 * c - c * c / 2)
        #expect(abs(drag / series - 1) < 1.5e-3, "F/(μU) = \(drag), Drummond–Tahir \(series)")
    }

    /// D* at rest on the hexagonal lattice is Rayleigh's conductivity of a hexagonal array of insulating
    /// cylinders over the porosity: D*(0)/Dβ = [1 − 2c/(1 + c − 0.075422 c⁶)]/(1 − c) (Rayleigh 1892;
    /// Perrins, McKenzie & McPhedran 1979), approached at first order by the staircase mask.
    @Test func hexagonalDispersionAtRestMatchesRayleigh() throws {
        let c = 0.3
        let rayleigh = (1 - 2 * c / (1 + c - 0.075422 * pow(c, 6))) / (1 - c)
        var errors: [Double] = []
        for n in [60, 120, 240] {
            let tile = try UnitCellFamily.hexagonal.tile(porosity: 1 - c, seed: 0, cellsPerTile: n)
            let r = try Dispersion.UnitCell(tile: tile, cellsPerTile: n).solve(peclet: 0)
            errors.append(abs(r.ratio / rayleigh - 1))
        }
        #expect(errors[2] < 0.01, "\(errors)")
        #expect(errors[1] / errors[2] > 1.6 && errors[0] / errors[1] > 1.4, "first-order convergence: \(errors)")
    }

    /// A mask window is mirrored into a periodic tile of twice its side; its porosity and r_eff are the
    /// window's; a window without a fluid path is refused with the reason.
    /// The row's solid fractions (`rowSolidFractions`: one tile's, repeated) equal the whole-row
    /// evaluation through the periodic extension that `UnitCellDNS.run` used before, on hexagonal, Voronoi
    /// and mask tiles; the circle row keeps the whole-row evaluation itself.
    @Test func rowSolidFractionsRepeatTheTileExactly() throws {
        var pixels = [UInt8](repeating: 0, count: 256)
        for j in 2..<6 { for i in 2..<6 { pixels[j * 16 + i] = 1 } }
        let image = try MaskCells(mask: pixels, columns: 16, rows: 16, pixelSize: 0.25e-6)
        let tiles = [try UnitCellFamily.hexagonal.tile(porosity: 0.4, seed: 0, cellsPerTile: 40),
                     try UnitCellFamily.voronoi(cells: 8).tile(porosity: 0.3, seed: 7),
                     try UnitCellFamily.mask(UnitCellMask(image: image, source: "tiny", window: 8)).tile(porosity: 0, seed: 1),
                     UnitCellTile.circleRow(radius: 1e-6)]
        for tile in tiles {
            let g = tile.grid(cellsPerTile: 40)
            let row = Grid2D(nx: g.nx * 5, ny: g.ny, h: g.h)
            let whole = solidFractions(row, AnyCellGeometry(tile.rowCells(tiles: 5)))
            #expect(tile.rowSolidFractions(tileGrid: g, tiles: 5) == whole, "\(tile.family.name)")
            #expect(whole.contains { $0 > 0 } && whole.contains { $0 == 0 }, "\(tile.family.name): cells and fluid")
        }
    }

    @Test func maskWindowIsMirroredAndChecked() throws {
        // 16 × 16 pixels: fluid everywhere but a 4 × 4 cell at (2…5, 2…5) and a solid band in rows 8…15.
        var pixels = [UInt8](repeating: 0, count: 256)
        for j in 2..<6 { for i in 2..<6 { pixels[j * 16 + i] = 1 } }
        for j in 8..<16 { for i in 0..<16 { pixels[j * 16 + i] = 1 } }
        let image = try MaskCells(mask: pixels, columns: 16, rows: 16, pixelSize: 1e-6)
        let source = try UnitCellMask(image: image, source: "tiny", window: 8)
        let tile = try #require(try source.mirroredWindow(i0: 0, j0: 0))
        #expect(tile.columns == 16 && tile.rows == 16)
        // 16 cell pixels in the window, mirrored 4× → 64 of 256; one cell in each quadrant.
        #expect(abs(tile.porosity - 0.75) < 1e-12)
        #expect(tile.cellCount == 4)
        #expect(abs(tile.effectiveRadius - (16e-12 / Double.pi).squareRoot()) < 1e-15)
        // Mirror symmetry: pixel (i, j) equals (15 − i, j) and (i, 15 − j).
        for j in 0..<16 { for i in 0..<16 {
            #expect(tile.mask[j * 16 + i] == tile.mask[j * 16 + 15 - i] && tile.mask[j * 16 + i] == tile.mask[(15 - j) * 16 + i])
        } }
        // A window inside the solid band has no fluid path (and a fully fluid one no cell): nil.
        #expect(try source.mirroredWindow(i0: 0, j0: 8) == nil)
        let blocked = try MaskCells(mask: [UInt8](repeating: 1, count: 256), columns: 16, rows: 16, pixelSize: 1e-6)
        #expect(throws: TissueGeometryError.self) {
            _ = try UnitCellFamily.mask(UnitCellMask(image: blocked, source: "solid.pgm", window: 8)).tile(porosity: 0, seed: 1)
        }
    }

    /// Porosities a family cannot make are refused before any solve, naming the family and its range.
    @Test func unreachablePorosityIsRefused() throws {
        #expect(throws: TissueGeometryError.self) { try UnitCellFamily.circleRow.tile(porosity: 0.187, seed: 0) }
        #expect(throws: TissueGeometryError.self) { try UnitCellFamily.hexagonal.tile(porosity: 0.05, seed: 0) }
        #expect(throws: UnitCellInputError.self) {
            try UnitCellSampler(seed: 1, family: .hexagonal, porosityRange: 0.05...0.3)
        }
        // The liver's porosity is reachable by the new families.
        #expect(try UnitCellFamily.hexagonal.tile(porosity: 0.187, seed: 0).porosity == 0.187)
        #expect(try abs(UnitCellFamily.voronoi(cells: 8).tile(porosity: 0.187, seed: 4).porosity - 0.187) < 1e-12)
    }
}
