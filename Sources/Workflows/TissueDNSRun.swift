import Scenario
import Averaging
import HDF5Kit
import Microscale

/// `tissue dns tissue` and `tissue average` as library calls: run a strip DNS from a scenario and
/// write the `dns-tissue` file (+ XDMF sidecar); average a DNS into an `average` file.
public enum TissueDNSRun {
    /// Runs the strip DNS of `scenario` for geometry seed `seed`.
    public static func run(_ scenario: ValidateScenario, seed: UInt64,
                           progress: (TissueStripStage) throws -> Void = { _ in }) throws -> TissueStripResult {
        try TissueStripDNS.run(try scenario.stripSpec(seed: seed), progress: progress)
    }

    /// A one-line description of the geometry, stored in `/dns@geometry`.
    public static func geometryDescription(_ scenario: ValidateScenario, seed: UInt64) -> String {
        switch scenario.dns.geometry {
        case .voronoi(let spread) where spread > 0:
            return "voronoi: Poisson-disk seeds (SplitMix64 seed \(seed)), periodic Voronoi cells scaled about their centroids to cell areas of coefficient of variation \(spread) (log-normal weights), total solid fraction 1 - porosity"
        case .voronoi:
            return "voronoi: Poisson-disk seeds (SplitMix64 seed \(seed)), periodic Voronoi cells scaled about their centroids by sqrt(1 - porosity)"
        case .mask(let path, let dataset, let pixel, _):
            return "mask: \(path) (dataset '\(dataset)' if HDF5), pixel size \(pixel) m"
        }
    }

    /// Writes the `dns-tissue` file atomically, then its `.xdmf` sidecar beside it.
    public static func write(_ r: TissueStripResult, scenario: ValidateScenario, seed: UInt64, to path: String) throws {
        try AtomicWrite.hdf5(to: path) { file in
            try FileHeader(kind: TissueDNSFile.kind, programVersion: programVersion, config: scenario.resolvedTOML, seed: seed)
                .write(to: file)
            try TissueDNSFile.write(r, geometryDescription: geometryDescription(scenario, seed: seed), to: file)
        }
        try TissueDNSFile.writeSidecar(nx: r.grid.nx, ny: r.grid.ny, h: r.grid.h, h5Path: path)
    }

    /// The averaged profile of a solved strip (window W, default 4 r_eff).
    public static func average(_ r: TissueStripResult, windowWidth: Double? = nil) -> AveragedProfile {
        let s = r.spec
        return AveragedProfile(concentration: r.concentration, solidFraction: r.solidFraction, nx: r.grid.nx, ny: r.grid.ny,
                               h: r.grid.h, windowWidth: windowWidth ?? AveragingModule.defaultWindowRadii * s.effectiveRadius,
                               effectiveRadius: s.effectiveRadius, km: s.km, Ka: s.Ka)
    }

    /// The averaged profile of a `dns-tissue` file's contents.
    public static func average(_ d: TissueDNSFile.Contents, windowWidth: Double? = nil) -> AveragedProfile {
        AveragedProfile(concentration: d.concentration, solidFraction: d.solidFraction, nx: d.nx, ny: d.ny, h: d.h,
                        windowWidth: windowWidth ?? AveragingModule.defaultWindowRadii * d.effectiveRadius,
                        effectiveRadius: d.effectiveRadius, km: d.km, Ka: d.Ka)
    }

    /// Reads `dnsPath`, averages it and writes an `average` file atomically (config: the DNS file's,
    /// followed by the averaging window; seed: the DNS file's).
    @discardableResult
    /// `shouldStop` is asked before anything is written (a stop request then leaves no output).
    public static func averageFile(_ dnsPath: String, windowWidth: Double?, to path: String,
                                   shouldStop: () -> Bool = { false }) throws -> AveragedProfile {
        let d = try TissueDNSFile.read(path: dnsPath)
        let p = average(d, windowWidth: windowWidth)
        if shouldStop() { throw WorkflowStopped("nothing written") }
        try AtomicWrite.hdf5(to: path) { file in
            let config = d.header.config + "\n# tissue average \(dnsPath): window = \(p.windowWidth) m (fluid-weighted, truncated at the ends)\n"
            try FileHeader(kind: AverageFile.kind, programVersion: programVersion, config: config, seed: d.header.seed).write(to: file)
            try AverageFile.write(p, source: dnsPath, to: file)
        }
        return p
    }
}
