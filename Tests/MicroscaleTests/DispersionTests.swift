import Foundation
import Testing
import Numerics
import Microscale

// β-phase closure problem for the longitudinal dispersion D* (Dispersion.swift): pure fluid, laminated
// geometry (no tortuosity along the layers, Taylor–Aris dispersion with Poiseuille flow), the circle
// lattice against Maxwell's dilute limit, and monotone growth with Pe.

/// Solid layer j ∈ [0, layer) of every period (a channel along x on a periodic tile).
private func slabMask(_ g: Grid2D, layer: Int) -> [Bool] {
    (0..<g.cellCount).map { ($0 / g.nx) < layer }
}

@Test func dispersionPureFluidIsMolecular() throws {
    let g = Grid2D(nx: 12, ny: 10, h: 0.1e-6)
    let solid = [Bool](repeating: false, count: g.cellCount)
    for u in [0.0, 1e-4, 0.05] {
        var vel = FaceVelocities.zero(g)
        vel.u = vel.u.map { _ in u }
        let r = try Dispersion.solve(solid: solid, velocities: vel, diffusivity: 1e-10)
        #expect(abs(r.ratio - 1) < 1e-12)
    }
}

@Test func dispersionAlongLayersHasNoTortuosity() throws {
    let g = Grid2D(nx: 8, ny: 20, h: 0.1e-6)
    let r = try Dispersion.solve(solid: slabMask(g, layer: 6), velocities: .zero(g), diffusivity: 1e-10)
    #expect(abs(r.ratio - 1) < 1e-12)
    #expect(abs(r.fluidFraction - 0.7) < 1e-12)
}

@Test func dispersionAcrossLayersIsBlocked() throws {
    // Solid layers normal to x cut every x path: x + b is piecewise constant, D* = 0.
    let g = Grid2D(nx: 20, ny: 6, h: 0.1e-6)
    let mask = (0..<g.cellCount).map { ($0 % g.nx) < 5 }
    let r = try Dispersion.solve(solid: mask, velocities: .zero(g), diffusivity: 1e-10)
    #expect(abs(r.ratio) < 1e-10)
    // Two separate fluid pockets (each closed): one multiplier per region keeps the system regular.
    let pockets = (0..<g.cellCount).map { k in (k % g.nx) < 5 || ((k % g.nx) >= 11 && (k % g.nx) < 13) }
    let q = try Dispersion.solve(solid: pockets, velocities: .zero(g), diffusivity: 1e-10)
    #expect(q.fluidRegions == 2)
    #expect(abs(q.ratio) < 1e-10)
}

/// Plane Poiseuille flow (mean 1 mm/s) in a channel of width W = 40 cells above a 4-cell solid layer.
private func poiseuilleChannel() -> (grid: Grid2D, solid: [Bool], velocities: FaceVelocities, mean: Double, width: Double) {
    let layer = 4, width = 40
    let g = Grid2D(nx: 4, ny: layer + width, h: 0.05e-6)
    let wall = Double(width) * g.h
    var vel = FaceVelocities.zero(g)
    var mean = 0.0
    for j in layer..<g.ny {
        let y = (Double(j - layer) + 0.5) * g.h
        let u = 1e-3 * 6 * (y / wall) * (1 - y / wall)
        mean += u / Double(width)
        for i in 0...g.nx { vel.u[j * (g.nx + 1) + i] = u }
    }
    return (g, slabMask(g, layer: layer), vel, mean, wall)
}

@Test func dispersionTaylorArisInPlaneChannel() throws {
    // Plane Poiseuille flow in a channel of width W = 40 cells: D*/Dβ = 1 + (U W / Dβ)² / 210.
    let (_, solid, vel, mean, wall) = poiseuilleChannel()
    let d = 1e-10
    for scheme in ConvectionScheme.allCases {
        let r = try Dispersion.solve(solid: solid, velocities: vel, diffusivity: d, scheme: scheme)
        let pe = mean * wall / d
        let exact = 1 + pe * pe / 210
        #expect(abs(r.ratio / exact - 1) < 2e-3, "\(scheme): \(r.ratio) vs \(exact)")
        #expect(abs(r.tortuosity - 1) < 1e-12)
    }
}

/// The pre-asymptotic D*(t) (`Dispersion.development`) in plane Poiseuille flow against the series
/// solution for a solute uniform at t = 0: with τ = t Dβ/W² and Pe = U W/Dβ,
/// D*(t)/Dβ − 1 = Σ_{m ≥ 1} 288 Pe² (1 − exp(−(2mπ)² τ)) / (2mπ)⁶ (cosine modes of ũ = U(6s(1 − s) − 1);
/// the sum of the prefactors is Taylor–Aris's Pe²/210). Also: it starts at Dβ and ends at `solve`'s D*.
@Test func dispersionDevelopmentInPlaneChannelMatchesTheSeries() throws {
    let (_, solid, vel, mean, wall) = poiseuilleChannel()
    let d = 1e-10, pe = mean * wall / d
    let taus = [0.002, 0.01, 0.03, 0.1, 3]
    let results = try Dispersion.development(solid: solid, velocities: vel, diffusivity: d,
                                             times: taus.map { $0 * wall * wall / d }, substeps: 60)
    for (tau, r) in zip(taus, results) {
        var series = 0.0
        for m in 1...200 {
            let k = 2 * Double(m) * Double.pi
            series += 288 * pe * pe * (1 - exp(-k * k * tau)) / pow(k, 6)
        }
        #expect(abs((r.ratio - 1) / series - 1) < 0.01, "τ = \(tau): \(r.ratio - 1) vs \(series)")
        #expect(abs(r.tortuosity - 1) < 1e-12)
    }
    let asymptotic = try Dispersion.solve(solid: solid, velocities: vel, diffusivity: d)
    #expect(abs(results.last!.ratio / asymptotic.ratio - 1) < 1e-9)
    let early = try Dispersion.development(solid: solid, velocities: vel, diffusivity: d,
                                           times: [1e-6 * wall * wall / d])
    #expect(abs(early[0].ratio - 1) < 1e-3 * pe * pe / 210)
}

/// The wall-damped closure (`Dispersion.dampedAtWalls`): no uptake gives `solve`'s D* exactly; in the
/// plane channel a strong uptake at the walls kills the slow fluid's deviation, so D* falls well below
/// Taylor–Aris and only moderately above Dβ, and it falls monotonically with the rate.
@Test func dispersionDampedAtWallsReducesTheConvectivePart() throws {
    let (_, solid, vel, mean, wall) = poiseuilleChannel()
    let d = 1e-10
    let free = try Dispersion.solve(solid: solid, velocities: vel, diffusivity: d)
    let none = try Dispersion.dampedAtWalls(solid: solid, velocities: vel, diffusivity: d, rate: 0)
    #expect(abs(none.ratio / free.ratio - 1) < 1e-12)
    let diffusionRate = d / (wall * wall)
    var previous = free.ratio
    for factor in [1.0, 10, 100, 1000] {
        let r = try Dispersion.dampedAtWalls(solid: solid, velocities: vel, diffusivity: d, rate: factor * diffusionRate)
        #expect(r.ratio < previous, "rate \(factor) D/W²: \(r.ratio)")
        previous = r.ratio
    }
    let pe = mean * wall / d
    #expect(previous - 1 < 0.5 * pe * pe / 210, "strong wall uptake: \(previous) vs Taylor–Aris \(1 + pe * pe / 210)")
}

@Test func dispersionDiluteCircleLatticeMatchesMaxwell() throws {
    // Square array of cylinders (one per tile, solid fraction φ = 0.05): D*/Dβ = 1/(1 + φ) to O(φ⁴)
    // (Rayleigh: the next term is ≈ 0.3 φ⁴, negligible here). Staircase of 80 × 80.
    let n = 80, side = 3e-6, phi = 0.05
    let g = Grid2D(nx: n, ny: n, h: side / Double(n))
    let r = (phi * side * side / Double.pi).squareRoot()
    let mask = Dispersion.staircaseMask(g, CircleCells([Circle(x: side / 2, y: side / 2, radius: r)]))
    let res = try Dispersion.solve(solid: mask, velocities: .zero(g), diffusivity: 1e-10)
    let phiGrid = 1 - res.fluidFraction
    let maxwell = 1 / (1 + phiGrid)
    #expect(abs(res.ratio / maxwell - 1) < 0.02, "\(res.ratio) vs \(maxwell) at staircase φ = \(phiGrid)")
}

@Test func dispersionUnitCellTortuousAndMonotoneInPe() throws {
    let cell = try Dispersion.UnitCell(radius: 0.75e-6, cellsPerTile: 40)
    let pes: [Double] = [0, 1, 4, 16, 64]
    let ratios = try pes.map { try cell.solve(peclet: $0).ratio }
    #expect(ratios[0] > 0 && ratios[0] < 1)
    for k in 1..<ratios.count { #expect(ratios[k] >= ratios[k - 1] - 1e-9, "\(ratios)") }
    #expect(ratios.last! > ratios[0] * 1.5)
    // Pe → 0 is the diffusive limit.
    let tiny = try cell.solve(peclet: 1e-3).ratio
    #expect(abs(tiny - ratios[0]) < 1e-4)
    #expect(throws: Dispersion.Failure.self) { try cell.solve(peclet: -1) }
}

@Test func dispersionLatticeOrientationIsotropicAtRestAnisotropicInFlow() throws {
    // The staggered and inline cells are the same square lattice (one circle per 4.5 µm²) turned by 45°.
    // At Pe = 0 the tortuosity tensor of a square lattice is isotropic, so D*(0) must not depend on the
    // orientation (up to the staircase error at a similar h ≈ 0.05 µm: 1.2 % measured, 3 % allowed).
    // In flow the inline lattice has straight fluid lanes: Taylor-like growth, D* ≫ staggered.
    let staggered = try Dispersion.UnitCell(radius: 0.75e-6, cellsPerTile: 60)
    let inline = try Dispersion.UnitCell(radius: 0.75e-6, cellsPerTile: 40, lattice: .inline)
    let rest = (try staggered.solve(peclet: 0).ratio, try inline.solve(peclet: 0).ratio)
    #expect(abs(rest.1 / rest.0 - 1) < 0.03, "D*(0)/Dβ staggered \(rest.0), inline \(rest.1)")
    let flowing = (try staggered.solve(peclet: 64).ratio, try inline.solve(peclet: 64).ratio)
    #expect(flowing.1 > 10 * flowing.0, "D*(64)/Dβ staggered \(flowing.0), inline \(flowing.1)")
    #expect(throws: Dispersion.Failure.self) { try Dispersion.UnitCell(radius: 1.1e-6, cellsPerTile: 20, lattice: .inline) }
}
