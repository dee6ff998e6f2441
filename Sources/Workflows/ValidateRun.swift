import Scenario
import Averaging
import Config
import Closure
import Foundation
import HDF5Kit
import Macroscale
import Microscale
import Plotting

/// `tissue compare` as a library call: two profiles (upscaled / average / reference CSV), the
/// optional window filter of the upscaled one, metrics, the `comparison` file and the SVG.
public enum CompareRun {
    /// The result of comparing A with B.
    public struct Outcome: Sendable {
        public var comparison: ProfileComparison
        /// Window width (m) used to filter the upscaled profile, if it was filtered.
        public var filterWidth: Double?
    }

    /// Compares A against B (B is the reference of the relative error). With `skipInletRadii` s the
    /// metrics skip x < s·r_eff (r_eff from the average or upscaled file). With `filter`, the upscaled
    /// profile among A, B is first filtered by the same moving window as the average (width from the
    /// average file, else 4 r_eff).
    public static func compare(_ a: Profile, _ b: Profile, skipInletRadii: Double?, filter: Bool) throws -> Outcome {
        var a = a, b = b
        let radius = [b, a].first { $0.kind == "average" }?.effectiveRadius ?? a.effectiveRadius ?? b.effectiveRadius
        var width: Double? = nil
        if filter {
            guard let up = [a, b].first(where: { $0.kind == "upscaled" }) else {
                throw ComparisonError.invalid("--filter-window filters the upscaled profile, but neither file is an 'upscaled' file")
            }
            guard let w = [a, b].first(where: { $0.kind == "average" })?.windowWidth ?? radius.map({ AveragingModule.defaultWindowRadii * $0 }) else {
                throw ComparisonError.invalid("--filter-window needs a window width: no average file and no effective radius")
            }
            var filtered = up
            filtered.c = Averages.filter(x: up.x, c: up.c, width: w, lower: 0, upper: up.length)
            filtered.label = "upscaled, window-filtered (w = \(String(format: "%.3g", w * 1e6)) µm)"
            if a.kind == "upscaled" { a = filtered } else { b = filtered }
            width = w
        }
        var xMin = 0.0
        if let s = skipInletRadii, s > 0 {
            guard let r = radius else {
                throw ComparisonError.invalid("skipping x < r_eff/3 needs r_eff, but neither profile states one (two reference CSVs?)")
            }
            xMin = s * r
        }
        return Outcome(comparison: try ProfileComparison(a, against: b, xMin: xMin), filterWidth: width)
    }

    /// Writes a `comparison` file atomically.
    public static func write(_ o: Outcome, config: String, to path: String) throws {
        try AtomicWrite.hdf5(to: path) { file in
            try FileHeader(kind: ComparisonFile.kind, programVersion: programVersion, config: config, seed: 0).write(to: file)
            try ComparisonFile.write(o.comparison, filterWidth: o.filterWidth, to: file)
        }
    }

    /// The figure of one comparison: both profiles, the excluded inlet region shaded, η beneath.
    public static func plot(_ o: Outcome, title: String) -> ProfilePlot {
        let r = o.comparison
        let pal = ProfilePlot.palette
        var profiles = [Curve(label: r.b.label, x: r.b.x, y: r.b.c, color: pal[1], width: 2.5),
                        Curve(label: r.a.label, x: r.a.x, y: r.a.c, color: pal[0], dash: "8 4")]
        if r.a.kind == "reference" || r.b.kind == "reference" { profiles.reverse() }
        var etas: [Curve] = []
        for (p, color, dash) in [(r.a, pal[0], "8 4"), (r.b, pal[1], "")] {
            if let e = p.eta { etas.append(Curve(label: "η, \(p.label)", x: p.x, y: e, color: color, dash: dash)) }
        }
        let subtitle = String(format: "MRE %.2f %% (x ≥ %.3g µm), max |Δc| %.3g mol/m³, L2 %.3g mol/m³",
                              100 * r.meanRelativeError, r.xMin * 1e6, r.maxAbsoluteError, r.l2Error)
        return ProfilePlot(title: title, subtitle: subtitle, profiles: profiles, etas: etas, excludedBelow: r.xMin)
    }
}

/// `tissue validate` as a library call: strip DNS per seed → average → upscaled run (same tissue,
/// same closure) → compare; one `comparison` file with everything and an SVG figure.
public enum ValidateRun {
    /// One geometry seed's DNS, summarised.
    public struct SeedResult: Sendable {
        public var seed: UInt64
        public var average: AveragedProfile
        /// Upscaled vs this seed's window average (x ≥ skip·r_eff), raw and window-filtered.
        public var raw: ProfileComparison
        public var filtered: ProfileComparison?
        public var gridPorosity: Double
        public var geometryRadius: Double
        public var cellsPerSample: Int
        public var peclet: Double
        public var relativeImbalance: Double
        public var newtonIterations: Int
        public var flowSeconds: Double
        public var transportSeconds: Double
        public var nx: Int
        public var ny: Int
        public var h: Double
    }

    public struct Outcome: Sendable {
        public var upscaled: SteadySolution
        public var upscaledProfile: Profile
        public var seeds: [SeedResult]
        /// Mean of the seeds' averages (same grid for every seed).
        public var ensemble: AveragedProfile
        /// Upscaled vs the ensemble window average, raw and filtered.
        public var ensembleRaw: ProfileComparison
        public var ensembleFiltered: ProfileComparison?
        /// Against the reference CSV, if configured: the ensemble DNS window average and the upscaled profile.
        public var referenceDNS: ProfileComparison?
        public var referenceUpscaled: ProfileComparison?
        /// Diagnostic: the closure's η evaluated on the DNS's own window profile (its ⟨c⟩ and gradient),
        /// on the ensemble grid, and its mean relative difference from the DNS window η over x ≥ x_min.
        public var closureEtaOnDNS: [Double]
        public var closureEtaBias: Double
        public var wallSeconds: Double

        /// Mean over seeds of the raw and filtered MRE.
        public var meanSeedMRE: Double { seeds.map(\.raw.meanRelativeError).reduce(0, +) / Double(max(seeds.count, 1)) }
        public var meanSeedFilteredMRE: Double? {
            let f = seeds.compactMap(\.filtered?.meanRelativeError)
            return f.count == seeds.count && !f.isEmpty ? f.reduce(0, +) / Double(f.count) : nil
        }
    }

    /// Runs the whole validation. `progress(done, total, note)` after each stage of each seed.
    /// With `keepDNS`, each seed's `dns-tissue` file (+ `.xdmf`) is written to `dns.file` with "-seedK".
    /// A configured reference CSV that does not exist is skipped with a `warning`.
    public static func run(_ s: ValidateScenario, keepDNS: Bool = false, warning: (String) -> Void = { _ in },
                           progress: (Int, Int, String) throws -> Void = { _, _, _ in }) throws -> Outcome {
        var s = s
        guard s.run.mode == .steady else {
            throw ScenarioError(file: s.run.configPath, key: "run.mode", message: "tissue validate compares steady profiles: run.mode must be \"steady\"")
        }
        guard s.run.heterogeneity == nil else {
            throw ScenarioError(file: s.run.configPath, key: "heterogeneity", message: "tissue validate: the strip DNS builds a homogeneous tissue; remove [heterogeneity] to validate")
        }
        if let ref = s.validation.referencePath, !FileManager.default.fileExists(atPath: ref) {
            warning("warning: \(s.run.configPath): compare.reference '\(ref)' does not exist; the comparison with the published profile is skipped")
            s.validation.referencePath = nil
        }
        let start = Date()
        let upscaledRun = try UpscaledRun(scenario: s.run)
        guard case .steady(let up) = try upscaledRun.solve() else {
            throw WorkflowError("\(s.run.configPath): tissue validate needs a steady upscaled run")
        }
        if let message = ClosureExtrapolation.warning(up.clampedCounts, cells: s.run.cells, closure: upscaledRun.closure,
                                                      when: "in the upscaled run") {
            warning(message)
        }
        let upscaled = Profile(x: up.x, c: up.concentration, eta: up.eta, label: "upscaled (\(upscaledRun.closure.summary.components(separatedBy: " (").first ?? ""))",
                               source: s.run.configPath, kind: "upscaled", effectiveRadius: s.run.tissue.effectiveRadius,
                               length: s.run.tissue.length)
        let stages = 3
        let total = s.dns.seeds.count * stages
        var seeds: [SeedResult] = []
        for (k, seed) in s.dns.seeds.enumerated() {
            let r = try TissueDNSRun.run(s, seed: seed) { stage in
                if stage != .done { try progress(k * stages + stage.rawValue - 1, total, "seed \(seed): \(stage)") }
            }
            if keepDNS {
                let path = Paths.droppingExtension(s.dns.outputPath) + "-seed\(seed).h5"
                try TissueDNSRun.write(r, scenario: s, seed: seed, to: path)
            }
            let avg = TissueDNSRun.average(r, windowWidth: s.validation.windowWidth)
            let dnsProfile = windowProfile(avg, label: "DNS window average, seed \(seed)")
            let raw = try CompareRun.compare(upscaled, dnsProfile, skipInletRadii: s.validation.skipInletRadii, filter: false)
            let filtered = s.validation.filterUpscaled
                ? try CompareRun.compare(upscaled, dnsProfile, skipInletRadii: s.validation.skipInletRadii, filter: true) : nil
            seeds.append(SeedResult(
                seed: seed, average: avg, raw: raw.comparison, filtered: filtered?.comparison, gridPorosity: r.gridPorosity,
                geometryRadius: r.geometryRadius, cellsPerSample: r.cellsPerSample, peclet: r.achievedPeclet,
                relativeImbalance: r.transport.balance.relativeImbalance, newtonIterations: r.transport.iterations,
                flowSeconds: r.flowSeconds, transportSeconds: r.transportSeconds, nx: r.grid.nx, ny: r.grid.ny, h: r.grid.h))
            try progress((k + 1) * stages, total, "seed \(seed) done")
        }
        let ensemble = mean(seeds.map(\.average))
        let label = seeds.count > 1 ? "DNS window average, mean of \(seeds.count) seeds" : "DNS window average"
        let ensembleProfile = windowProfile(ensemble, label: label)
        let skip = s.validation.skipInletRadii
        let eRaw = try CompareRun.compare(upscaled, ensembleProfile, skipInletRadii: skip, filter: false).comparison
        let eFiltered = s.validation.filterUpscaled
            ? try CompareRun.compare(upscaled, ensembleProfile, skipInletRadii: skip, filter: true).comparison : nil
        var refDNS: ProfileComparison? = nil, refUp: ProfileComparison? = nil
        if let path = s.validation.referencePath {
            var reference = try ProfileLoader.loadCSV(path)
            reference.effectiveRadius = s.run.tissue.effectiveRadius
            refDNS = try CompareRun.compare(ensembleProfile, reference, skipInletRadii: skip, filter: false).comparison
            refUp = try CompareRun.compare(upscaled, reference, skipInletRadii: skip, filter: false).comparison
        }
        let etaOnDNS = try closureEta(upscaledRun, on: ensemble, tissue: s.run.tissue)
        var bias = 0.0, count = 0
        if let dnsEta = ensemble.windowEta {
            for i in ensemble.x.indices where ensemble.x[i] >= eRaw.xMin && dnsEta[i].isFinite {
                bias += (etaOnDNS[i] - dnsEta[i]) / dnsEta[i]
                count += 1
            }
        }
        return Outcome(upscaled: up, upscaledProfile: upscaled, seeds: seeds, ensemble: ensemble, ensembleRaw: eRaw,
                       ensembleFiltered: eFiltered, referenceDNS: refDNS, referenceUpscaled: refUp,
                       closureEtaOnDNS: etaOnDNS, closureEtaBias: count > 0 ? bias / Double(count) : .nan,
                       wallSeconds: Date().timeIntervalSince(start))
    }

    /// The closure's η on an averaged DNS profile: features (εβ, φ², Pe, Dr, ⟨c⟩_W/Ka, −r ∂x⟨c⟩_W/Ka),
    /// the gradient by central differences of the window average (one-sided at the ends).
    static func closureEta(_ run: UpscaledRun, on a: AveragedProfile, tissue t: TissueParameters) throws -> [Double] {
        let c = a.window, x = a.x, n = c.count
        var values: [Double] = []
        values.reserveCapacity(n * EffectivenessFeature.count)
        for i in 0..<n {
            let lo = max(0, i - 1), hi = min(n - 1, i + 1)
            let dcdx = (c[hi] - c[lo]) / (x[hi] - x[lo])
            EffectivenessFeature.appendRow(to: &values, porosity: t.porosity, thieleModulusSquared: t.thieleModulusSquared,
                                               peclet: t.peclet, diffusivityRatio: t.Dr, concentration: c[i] / t.Ka,
                                               concentrationGradient: -t.effectiveRadius * dcdx / t.Ka)
        }
        return try run.closure.effectivenessFactor(FeatureBatch(values: values))
    }

    static func windowProfile(_ a: AveragedProfile, label: String) -> Profile {
        Profile(x: a.x, c: a.window, eta: a.windowEta, label: label, kind: "average", effectiveRadius: a.effectiveRadius,
                length: a.length, windowWidth: a.windowWidth)
    }

    /// Pointwise mean of averages on the same grid.
    static func mean(_ list: [AveragedProfile]) -> AveragedProfile {
        var m = list[0]
        let n = Double(list.count)
        func avg(_ key: KeyPath<AveragedProfile, [Double]>) -> [Double] {
            (0..<m.x.count).map { i in list.reduce(0) { $0 + $1[keyPath: key][i] } / n }
        }
        m.section = avg(\.section)
        m.window = avg(\.window)
        if list.allSatisfy({ $0.windowEta != nil }) {
            m.windowEta = (0..<m.x.count).map { i in list.reduce(0) { $0 + $1.windowEta![i] } / n }
        }
        return m
    }

    /// Writes the validation file (kind `comparison`): `/comparison` (upscaled vs the ensemble DNS
    /// window average), `/comparison_filtered`, `/average` (ensemble), `/macro` (upscaled x, c, eta),
    /// `/seeds/K` (per seed: window and section averages, η_W, metrics as attributes),
    /// `/reference_dns`, `/reference_upscaled` (if a reference CSV was given); summary attributes at `/`.
    public static func write(_ o: Outcome, scenario s: ValidateScenario, to path: String) throws {
        try AtomicWrite.hdf5(to: path) { file in
            try FileHeader(kind: ComparisonFile.kind, programVersion: programVersion, config: s.resolvedTOML,
                           seed: s.dns.seeds.first ?? 0).write(to: file)
            let width = s.validation.filterUpscaled ? s.validation.windowWidth : nil
            try ComparisonFile.write(o.ensembleRaw, filterWidth: nil, to: file)
            if let f = o.ensembleFiltered { try ComparisonFile.write(f, filterWidth: width, to: file, group: "comparison_filtered") }
            if let r = o.referenceDNS { try ComparisonFile.write(r, filterWidth: nil, to: file, group: "reference_dns") }
            if let r = o.referenceUpscaled { try ComparisonFile.write(r, filterWidth: nil, to: file, group: "reference_upscaled") }
            try AverageFile.write(o.ensemble, source: "mean of \(o.seeds.count) strip DNS (seeds \(s.dns.seeds.map(String.init).joined(separator: ", ")))", to: file)
            try UpscaledFile.writeProfileDatasets(x: o.upscaled.x, c: o.upscaled.concentration, eta: o.upscaled.eta,
                                                  closure: o.upscaledProfile.label, to: file)
            let seedsGroup = try file.root.createGroup("seeds")
            for r in o.seeds {
                let g = try seedsGroup.createGroup("\(r.seed)")
                try g.write("c_window", r.average.window, units: "mol m-3", longName: "beta-intrinsic window average of this seed's DNS")
                try g.write("c_section", r.average.section, units: "mol m-3", longName: "beta-intrinsic section average of this seed's DNS")
                if let e = r.average.windowEta { try g.write("eta_window", e, units: "1", longName: "DNS window effectiveness factor") }
                let attrs: [(String, Double)] = [
                    ("mean_relative_error", r.raw.meanRelativeError), ("max_absolute_error", r.raw.maxAbsoluteError),
                    ("l2_error", r.raw.l2Error), ("mean_relative_error_filtered", r.filtered?.meanRelativeError ?? .nan),
                    ("porosity_grid", r.gridPorosity), ("effective_radius_geometry", r.geometryRadius), ("peclet", r.peclet),
                    ("relative_imbalance", r.relativeImbalance), ("flow_seconds", r.flowSeconds),
                    ("transport_seconds", r.transportSeconds), ("grid_spacing", r.h),
                ]
                for (k, v) in attrs { try g.setAttribute(k, v) }
                try g.setAttribute("cells_per_sample", r.cellsPerSample)
                try g.setAttribute("newton_iterations", r.newtonIterations)
                try g.setAttribute("nx", r.nx)
                try g.setAttribute("ny", r.ny)
            }
            let root = file.root
            try root.setAttribute("mean_relative_error_mean_over_seeds", o.meanSeedMRE)
            if let f = o.meanSeedFilteredMRE { try root.setAttribute("mean_relative_error_filtered_mean_over_seeds", f) }
            try root.setAttribute("seeds", s.dns.seeds.map { Int(Int64(bitPattern: $0)) })
            try root.setAttribute("wall_seconds", o.wallSeconds)
            try root.setAttribute("closure_eta_bias_on_dns", o.closureEtaBias)
            try file.root.group("average").write("eta_closure_on_dns", o.closureEtaOnDNS, units: "1",
                longName: "closure eta evaluated on the DNS window profile (its <c> and gradient): diagnostic against eta_window")
        }
    }

    /// The validation figure: upscaled, the seeds' DNS window averages (thin), their mean, the
    /// filtered upscaled profile and the reference (if any); η of the closure and of the DNS beneath.
    public static func plot(_ o: Outcome, scenario s: ValidateScenario) -> ProfilePlot {
        let pal = ProfilePlot.palette
        var profiles: [Curve] = []
        for (k, r) in o.seeds.enumerated() where o.seeds.count > 1 {
            profiles.append(Curve(label: k == 0 ? "DNS window average, each seed" : "", x: r.average.x, y: r.average.window,
                                              color: "#f4a6a6", width: 1))
        }
        profiles.append(Curve(label: o.ensembleRaw.b.label, x: o.ensemble.x, y: o.ensemble.window, color: pal[1], width: 2.5))
        profiles.append(Curve(label: "DNS section average", x: o.ensemble.x, y: o.ensemble.section, color: "#999999", width: 1))
        profiles.append(Curve(label: o.upscaledProfile.label, x: o.upscaled.x, y: o.upscaled.concentration, color: pal[0], dash: "8 4"))
        if let f = o.ensembleFiltered {
            profiles.append(Curve(label: "upscaled, window-filtered", x: f.x, y: f.cA, color: pal[3], dash: "2 3"))
        }
        if let r = o.referenceDNS {
            profiles.append(Curve(label: "published (real geometry)", x: r.b.x, y: r.b.c, color: pal[2], dash: "4 2"))
        }
        // Only the first per-seed curve carries a legend entry.
        let legend = profiles.filter { !$0.label.isEmpty }
        var etas = [Curve(label: "η, closure", x: o.upscaled.x, y: o.upscaled.eta, color: pal[0], dash: "8 4")]
        if let e = o.ensemble.windowEta { etas.append(Curve(label: "η, DNS window", x: o.ensemble.x, y: e, color: pal[1])) }
        etas.append(Curve(label: "η, closure at the DNS ⟨c⟩", x: o.ensemble.x, y: o.closureEtaOnDNS, color: pal[4], dash: "2 3", width: 1.5))
        var subtitle = String(format: "upscaled vs DNS window average, x ≥ %.3g µm: MRE %.2f %% (mean over %d seeds)",
                              o.ensembleRaw.xMin * 1e6, 100 * o.meanSeedMRE, o.seeds.count)
        if let f = o.meanSeedFilteredMRE { subtitle += String(format: ", %.2f %% filtered", 100 * f) }
        var plot = ProfilePlot(title: "\(s.run.tissue.name): upscaled model vs averaged tissue-strip DNS", subtitle: subtitle,
                               profiles: legend, etas: etas, excludedBelow: o.ensembleRaw.xMin)
        // Draw the per-seed curves without legend entries under the others.
        let unlabeled = profiles.filter { $0.label.isEmpty }
        plot.profiles = unlabeled + legend
        return plot
    }
}
