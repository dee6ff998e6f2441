import Foundation
import Averaging
import Config
import HDF5Kit
import Microscale
import NeuralNet
import Scenario

/// `tissue dns tissue CONFIG`: strip DNS of a tissue (Stokes + Michaelis–Menten transport); writes a
/// `dns-tissue` file and its `.xdmf` sidecar for ParaView.
public enum TissueDNSWorkflow {
    public struct Request: Sendable {
        public var config: String
        /// Geometry seed (nil: the first of dns.seeds).
        public var seed: UInt64?
        /// dns-tissue file (nil: dns.file).
        public var output: String?
        public var overrides: [String]
        public var unset: [String] = []
        public var policy: OutputPolicy

        public init(config: String, seed: UInt64? = nil, output: String? = nil, overrides: [String] = [],
                    policy: OutputPolicy = OutputPolicy()) {
            self.config = config
            self.seed = seed
            self.output = output
            self.overrides = overrides
            self.policy = policy
        }
    }

    public static func run(_ request: Request, reporter: WorkflowReporter) throws -> WorkflowReport {
        let scenario = try ValidateScenarioLoader.load(path: request.config, overrides: request.overrides, unset: request.unset)
        reporter.configLoaded(notes: scenario.run.notes, warnings: scenario.run.warnings)
        let seed = request.seed ?? scenario.dns.seeds.first ?? 0
        let path = request.output ?? scenario.dns.outputPath
        try request.policy.checkOutput(path)
        let d = scenario.dns
        reporter.status(String(format: "tissue dns tissue: %@, %d × %.4g µm samples × %.4g µm high, h = %.4g µm, seed %llu",
                               scenario.run.tissue.name, d.copies, d.sampleLength * 1e6, d.height * 1e6, d.gridSpacing * 1e6, seed))
        // The sparse LU calls OpenBLAS on small blocks: its worker threads mostly spin in sched_yield.
        setBLASThreads(1)
        reporter.beginProgress("strip DNS", total: 3)
        let result = try TissueDNSRun.run(scenario, seed: seed) { stage in
            if reporter.stopRequested { throw WorkflowStopped("strip DNS stopped before its \(stage) stage; nothing written") }
            reporter.progress(stage.rawValue - 1, detail: "\(stage)")
        }
        reporter.progress(3)
        try TissueDNSRun.write(result, scenario: scenario, seed: seed, to: path)
        let b = result.transport.balance
        let sidecar = TissueDNSFile.sidecarPath(for: path)
        let summary: [String: Any] = [
            "output": path, "xdmf": sidecar, "tissue": scenario.run.tissue.name, "seed": seed,
            "nx": result.grid.nx, "ny": result.grid.ny, "grid_spacing_m": result.grid.h,
            "porosity_grid": result.gridPorosity, "porosity_target": scenario.run.tissue.porosity,
            "effective_radius_geometry_m": result.geometryRadius, "cells_per_sample": result.cellsPerSample,
            "peclet": result.achievedPeclet, "newton_iterations": result.transport.iterations,
            "relative_imbalance": b.relativeImbalance, "inflow": b.inflow, "outflow": b.outflow, "uptake": b.uptake,
            "geometry_seconds": result.geometrySeconds, "flow_seconds": result.flowSeconds,
            "transport_seconds": result.transportSeconds, "max_cell_peclet": result.maxCellPeclet,
        ]
        return WorkflowReport(summary: summary, headline: ["wrote \(path) and \(sidecar)"], hidden: ["output", "xdmf"])
    }
}

/// `tissue validate SCENARIO`: strip DNS → average → upscaled run → compare; one HDF5 file + SVG.
public enum ValidateWorkflow {
    public struct Request: Sendable {
        public var config: String
        /// Comparison file (nil: the config's [output] file).
        public var output: String?
        /// SVG figure (nil: compare.plot).
        public var plot: String?
        public var overrides: [String]
        public var unset: [String] = []
        /// Also write each seed's dns-tissue file (+ .xdmf) next to dns.file.
        public var keepDNS: Bool
        public var policy: OutputPolicy

        public init(config: String, output: String? = nil, plot: String? = nil, overrides: [String] = [],
                    keepDNS: Bool = false, policy: OutputPolicy = OutputPolicy()) {
            self.config = config
            self.output = output
            self.plot = plot
            self.overrides = overrides
            self.keepDNS = keepDNS
            self.policy = policy
        }
    }

    public static func run(_ request: Request, reporter: WorkflowReporter) throws -> WorkflowReport {
        setBLASThreads(1)   // the closure's GEMMs: results independent of the thread count (see RunWorkflow)
        let s = try ValidateScenarioLoader.load(path: request.config, overrides: request.overrides, unset: request.unset)
        reporter.configLoaded(notes: s.run.notes, warnings: s.run.warnings)
        let path = request.output ?? s.run.outputPath
        let svg = request.plot ?? s.validation.plotPath
        try request.policy.checkOutput(path)
        try request.policy.checkOutput(svg)
        reporter.status(String(format: "tissue validate: %@, seeds %@, h = %.4g µm, window %.4g µm", s.run.tissue.name,
                               s.dns.seeds.map(String.init).joined(separator: ","), s.dns.gridSpacing * 1e6, s.validation.windowWidth * 1e6))
        reporter.beginProgress("validate", total: 3 * s.dns.seeds.count)
        let o = try ValidateRun.run(s, keepDNS: request.keepDNS, warning: { reporter.warning($0) }) { done, _, note in
            if reporter.stopRequested { throw WorkflowStopped("validation stopped at \(note); nothing written") }
            reporter.progress(done, detail: note)
        }
        if reporter.stopRequested { throw WorkflowStopped("validation stopped before writing; nothing written") }
        try ValidateRun.write(o, scenario: s, to: path)
        try ValidateRun.plot(o, scenario: s).write(to: svg)
        var summary: [String: Any] = [
            "output": path, "plot": svg, "tissue": s.run.tissue.name, "seeds": s.dns.seeds.map { Int(Int64(bitPattern: $0)) },
            "mre_mean_over_seeds": o.meanSeedMRE, "mre_per_seed": o.seeds.map(\.raw.meanRelativeError),
            "mre_vs_seed_mean_profile": o.ensembleRaw.meanRelativeError, "max_abs_vs_seed_mean_profile": o.ensembleRaw.maxAbsoluteError,
            "x_min_m": o.ensembleRaw.xMin, "wall_seconds": o.wallSeconds,
            "flow_seconds": o.seeds.map(\.flowSeconds), "transport_seconds": o.seeds.map(\.transportSeconds),
            "porosity_grid": o.seeds.map(\.gridPorosity), "effective_radius_geometry_m": o.seeds.map(\.geometryRadius),
            "relative_imbalance": o.seeds.map(\.relativeImbalance),
            "closure_eta_bias_on_dns": o.closureEtaBias,
        ]
        if let f = o.meanSeedFilteredMRE {
            summary["mre_filtered_mean_over_seeds"] = f
            summary["mre_filtered_per_seed"] = o.seeds.compactMap(\.filtered?.meanRelativeError)
        }
        if let r = o.referenceDNS { summary["reference_mre_dns"] = r.meanRelativeError }
        if let r = o.referenceUpscaled { summary["reference_mre_upscaled"] = r.meanRelativeError }
        return WorkflowReport(summary: summary, headline: ["wrote \(path) and \(svg)"], hidden: ["output", "plot"])
    }
}

/// `tissue average DNS.h5`: section and moving-window β-intrinsic averages of a tissue DNS.
public enum AverageWorkflow {
    /// A stop request (`reporter.stopRequested`) before the output is written leaves none.
    public static func run(dns: String, windowWidth: Double?, output: String?, policy: OutputPolicy,
                           reporter: WorkflowReporter) throws -> WorkflowReport {
        if let w = windowWidth, !(w > 0 && w.isFinite) { throw WorkflowError("--window \(w): expected a positive width in metres") }
        let path = output ?? ((dns as NSString).deletingPathExtension + "-average.h5")
        try policy.checkOutput(path)
        let p = try TissueDNSRun.averageFile(dns, windowWidth: windowWidth, to: path, shouldStop: { reporter.stopRequested })
        let summary: [String: Any] = [
            "output": path, "points": p.x.count, "window_width_m": p.windowWidth, "effective_radius_m": p.effectiveRadius,
            "c_window_inlet": p.window.first ?? 0, "c_window_outlet": p.window.last ?? 0,
            "c_section_inlet": p.section.first ?? 0, "c_section_outlet": p.section.last ?? 0,
        ]
        return WorkflowReport(summary: summary, headline: ["wrote \(path)"], hidden: ["output"])
    }
}

/// `tissue compare A B`: metrics between two profiles, a `comparison` file and optionally an SVG.
public enum CompareWorkflow {
    /// Which average of an average file a profile is read from.
    public typealias Variant = AverageVariant

    public struct Request: Sendable {
        public var a: String
        public var b: String
        public var skipInlet: Bool
        public var filterWindow: Bool
        public var average: Variant
        public var plot: String?
        /// The comparison file (nil: results/A-vs-B.h5 after the inputs' file names).
        public var output: String?
        public var policy: OutputPolicy

        public init(a: String, b: String, skipInlet: Bool = false, filterWindow: Bool = false, average: Variant = .window,
                    plot: String? = nil, output: String? = nil, policy: OutputPolicy = OutputPolicy()) {
            self.a = a
            self.b = b
            self.skipInlet = skipInlet
            self.filterWindow = filterWindow
            self.average = average
            self.plot = plot
            self.output = output
            self.policy = policy
        }
    }

    /// A stop request (`reporter.stopRequested`) before the outputs are written leaves none.
    public static func run(_ request: Request, reporter: WorkflowReporter) throws -> WorkflowReport {
        let outputPath = request.output ?? "results/\(Paths.stem(request.a))-vs-\(Paths.stem(request.b)).h5"
        try request.policy.checkOutput(outputPath)
        if let plot = request.plot { try request.policy.checkOutput(plot) }
        let pa = try ProfileFiles.load(request.a, variant: request.average)
        let pb = try ProfileFiles.load(request.b, variant: request.average)
        let outcome = try CompareRun.compare(pa, pb, skipInletRadii: request.skipInlet ? 1.0 / 3.0 : nil, filter: request.filterWindow)
        let config = """
            # tissue compare
            [compare]
            a = "\(request.a)"
            b = "\(request.b)"
            skip_inlet = \(request.skipInlet)
            filter_window = \(request.filterWindow)
            average = "\(request.average.rawValue)"

            """
        if reporter.stopRequested { throw WorkflowStopped("nothing written") }
        try CompareRun.write(outcome, config: config, to: outputPath)
        if let plot = request.plot {
            try CompareRun.plot(outcome, title: "\(pa.label) vs \(pb.label)").write(to: plot)
        }
        let r = outcome.comparison
        let summary: [String: Any] = [
            "output": outputPath, "mean_relative_error": r.meanRelativeError, "max_absolute_error": r.maxAbsoluteError,
            "max_absolute_error_at_m": r.maxAbsoluteErrorAt, "l2_error": r.l2Error, "relative_l2_error": r.relativeL2Error,
            "points": r.points, "x_min_m": r.xMin, "filter_window_m": outcome.filterWidth ?? 0,
        ]
        let text = [
            String(format: "MRE %.3f %%  max |a-b| %.4g mol/m3 at x = %.4g um  L2 %.4g mol/m3  (%d points, x >= %.4g um)",
                   100 * r.meanRelativeError, r.maxAbsoluteError, r.maxAbsoluteErrorAt * 1e6, r.l2Error, r.points, r.xMin * 1e6),
            "wrote \(outputPath)" + (request.plot.map { " and \($0)" } ?? ""),
        ]
        return WorkflowReport(summary: summary, text: text)
    }
}
