import ArgumentParser
import Foundation
import HDF5Kit
import Microscale
import NeuralNet
import Scenario

/// `tissue dns tissue CONFIG`: strip DNS of a tissue (Stokes + Michaelis–Menten transport), writes a
/// `dns-tissue` file and its `.xdmf` sidecar for ParaView.
struct TissueDNSCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tissue",
        abstract: "DNS of a whole tissue strip: write a dns-tissue HDF5 file and an .xdmf sidecar for ParaView.",
        discussion: """
        CONFIG is a scenario (e.g. examples/validate-brain.toml): the tissue comes from [tissue], the strip \
        from [dns] (sample_length, height, copies, grid_spacing, seeds, geometry = "voronoi" | "mask"). One \
        sample of length ℓ is generated (Poisson-disk seeds → periodic Voronoi cells shrunk to the porosity) \
        or imported (an HDF5 uint8 dataset or a PGM or PNG image with its pixel size) and repeated `copies` times \
        along x; the strip is periodic in y. Stokes flow is solved once on the periodic sample and scaled so \
        that Pe = r_eff ⟨v⟩^β / Dβ equals the tissue's; transport uses the tissue's km, Ka, cL, Dr.
        """)

    @Argument(help: "Scenario config (TOML) with [tissue] and [dns].", completion: .file(extensions: ["toml"]))
    var config: String

    @Option(help: "Geometry seed (default: the first of dns.seeds).")
    var seed: UInt64?

    @Option(name: [.short, .customLong("output")], help: "dns-tissue file to write (default: dns.file); the .xdmf goes beside it.")
    var outputPath: String?

    @Option(name: .customLong("set"), help: ArgumentHelp("Override a key: section.key=value (repeatable).", valueName: "key=value"))
    var overrides: [String] = []

    @OptionGroup var output: OutputOptions

    func run() throws {
        let scenario = try ValidateScenarioLoader.load(path: config, overrides: overrides)
        let seed = self.seed ?? scenario.dns.seeds.first ?? 0
        let path = outputPath ?? scenario.dns.outputPath
        try output.checkOutput(path)
        let d = scenario.dns
        Terminal.info(String(format: "tissue dns tissue: %@, %d × %.4g µm samples × %.4g µm high, h = %.4g µm, seed %llu",
                             scenario.run.tissue.name, d.copies, d.sampleLength * 1e6, d.height * 1e6, d.gridSpacing * 1e6, seed),
                      quiet: output.quiet || output.json)
        // The sparse LU calls OpenBLAS on small blocks: its worker threads mostly spin in sched_yield.
        setBLASThreads(1)
        let bar = ProgressBar(label: "strip DNS", total: 3, quiet: output.quiet)
        let result = try TissueDNSRun.run(scenario, seed: seed) { stage in bar.update(stage.rawValue - 1, note: "\(stage)") }
        bar.update(3)
        try TissueDNSRun.write(result, scenario: scenario, seed: seed, to: path)
        let b = result.transport.balance
        let summary: [String: Any] = [
            "output": path, "xdmf": TissueDNSFile.sidecarPath(for: path), "tissue": scenario.run.tissue.name, "seed": seed,
            "nx": result.grid.nx, "ny": result.grid.ny, "grid_spacing_m": result.grid.h,
            "porosity_grid": result.gridPorosity, "porosity_target": scenario.run.tissue.porosity,
            "effective_radius_geometry_m": result.geometryRadius, "cells_per_sample": result.cellsPerSample,
            "peclet": result.achievedPeclet, "newton_iterations": result.transport.iterations,
            "relative_imbalance": b.relativeImbalance, "inflow": b.inflow, "outflow": b.outflow, "uptake": b.uptake,
            "geometry_seconds": result.geometrySeconds, "flow_seconds": result.flowSeconds,
            "transport_seconds": result.transportSeconds, "max_cell_peclet": result.maxCellPeclet,
        ]
        if output.json {
            print(Terminal.json(summary))
        } else {
            print("wrote \(path) and \(TissueDNSFile.sidecarPath(for: path))")
            for key in summary.keys.sorted() where key != "output" && key != "xdmf" { print("  \(key): \(summary[key]!)") }
        }
    }
}
