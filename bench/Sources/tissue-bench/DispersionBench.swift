import Foundation
import Microscale
import NeuralNet
import Numerics

// `tissue-bench dispersion-development --geometry voronoi|hexagonal --porosity P [--voronoi-cells N]
//      [--seed S] [--cells-per-tile N] [--strip-sample W,H,R] --peclet Pe [--times t1,t2,…] [--substeps K] [--wall-damping τ*]`
//
// The pre-asymptotic dispersion D*(t) of one unit-cell tile (`Dispersion.development`: the closure
// problem from b = 0, solute uniform over the fluid at t = 0), at times given in units of r_eff²/Dβ
// (t* = t Dβ/r_eff²), beside the asymptotic D* of the same tile (`Dispersion.UnitCell.solve`).
// Prints one JSON line: per t*, D*/Dβ and its tortuosity and convective parts.
func dispersionDevelopmentBench(_ args: [String]) throws {
    guard let porosity = option("--porosity", in: args).flatMap({ Double($0) }) else { fail("needs --porosity P") }
    guard let peclet = option("--peclet", in: args).flatMap({ Double($0) }) else { fail("needs --peclet Pe") }
    let seed = option("--seed", in: args).flatMap { UInt64($0) } ?? 1
    let n = option("--cells-per-tile", in: args).flatMap { Int($0) } ?? 128
    let family: UnitCellFamily
    switch option("--geometry", in: args) ?? "voronoi" {
    case "hexagonal": family = .hexagonal
    case "voronoi": family = .voronoi(cells: option("--voronoi-cells", in: args).flatMap { Int($0) } ?? 8)
    default: fail("--geometry must be hexagonal or voronoi")
    }
    let stars = (option("--times", in: args) ?? "0.01,0.03,0.1,0.3,0.5,1,2,3,5,10,20,50,100")
        .split(separator: ",").compactMap { Double($0) }
    setBLASThreads(1)
    ProcessMemory.keepFreedMemory()
    // `--strip-sample W,H,R` (m): the periodic sample of a Voronoi tissue strip of that size and r_eff
    // instead (`tissue dns tissue`'s geometry for this seed); n then counts cells along W.
    let tile: UnitCellTile
    if let text = option("--strip-sample", in: args) {
        let v = text.split(separator: ",").compactMap { Double($0) }
        guard v.count == 3 else { fail("--strip-sample W,H,R (m)") }
        tile = try UnitCellTile.voronoiSample(width: v[0], height: v[1], porosity: porosity, radius: v[2], seed: seed)
    } else {
        tile = try family.tile(porosity: porosity, seed: seed, cellsPerTile: n)
    }
    let cell = try Dispersion.UnitCell(tile: tile, cellsPerTile: n)
    let d = 1e-10, r = cell.radius
    let asymptotic = try cell.solve(peclet: peclet, diffusivity: d)
    // `--substeps 1` with one time τ: one implicit step from b = 0, i.e. the steady closure with a
    // first-order damping 1/τ of the deviation field (v·∇b − Dβ∇²b + b/τ = −ṽx).
    let substeps = option("--substeps", in: args).flatMap { Int($0) } ?? 8
    let results = try cell.development(peclet: peclet, times: stars.map { $0 * r * r / d }, diffusivity: d, substeps: substeps)
    // `--wall-damping τ*`: also D* with the deviation field taken up at the walls at the mean rate 1/τ.
    var walls = ""
    if let tau = option("--wall-damping", in: args).flatMap({ Double($0) }) {
        walls = ", \"wall_damped_ratio\": \(try cell.dampedAtWalls(peclet: peclet, rate: d / (tau * r * r), diffusivity: d).ratio)"
    }
    let rows = zip(stars, results).map { t, x in
        "{\"t_star\": \(t), \"ratio\": \(x.ratio), \"tortuosity\": \(x.tortuosity), \"convective\": \(x.convective)}"
    }
    print("""
        {"geometry": "\(family.name)", "porosity": \(tile.porosity), "seed": \(seed), "cells_per_tile": \(n), \
        "r_eff": \(r), "peclet": \(peclet), "asymptotic_ratio": \(asymptotic.ratio)\(walls), "development": [\(rows.joined(separator: ", "))]}
        """)
}
