import ArgumentParser
import Foundation
import Microscale
import Numerics

/// `tissue dispersion --radius R --cells-per-tile N`: D*(Pe) from the β-phase closure problem on the
/// reference unit cell (`Dispersion`), optionally beside the reference table.
struct DispersionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dispersion",
        abstract: "Longitudinal effective dispersion D*(Pe) from the closure problem on the periodic unit cell.",
        discussion: """
        Solves v·∇b − Dβ∇²b = −ṽx in β, −n·∇b = nx on the cell walls, ⟨b⟩ = 0, on one 3 µm tile (centre \
        circle + four quarter circles of radius R, staircase mask), and prints D*/Dβ = 1 + ⟨∂b/∂x⟩ − ⟨ṽx b⟩/Dβ \
        at each Pe = ℓ⟨v⟩β/Dβ (ℓ = R unless --peclet-length). `--lattice inline` turns the same square \
        lattice (one circle per 4.5 µm²) so that a lattice axis is along the flow: one centred circle per \
        √4.5 µm tile. With --reference FILE (the effective_dispersion_…csv table) the reference D*/Dβ is \
        interpolated log-log at the same Pe.
        """)

    @Option(help: "Cell radius (m), e.g. 1e-6.")
    var radius: Double

    @Option(help: "Grid cells along each side of the tile (3 µm staggered, 2.121 µm inline).")
    var cellsPerTile: Int = 60

    @Option(help: "Lattice orientation to the flow: staggered (the reference unit cell, 45°) or inline.")
    var lattice: String = Dispersion.Lattice.staggered.rawValue

    @Option(help: "Comma-separated Péclet numbers.")
    var peclet: String = Dispersion.referencePeclets.map { formatNumber($0) }.joined(separator: ",")

    @Option(help: "Length ℓ (m) in Pe = ℓ⟨v⟩β/Dβ (default: the radius).")
    var pecletLength: Double?

    @Option(help: "Molecular diffusivity Dβ (m²/s).")
    var diffusivity: Double = 1e-10

    @Option(help: "Convection scheme: quick, central or upwind.")
    var scheme: String = "quick"

    @Option(help: "Reference table effective_dispersion_…csv to compare with.", completion: .file(extensions: ["csv"]))
    var reference: String?

    @Option(name: .shortAndLong, help: "Write the table as CSV here.")
    var output: String?

    @OptionGroup var options: OutputOptions

    func run() throws {
        guard radius > 0, radius.isFinite else { throw UserError("--radius must be positive, got \(radius)") }
        guard let conv = ConvectionScheme(rawValue: scheme) else { throw UserError("--scheme must be quick, central or upwind, got \(scheme)") }
        let pes = try peclet.split(separator: ",").map { s -> Double in
            guard let v = Double(s.trimmingCharacters(in: .whitespaces)), v >= 0, v.isFinite else {
                throw UserError("--peclet: not a non-negative number: \(s)")
            }
            return v
        }
        guard !pes.isEmpty else { throw UserError("--peclet is empty") }
        guard let latticeKind = Dispersion.Lattice(rawValue: lattice) else {
            throw UserError("--lattice must be staggered or inline, got \(lattice)")
        }
        let ref = try reference.map { try Self.readReference($0) }
        if let output { try options.checkOutput(output) }
        let cell = try Dispersion.UnitCell(radius: radius, cellsPerTile: cellsPerTile, pecletLength: pecletLength,
                                           lattice: latticeKind)
        Terminal.info("\(lattice) unit cell r = \(radius) m, εβ = \(UnitCellRow.porosity(radius: radius)) (staircase fluid fraction "
            + String(format: "%.4f", cell.mask.filter { !$0 }.count == 0 ? 0 : Double(cell.mask.filter { !$0 }.count) / Double(cell.mask.count))
            + "), \(cellsPerTile) cells per tile", quiet: options.quiet)
        // The tortuosity term 1 + ⟨∂b/∂x⟩ at rest, added to the convective term at each Pe: the reference
        // table follows this "frozen tortuosity" sum (README, "Dispersion").
        let restTortuosity = try cell.solve(peclet: 0, diffusivity: diffusivity, scheme: conv).tortuosity
        var lines = ["Pe,D_star (m^2/s),D_star/D_beta,tortuosity,convective,frozen_tortuosity D_star/D_beta"
                     + (ref == nil ? "" : ",reference D_star/D_beta")]
        var rows: [[String: Any]] = []
        for pe in pes {
            let r = try cell.solve(peclet: pe, diffusivity: diffusivity, scheme: conv)
            if pe == pes[0], r.fluidRegions > 1 {
                Terminal.info("warning: the staircase mask splits the fluid into \(r.fluidRegions) regions (a gap is closed); "
                    + "increase --cells-per-tile", quiet: options.quiet)
            }
            let frozen = restTortuosity + r.convective
            var line = "\(formatNumber(pe)),\(r.coefficient),\(r.ratio),\(r.tortuosity),\(r.convective),\(frozen)"
            var row: [String: Any] = ["Pe": pe, "D_star": r.coefficient, "ratio": r.ratio, "tortuosity": r.tortuosity,
                                      "convective": r.convective, "frozen_tortuosity_ratio": frozen]
            if let ref {
                let v = Self.interpolate(ref, pe) / diffusivity
                line += ",\(v)"
                row["reference_ratio"] = v
            }
            lines.append(line)
            rows.append(row)
        }
        let csv = lines.joined(separator: "\n") + "\n"
        if let output { try csv.write(toFile: output, atomically: true, encoding: .utf8) }
        if options.json {
            print(Terminal.json(["radius": radius, "lattice": lattice, "cells_per_tile": cellsPerTile, "porosity": UnitCellRow.porosity(radius: radius),
                                 "rows": rows]))
        } else {
            print("     Pe      D*/Dβ     frozen" + (ref == nil ? "" : "   reference"))
            for row in rows {
                var s = String(format: "%7g  %9.4f  %9.4f", row["Pe"] as! Double, row["ratio"] as! Double,
                               row["frozen_tortuosity_ratio"] as! Double)
                if let v = row["reference_ratio"] as? Double { s += String(format: "   %9.4f", v) }
                print(s)
            }
        }
    }

    /// (Pe, D*) pairs of the reference CSV (lines starting with % skipped; columns PL, Pe, D*).
    static func readReference(_ path: String) throws -> [(Double, Double)] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw UserError("cannot read \(path)") }
        var out: [(Double, Double)] = []
        for line in text.split(whereSeparator: \.isNewline) where !line.hasPrefix("%") {
            let f = line.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
            guard f.count >= 3, let pe = f[1], let d = f[2] else { throw UserError("\(path): bad line \(line)") }
            out.append((pe, d))
        }
        guard out.count >= 2 else { throw UserError("\(path): fewer than 2 data rows") }
        return out.sorted { $0.0 < $1.0 }
    }

    /// Log-log interpolation (constant beyond the ends; Pe below the first point takes the first value).
    static func interpolate(_ t: [(Double, Double)], _ pe: Double) -> Double {
        if pe <= t[0].0 { return t[0].1 }
        if pe >= t[t.count - 1].0 { return t[t.count - 1].1 }
        var k = 0
        while t[k + 1].0 < pe { k += 1 }
        let (x0, y0) = t[k], (x1, y1) = t[k + 1]
        let w = (log(pe) - log(x0)) / (log(x1) - log(x0))
        return exp(log(y0) + w * (log(y1) - log(y0)))
    }
}

private func formatNumber(_ x: Double) -> String { x == x.rounded() && abs(x) < 1e15 ? String(Int(x)) : "\(x)" }
