import Foundation
import Macroscale
import Microscale
import Numerics

/// `tissue dispersion`: D*(Pe) from the β-phase closure problem on the periodic unit cell
/// (`Microscale.Dispersion`), optionally beside a reference table.
public enum DispersionWorkflow {
    /// Lattice orientations to the flow.
    public static let lattices = Dispersion.Lattice.allCases.map(\.rawValue)
    /// Péclet numbers of the reference table.
    public static let referencePeclets = Dispersion.referencePeclets

    public struct Request: Sendable {
        /// Cell radius of the circle row, m (or give `porosity`).
        public var radius: Double?
        /// εβ of the unit cell (required for the hexagonal and Voronoi families).
        public var porosity: Double?
        /// Geometry seeds of Voronoi tiles or mask windows: D* is the mean over their tiles (an ensemble
        /// of realisations of the same recipe), with the spread reported.
        public var seeds: [UInt64] = [1]
        /// The unit-cell family (circle row by default).
        public var geometry = UnitCellGeometryRequest()
        public var cellsPerTile = 60
        /// "staggered" or "inline".
        public var lattice = "staggered"
        public var peclets: [Double] = Dispersion.referencePeclets
        /// Length ℓ in Pe = ℓ⟨v⟩β/Dβ (nil: the radius), m.
        public var pecletLength: Double?
        /// Molecular diffusivity Dβ, m² s⁻¹.
        public var diffusivity = 1e-10
        /// Convection scheme: quick, central or upwind.
        public var scheme = "quick"
        /// Reference table effective_dispersion_…csv.
        public var reference: String?
        /// CSV output.
        public var output: String?
        public var policy = OutputPolicy()

        public init(radius: Double?) { self.radius = radius }

        /// The tile of a family other than the circle row for geometry seed `seed`, or nil for the circle row.
        func tile(seed: UInt64) throws -> UnitCellTile? {
            let family = try geometry.family()
            if family == .circleRow {
                guard lattice == "staggered" || porosity == nil else {
                    throw WorkflowError("--lattice \(lattice) needs --radius")
                }
                guard seeds.count == 1 else { throw WorkflowError("--seeds: the circle row has no geometry seed") }
                return nil
            }
            guard !seeds.isEmpty, Set(seeds).count == seeds.count else { throw WorkflowError("--seeds must list distinct seeds") }
            guard radius == nil else { throw WorkflowError("--radius is the circle row's; the \(family.name) unit cell takes --porosity") }
            guard lattice == "staggered" else { throw WorkflowError("--lattice orients the circle row; it cannot be used with --geometry \(family.name)") }
            if case .mask = family {} else if porosity == nil {
                throw WorkflowError("--geometry \(family.name) needs --porosity (the εβ of the tile)")
            }
            do {
                // A mask's windows have the image's porosity (its family takes none).
                return try family.tile(porosity: porosity ?? 0, seed: seed, cellsPerTile: cellsPerTile)
            } catch { throw WorkflowError("--porosity/--seeds: \(error)") }
        }
    }

    public static func run(_ request: Request, reporter: WorkflowReporter) throws -> WorkflowReport {
        let tiles = try request.seeds.map { try request.tile(seed: $0) }
        let tile = tiles[0]
        let (radius, conv, latticeKind) = try checkedSettings(request, tile: tile)
        // The reference D* at our Pe: the solver's own interpolation (monotone cubic in Pe).
        let reference = try request.reference.map { path -> EffectiveDispersion in
            let t = try Dispersion.readReferenceTable(path: path)
            return try EffectiveDispersion.table(peclet: t.peclet, coefficient: t.coefficient)
        }
        if let output = request.output { try request.policy.checkOutput(output) }
        var results: [[TileResult]] = []
        var porosities: [Double] = []
        for (k, t) in tiles.enumerated() {
            let (porosity, perPeclet) = try solve(t, seed: request.seeds[k], radius: radius, lattice: latticeKind,
                                                  scheme: conv, request: request, reporter: reporter)
            porosities.append(porosity)
            results.append(perPeclet)
        }
        let table = tabulate(results, request: request, reference: reference)
        if let output = request.output {
            let header = tile.map { t in
                "# D*(Pe) on \(t.family.description), porosity \(mean(porosities)), r_eff = Pe length, "
                    + "\(request.cellsPerTile) cells per tile, mean over geometry seeds \(request.seeds.map(String.init).joined(separator: " "))\n"
            } ?? ""
            try (header + table.csv.joined(separator: "\n") + "\n").write(toFile: output, atomically: true, encoding: .utf8)
        }
        var summary: [String: Any] = ["radius": radius, "lattice": request.lattice, "cells_per_tile": request.cellsPerTile,
                                      "porosity": mean(porosities), "geometry": tile?.family.name ?? "circle-row", "rows": table.rows]
        if tile != nil { summary["seeds"] = request.seeds }
        return WorkflowReport(summary: summary, text: table.text)
    }

    /// One tile's result at one Pe: D*, D*/Dβ, tortuosity, convective part, frozen-tortuosity ratio.
    typealias TileResult = (Double, Double, Double, Double, Double)

    static func mean(_ values: [Double]) -> Double { values.reduce(0, +) / Double(values.count) }

    /// The circle radius (r_eff of a tile), convection scheme and lattice, with the Pe list checked.
    static func checkedSettings(_ request: Request, tile: UnitCellTile?) throws
        -> (radius: Double, scheme: ConvectionScheme, lattice: Dispersion.Lattice)
    {
        var radius = tile?.effectiveRadius ?? request.radius ?? .nan
        if tile == nil, request.radius == nil, let e = request.porosity {
            guard e > UnitCellSampler.minimumPorosity && e < 1 else {
                throw WorkflowError("--porosity \(e): the circle row reaches \(UnitCellSampler.minimumPorosity)…1 (use --geometry hexagonal or voronoi below it)")
            }
            radius = UnitCellRow.radius(porosity: e)
        }
        guard radius > 0, radius.isFinite else { throw WorkflowError("give --radius R (m) or --porosity (circle row), got \(request.radius.map { "\($0)" } ?? "neither")") }
        guard let conv = ConvectionScheme(rawValue: request.scheme) else {
            throw WorkflowError("--scheme must be quick, central or upwind, got \(request.scheme)")
        }
        let pes = request.peclets
        guard !pes.isEmpty else { throw WorkflowError("--peclet is empty") }
        if let bad = pes.first(where: { !($0 >= 0 && $0.isFinite) }) { throw WorkflowError("--peclet: not a non-negative number: \(bad)") }
        guard let latticeKind = Dispersion.Lattice(rawValue: request.lattice) else {
            throw WorkflowError("--lattice must be staggered or inline, got \(request.lattice)")
        }
        return (radius, conv, latticeKind)
    }

    /// The closure problem on one tile (or the circle row when `t` is nil) at every Pe of the
    /// request; returns the tile's porosity and the results per Pe.
    static func solve(_ t: UnitCellTile?, seed: UInt64, radius: Double, lattice: Dispersion.Lattice,
                      scheme conv: ConvectionScheme, request: Request,
                      reporter: WorkflowReporter) throws -> (porosity: Double, results: [TileResult]) {
        let pes = request.peclets
        let cell = try t.map { try Dispersion.UnitCell(tile: $0, cellsPerTile: request.cellsPerTile, pecletLength: request.pecletLength) }
            ?? Dispersion.UnitCell(radius: radius, cellsPerTile: request.cellsPerTile, pecletLength: request.pecletLength,
                                   lattice: lattice)
        let porosity = t?.porosity ?? UnitCellRow.porosity(radius: radius)
        let name = t?.family.description ?? "\(request.lattice) circle-row"
        let fluid = cell.mask.filter { !$0 }.count
        reporter.note("\(name) unit cell\(t == nil ? "" : " (seed \(seed))") r = \(cell.radius) m, εβ = \(porosity) (staircase fluid fraction "
            + String(format: "%.4f", fluid == 0 ? 0 : Double(fluid) / Double(cell.mask.count))
            + "), \(request.cellsPerTile) cells per tile")
        let rest = try cell.solve(peclet: 0, diffusivity: request.diffusivity, scheme: conv)
        let results = try pes.map { pe -> TileResult in
            let r = try cell.solve(peclet: pe, diffusivity: request.diffusivity, scheme: conv)
            if pe == pes[0], r.fluidRegions > 1 {
                reporter.note("warning: the staircase mask splits the fluid into \(r.fluidRegions) regions (a gap is closed); "
                    + "increase --cells-per-tile")
            }
            return (r.coefficient, r.ratio, r.tortuosity, r.convective, Dispersion.frozenTortuosityRatio(rest: rest, at: r))
        }
        return (porosity, results)
    }

    /// The D*(Pe) table as CSV lines, JSON rows and text lines: the mean over the tiles, their
    /// range when there are several, and the reference at the same Pe.
    static func tabulate(_ results: [[TileResult]], request: Request,
                         reference: EffectiveDispersion?) -> (csv: [String], rows: [[String: Any]], text: [String]) {
        let ensemble = results.count > 1
        var lines = ["Pe,D_star (m^2/s),D_star/D_beta,tortuosity,convective,frozen_tortuosity D_star/D_beta"
                     + (ensemble ? ",min D_star/D_beta,max D_star/D_beta" : "")
                     + (reference == nil ? "" : ",reference D_star/D_beta")]
        var rows: [[String: Any]] = []
        var text = ["     Pe      D*/Dβ     frozen" + (ensemble ? "        min        max" : "") + (reference == nil ? "" : "   reference")]
        for (j, pe) in request.peclets.enumerated() {
            let at = results.map { $0[j] }
            let d = mean(at.map(\.0)), ratio = mean(at.map(\.1)), tort = mean(at.map(\.2)), conv = mean(at.map(\.3))
            let frozen = mean(at.map(\.4))
            var line = "\(formatNumber(pe)),\(d),\(ratio),\(tort),\(conv),\(frozen)"
            var row: [String: Any] = ["Pe": pe, "D_star": d, "ratio": ratio, "tortuosity": tort,
                                      "convective": conv, "frozen_tortuosity_ratio": frozen]
            var shown = String(format: "%7g  %9.4f  %9.4f", pe, ratio, frozen)
            if ensemble {
                let lo = at.map(\.1).min()!, hi = at.map(\.1).max()!
                line += ",\(lo),\(hi)"
                row["ratio_min"] = lo
                row["ratio_max"] = hi
                row["ratio_per_seed"] = at.map(\.1)
                shown += String(format: "  %9.4f  %9.4f", lo, hi)
            }
            if let reference {
                let v = reference.coefficient(atPeclet: pe) / request.diffusivity
                line += ",\(v)"
                row["reference_ratio"] = v
                shown += String(format: "   %9.4f", v)
            }
            lines.append(line)
            rows.append(row)
            text.append(shown)
        }
        return (lines, rows, text)
    }

    /// Pe as written in the CSV: an integer when it is one.
    public static func formatNumber(_ x: Double) -> String {
        x == x.rounded() && abs(x) < 1e15 ? String(Int(x)) : "\(x)"
    }
}
