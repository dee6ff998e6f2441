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
    // As `tissue dns unitcell`: OpenBLAS threads only spin inside the sparse LU.
    setBLASThreads(1)
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
