import ArgumentParser
import Closure
import Foundation
import HDF5Kit
import Microscale
import NeuralNet
import Scenario

/// `tissue dns …`: microscale direct numerical simulation.
struct DNSCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dns", abstract: "Microscale DNS: unit-cell realisations that create training data.",
        subcommands: [UnitCellCommand.self])
}

/// `tissue dns unitcell --inputs TABLE`: run unit-cell realisations, write a `training-set` file.
struct UnitCellCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unitcell",
        abstract: "Run unit-cell realisations (Stokes flow + Michaelis–Menten transport) from an inputs table; write a training-set file.",
        discussion: """
        The table is either a CSV with header r,phi2,PL,Dr,cL (SI units) or the reference COMSOL output \
        (Comsol_output_…csv); with the latter, η of domains 2–5 is compared with the reference and the \
        errors are reported.
        """)

    @Option(help: "Inputs table (CSV r,phi2,PL,Dr,cL, or the reference COMSOL table).", completion: .file(extensions: ["csv"]))
    var inputs: String

    @Option(help: "Comma-separated 0-based data rows of the table to run (default: all).")
    var rows: String?

    @Option(help: "Grid cells along each side of a 3 µm tile (h = 3 µm / N).")
    var cellsPerTile: Int = 60

    @Option(name: [.short, .customLong("output")], help: "Training-set file to write.")
    var outputPath: String = "results/unitcell.h5"

    @OptionGroup var output: OutputOptions

    func validate() throws {
        guard cellsPerTile >= 8 && cellsPerTile <= 480 else {
            throw ValidationError("--cells-per-tile \(cellsPerTile) is out of range: expected 8…480")
        }
    }

    func run() throws {
        let selected = try rows.map { text in
            try text.split(separator: ",").map { part -> Int in
                guard let k = Int(part.trimmingCharacters(in: .whitespaces)), k >= 0 else {
                    throw UserError("--rows: '\(part)' is not a row number (0-based)")
                }
                return k
            }
        }
        let table = try readUnitCellTable(path: inputs, rows: selected)
        // The sparse LU calls OpenBLAS on small blocks: its worker threads only spin (measured 2× slower).
        setBLASThreads(1)
        try AtomicWrite.checkDestination(outputPath)
        let campaign = UnitCellCampaign(rows: table, cellsPerTile: cellsPerTile)
        let bar = ProgressBar(label: "realisations", total: table.count, quiet: output.quiet)
        let outcome = try campaign.run(source: inputs) { done, _ in bar.update(done) }
        let config = """
            # tissue dns unitcell
            inputs = "\(inputs)"
            rows = "\(rows ?? "all")"
            cells_per_tile = \(cellsPerTile)
            """
        try AtomicWrite.hdf5(to: outputPath) { file in
            try FileHeader(kind: TrainingSet.kind, programVersion: programVersion, config: config, seed: 0).write(to: file)
            try outcome.trainingSet.write(to: file)
        }
        var summary: [String: Any] = ["output": outputPath, "realisations": table.count,
                                      "samples": outcome.trainingSet.count, "cells_per_tile": cellsPerTile,
                                      "transport_seconds": outcome.results.map(\.transportSeconds).reduce(0, +),
                                      "flow_seconds": outcome.results.map(\.flowSeconds).reduce(0, +)]
        if !outcome.comparisons.isEmpty {
            let errors = outcome.comparisons.flatMap { $0.relativeEtaError.map { abs($0) * 100 } }
            summary["eta_error_median_percent"] = errors.quantile(0.5)
            summary["eta_error_p95_percent"] = errors.quantile(0.95)
            summary["eta_error_max_percent"] = errors.max() ?? .nan
            summary["peclet_ratio_median"] = outcome.comparisons.map(\.pecletRatio).quantile(0.5)
        }
        if output.json {
            print(Terminal.json(summary))
            return
        }
        print("wrote \(outputPath)")
        for c in outcome.comparisons {
            print(String(format: "  row %5d  Pe ours/ref %.4f  η error domains 2–5: %@", c.row, c.pecletRatio,
                         c.relativeEtaError.map { String(format: "%+.2f%%", $0 * 100) }.joined(separator: " ")))
        }
        for key in summary.keys.sorted() where key != "output" { print("  \(key): \(summary[key]!)") }
    }
}
