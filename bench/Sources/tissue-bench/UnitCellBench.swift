// `tissue-bench unitcell --inputs TABLE --rows A,B,… [--cells-per-tile N|auto]`
//
// Per-realisation wall time of the unit-cell DNS (`UnitCellDNS.run`: Stokes flow on the periodic
// tile, tiled ×5, then Michaelis–Menten transport on the 15 × 3 µm row, then the domain averages),
// flow included: each row gets a fresh `UnitCellDNS`, so no flow is reused from the per-radius cache.
// Reading the table is not timed. Prints one JSON line: per row the total, flow and transport
// seconds, Pe and η of domains 1–5, the row's grid, plus the process's peak RSS (getrusage). `auto` is
// `tissue dns unitcell`'s default (`UnitCellResolution.adaptiveDefault`, chosen per row). Used by bench/dns.sh.
import Foundation
import Microscale
import NeuralNet
import Numerics

func unitCellBench(_ args: [String]) throws {
    guard let path = option("--inputs", in: args) else { fail("unitcell needs --inputs TABLE") }
    guard let rowText = option("--rows", in: args) else { fail("unitcell needs --rows A,B,…") }
    let rows = rowText.split(separator: ",").map { part -> Int in
        guard let k = Int(part.trimmingCharacters(in: .whitespaces)), k >= 0 else { fail("--rows: bad row '\(part)'") }
        return k
    }
    let resolutionText = option("--cells-per-tile", in: args) ?? "60"
    let resolution: UnitCellResolution
    do { resolution = try UnitCellResolution(parsing: resolutionText) } catch { fail("--cells-per-tile \(error)") }
    // As `tissue dns unitcell`: OpenBLAS threads only spin inside the sparse LU; freed memory is kept.
    setBLASThreads(1)
    ProcessMemory.keepFreedMemory()
    let table = try readUnitCellTable(path: path, rows: rows)
    var entries: [String] = []
    var failed = 0
    for row in table {
        let watch = Stopwatch()
        do {
            let i = row.inputs
            let n = resolution.cellsPerTile(radius: i.radius, thieleModulusSquared: i.thieleModulusSquared,
                                            diffusivityRatio: i.diffusivityRatio)
            let result = try UnitCellDNS(cellsPerTile: n).run(i)
            let total = watch.seconds
            let eta = result.domains.map(\.eta), conc = result.domains.map(\.concentration)
            entries.append("""
                {"row": \(row.index), "ok": true, "cells_per_tile": \(n), "total_seconds": \(total), "flow_seconds": \(result.flowSeconds), \
                "transport_seconds": \(result.transportSeconds), "newton_iterations": \(result.iterations), \
                "peclet": \(result.peclet), "eta": \(eta), "concentration": \(conc)}
                """)
        } catch {
            failed += 1
            let message = "\(error)".replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            entries.append("{\"row\": \(row.index), \"ok\": false, \"error\": \"\(message)\"}")
        }
    }
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    print("""
    {"solver": "swift", "cells_per_tile": "\(resolutionText)", "failed": \(failed), "peak_rss_kib": \(usage.ru_maxrss), \
    "rows": [\(entries.joined(separator: ", "))]}
    """)
}

// `tissue-bench families --geometry hexagonal|voronoi --samples N [--first K] [--plan] [--cells-per-tile N] [--no-check] [--seed S] [--porosity-range A:B]`
//
// Grid convergence and cost of sampled realisations of a unit-cell family: each realisation is solved
// on its `auto` grid n (timed, flow included, a fresh solver per realisation) and again on 2n with the
// same drawn inputs (the same target Pe, PL from each grid's own flow); `--plan` prints each tile's
// geometry, reaction-layer thickness and chosen grid without solving. Prints one JSON line with,
// per realisation, n, the seconds at n, and the largest relative η difference over domains 2–5.
func familyConvergenceBench(_ args: [String]) throws {
    let geometry = option("--geometry", in: args) ?? "voronoi"
    guard let samples = option("--samples", in: args).flatMap({ Int($0) }), samples > 0 else { fail("families needs --samples N") }
    let seed = option("--seed", in: args).flatMap { UInt64($0) } ?? 1
    let family: UnitCellFamily
    switch geometry {
    case "hexagonal": family = .hexagonal
    case "voronoi": family = .voronoi(cells: option("--voronoi-cells", in: args).flatMap { Int($0) } ?? 8,
                                      areaSpread: option("--cell-area-spread", in: args).flatMap { Double($0) } ?? 0)
    default: fail("--geometry must be hexagonal or voronoi")
    }
    var range: ClosedRange<Double>? = nil
    if let text = option("--porosity-range", in: args) {
        let p = text.split(separator: ":").compactMap { Double($0) }
        guard p.count == 2, p[0] <= p[1] else { fail("--porosity-range A:B") }
        range = p[0]...p[1]
    }
    setBLASThreads(1)   // as `tissue dns unitcell`
    ProcessMemory.keepFreedMemory()
    let sampler = try UnitCellSampler(seed: seed, family: family, porosityRange: range)
    let rule = UnitCellResolution.adaptiveDefault
    let first = option("--first", in: args).flatMap { Int($0) } ?? 0
    let forced = option("--cells-per-tile", in: args).flatMap { Int($0) }   // instead of the auto rule
    var entries: [String] = []
    for k in first..<(first + samples) {
        let d = sampler.draw(index: k)
        do {
            let tile = try sampler.tile(index: k)
            let n = forced ?? rule.cellsPerTile(tile: tile, thieleModulusSquared: d.thieleModulusSquared,
                                                diffusivityRatio: d.diffusivityRatio)
            if args.contains("--plan") {
                let delta = UnitCellResolution.reactionLayerThickness(radius: tile.effectiveRadius, thieleModulusSquared: d.thieleModulusSquared,
                                                                      diffusivityRatio: d.diffusivityRatio)
                entries.append("""
                    {"index": \(k), "porosity": \(tile.porosity), "phi2": \(d.thieleModulusSquared), "Dr": \(d.diffusivityRatio), \
                    "r_eff": \(tile.effectiveRadius), "width": \(tile.width), "height": \(tile.height), "gap": \(tile.narrowestGap), \
                    "delta": \(delta), "cells_per_tile": \(n)}
                    """)
                continue
            }
            let watch = Stopwatch()
            let coarse = UnitCellDNS(cellsPerTile: n)
            let (ci, ct) = try sampler.inputs(index: k, dns: coarse)
            let a = try coarse.run(ci, tile: ct)
            let seconds = watch.seconds
            var diffs = [Double.nan]
            if !args.contains("--no-check") {   // `--no-check`: time the auto grid alone (profiling)
                let fine = UnitCellDNS(cellsPerTile: 2 * n)
                let (fi, ft) = try sampler.inputs(index: k, dns: fine)
                let b = try fine.run(fi, tile: ft)
                diffs = (1..<5).map { abs(a.domains[$0].eta / b.domains[$0].eta - 1) }
            }
            entries.append("""
                {"index": \(k), "porosity": \(ct.porosity), "phi2": \(d.thieleModulusSquared), "Dr": \(d.diffusivityRatio), \
                "peclet": \(a.peclet), "cells_per_tile": \(n), "seconds": \(seconds), "flow_seconds": \(a.flowSeconds), \
                "transport_seconds": \(a.transportSeconds), "iterations": \(a.iterations), \
                "eta_max_rel_diff": \(diffs[0].isNaN ? "null" : "\(diffs.max()!)")}
                """)
        } catch {
            let message = "\(error)".replacingOccurrences(of: "\"", with: "'")
            entries.append("{\"index\": \(k), \"error\": \"\(message)\"}")
        }
    }
    print("{\"geometry\": \"\(geometry)\", \"seed\": \(seed), \"rows\": [\(entries.joined(separator: ", "))]}")
}
