import Config
/// A tissue-strip DNS / validation scenario: an upscaled scenario (`RunScenario`) plus the tables
/// `[dns]`, `[average]` and `[compare]` (all optional, with defaults), read with the same checks
/// (file, line, key, allowed range, did-you-mean) and reported together with the upscaled part.
import Averaging
import Microscale
import Numerics

/// How the strip's sample geometry is made.
public enum StripGeometryChoice: Sendable, Equatable {
    /// Synthetic Voronoi cells (`VoronoiTissue`), one sample per seed; `areaSpread`: the coefficient
    /// of variation of the cell areas (0: the plain recipe).
    case voronoi(areaSpread: Double = 0)
    /// A user mask: HDF5 uint8 dataset, PGM or PNG image, pixel size in m.
    case mask(path: String, dataset: String, pixelSize: Double, cellsAreDark: Bool)
}

/// `[dns]`: the strip DNS.
public struct TissueDNSSettings: Sendable, Equatable {
    /// Sample length ℓ (m), default L / copies.
    public var sampleLength: Double
    /// Sample (and strip) height H (m), default ℓ.
    public var height: Double
    /// Samples along x, default 4.
    public var copies: Int
    /// Grid spacing h (m), default r_eff / 24.
    public var gridSpacing: Double
    /// Geometry seeds, default [run.seed]; `tissue validate` runs one DNS per seed.
    public var seeds: [UInt64]
    public var geometry: StripGeometryChoice
    public var convection: ConvectionScheme
    /// Output of `tissue dns tissue` (relative to the working directory).
    public var outputPath: String
}

/// `[average]` and `[compare]`.
public struct ValidationSettings: Sendable, Equatable {
    /// Window width W (m), default 4 r_eff.
    public var windowWidth: Double
    /// Metrics skip x < skip_inlet_radii · r_eff (default 1/3).
    public var skipInletRadii: Double
    /// Also compare the window-filtered upscaled profile (default true).
    public var filterUpscaled: Bool
    /// Optional reference CSV (x in µm, c), resolved against the scenario's directory.
    public var referencePath: String?
    /// SVG figure, default beside the output file.
    public var plotPath: String
}

/// A validated tissue-strip scenario.
public struct ValidateScenario: Sendable {
    public var run: RunScenario
    public var dns: TissueDNSSettings
    public var validation: ValidationSettings
    /// `run.resolvedTOML` followed by the resolved `[dns]`, `[average]`, `[compare]` tables.
    public var resolvedTOML: String

    /// The strip DNS specification for one geometry seed (the mask geometry ignores the seed).
    public func stripSpec(seed: UInt64) throws -> TissueStripSpec {
        let t = run.tissue
        let geometry: TissueStripSpec.Geometry
        switch dns.geometry {
        case .voronoi(let spread): geometry = .voronoi(seed: seed, areaSpread: spread)
        case .mask(let path, let dataset, let pixelSize, let dark):
            geometry = .mask(try TissueMaskImport.load(path: path, dataset: dataset, pixelSize: pixelSize, cellsAreDark: dark))
        }
        return TissueStripSpec(
            sampleLength: dns.sampleLength, height: dns.height, copies: dns.copies, gridSpacing: dns.gridSpacing,
            geometry: geometry, porosity: t.porosity, effectiveRadius: t.effectiveRadius, intrinsicVelocity: t.intrinsicVelocity,
            fluidDiffusivity: t.diffusivityBeta, diffusivityRatio: t.Dr, km: t.km, Ka: t.Ka, inletConcentration: t.inletConcentration,
            convection: dns.convection)
    }
}

/// Values of `dns.geometry`.
enum StripGeometryKind: String, CaseIterable {
    case voronoi, mask
}

public enum ValidateScenarioLoader {
    /// Loads `path` (a scenario with optional `[dns]`, `[average]`, `[compare]`), applying overrides.
    /// `alsoRead`: tables the caller reads itself (`tissue check` plans a `[sweep]`), not warned about.
    public static func load(path: String, overrides: [String] = [], unset: [String] = [],
                            alsoRead: [String] = []) throws -> ValidateScenario {
        let text = try Paths.read(path, what: "the scenario file", reportAs: path)
        var notes: [String] = []
        let (sections, diagnostics) = try ScenarioLoader.sections(of: text, path: path, schema: Schema.scenario, overrides: overrides,
                                                                  unset: unset, notes: &notes)
        let run = ScenarioLoader.readRun(sections, path: path, diagnostics: diagnostics)
        let directory = Paths.directory(of: path)

        let d = SectionReader(sections["dns"], diagnostics)
        let copies = d.integer("copies")
        let length = run?.tissue.length ?? 1
        let radius = run?.tissue.effectiveRadius ?? 1
        let sampleLength = d.quantity("sample_length", default: length / Double(copies ?? 4))
        let height = d.quantity("height", default: sampleLength ?? length / 4)
        let spacingRange = AllowedRange(lower: 0, upper: sampleLength ?? .infinity, upperInclusive: true, upperName: "sample_length")
        let spacing = d.quantity("grid_spacing", range: spacingRange, default: radius / 24)
        let seeds = d.isPresent("seeds") ? d.integers("seeds", atLeast: 0)?.map { UInt64($0) } : [run?.seed ?? 0]
        if !d.isPresent("seeds"), let seeds { d.record("seeds", TOMLValue(.array(seeds.map { TOMLValue(.integer(Int64(bitPattern: $0))) }))) }
        var geometry: StripGeometryChoice? = nil
        switch d.choice("geometry", StripGeometryKind.self) {
        case .voronoi?:
            geometry = d.quantity("cell_area_spread").map { .voronoi(areaSpread: $0) }
        case .mask?:
            var section = sections["dns"]
            section.missingHint = " (required when dns.geometry = \"mask\")"
            let m = SectionReader(section, diagnostics)
            let file = m.path("mask", relativeTo: directory)
            let dataset = m.string("mask_dataset", nonEmpty: true)
            let pixel = m.quantity("pixel_size")
            let dark = m.boolean("cells_are_dark")
            if let file, let dataset, let pixel, let dark {
                geometry = .mask(path: file.resolved, dataset: dataset, pixelSize: pixel, cellsAreDark: dark)
            }
        case nil: break
        }
        let convection = d.choice("convection", ConvectionScheme.self)
        let stem = Paths.stem(path)
        let dnsOutput = d.string("file", default: "results/\(stem.isEmpty ? "tissue" : stem)-dns.h5", nonEmpty: true)

        let a = SectionReader(sections["average"], diagnostics)
        var window: Double? = nil
        if a.isPresent("window") {
            a.forbid("window_radii", "give either average.window or average.window_radii")
            window = a.quantity("window")
        } else {
            window = a.quantity("window_radii").map { $0 * radius }
        }

        let c = SectionReader(sections["compare"], diagnostics)
        let skip = c.quantity("skip_inlet_radii")
        let filter = c.boolean("filter_upscaled")
        let reference = c.isPresent("reference") ? c.path("reference", relativeTo: directory)?.resolved : nil
        let outputStem = run.map { Paths.droppingExtension($0.outputPath) } ?? "results/validate"
        let plot = c.string("plot", default: outputStem + ".svg", nonEmpty: true)

        if let spacing, let sampleLength, let height, spacing > min(sampleLength, height) / 2 {
            if let v = sections["dns"]["grid_spacing"] {
                d.report(v, "\(v.name) = \(TOMLSerializer.inline(v.value)) is too coarse: the sample needs at least 2 cells along each side")
            }
        }
        try diagnostics.throwIfAny()
        guard var run, let copies, let sampleLength, let height, let spacing, let seeds, let geometry, let convection,
              let dnsOutput, let window, let skip, let filter, let plot
        else { throw ScenarioError(file: path, message: "invalid configuration") }
        run.notes = notes
        ScenarioLoader.finish(&run, sections, alsoRead: alsoRead)

        let dns = TissueDNSSettings(sampleLength: sampleLength, height: height, copies: copies, gridSpacing: spacing, seeds: seeds,
                                    geometry: geometry, convection: convection, outputPath: dnsOutput)
        let validation = ValidationSettings(windowWidth: window, skipInletRadii: skip, filterUpscaled: filter,
                                            referencePath: reference, plotPath: plot)
        return ValidateScenario(run: run, dns: dns, validation: validation, resolvedTOML: run.resolvedTOML)
    }
}
