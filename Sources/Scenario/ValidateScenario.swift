import Config
/// A tissue-strip DNS / validation scenario: an upscaled scenario (`RunScenario`) plus the tables
/// `[dns]`, `[average]` and `[compare]` (all optional, with defaults), read with the same checks
/// (file, line, key, allowed range, did-you-mean) and reported together with the upscaled part.
import Averaging
import Microscale
import Numerics

/// How the strip's sample geometry is made.
public enum StripGeometryChoice: Sendable, Equatable {
    /// Synthetic Voronoi cells (`VoronoiTissue`), one sample per seed.
    case voronoi
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
        case .voronoi: geometry = .voronoi(seed: seed)
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
    public static func load(path: String, overrides: [String] = [], unset: [String] = []) throws -> ValidateScenario {
        let text = try Paths.read(path, what: "the scenario file", reportAs: path)
        let diagnostics = Diagnostics()
        var run: RunScenario? = nil
        do {
            run = try ScenarioLoader.load(text: text, path: path, overrides: overrides, unset: unset)
        } catch let e as ScenarioError {
            diagnostics.report(e)
        }
        // The upscaled loader has reported unknown tables, keys and overrides; read ours quietly.
        let (sections, quiet) = try ScenarioLoader.sections(of: text, path: path, schema: Schema.scenario, overrides: overrides,
                                                            unset: unset)
        let directory = Paths.directory(of: path)

        let d = SectionReader(sections["dns"], diagnostics)
        let copies = d.integer("copies", atLeast: 1, default: 4)
        let length = run?.tissue.length ?? 1
        let radius = run?.tissue.effectiveRadius ?? 1
        let sampleLength = d.quantity("sample_length", .length, .positive, default: length / Double(copies ?? 4))
        let height = d.quantity("height", .length, .positive, default: sampleLength ?? length / 4)
        let spacingRange = AllowedRange(lower: 0, upper: sampleLength ?? .infinity, upperInclusive: true, upperName: "sample_length")
        let spacing = d.quantity("grid_spacing", .length, spacingRange, default: radius / 24)
        var seeds: [UInt64]? = [run?.seed ?? 0]
        if let v = sections["dns"]["seeds"] {
            if let elements = v.value.arrayValue, !elements.isEmpty,
               elements.allSatisfy({ ($0.integerValue ?? -1) >= 0 }) {
                seeds = elements.map { UInt64($0.integerValue!) }
            } else {
                d.report(v, "\(v.name) must be a non-empty array of integers >= 0, got \(TOMLSerializer.inline(v.value))")
                seeds = nil
            }
        }
        var geometry: StripGeometryChoice? = nil
        switch d.choice("geometry", StripGeometryKind.self, default: .voronoi) {
        case .voronoi?:
            for key in ["mask", "mask_dataset", "pixel_size", "cells_are_dark"] {
                d.forbid(key, "it is only used with dns.geometry = \"mask\"")
            }
            geometry = .voronoi
        case .mask?:
            var section = sections["dns"]
            section.missingHint = " (required when dns.geometry = \"mask\")"
            let m = SectionReader(section, diagnostics)
            let file = m.string("mask", nonEmpty: true)
            let dataset = m.string("mask_dataset", default: "mask", nonEmpty: true)
            let pixel = m.quantity("pixel_size", .length, .positive)
            let dark = boolean(m, "cells_are_dark", default: false)
            if let file, let dataset, let pixel, let dark {
                geometry = .mask(path: Paths.resolve(file, relativeTo: directory), dataset: dataset, pixelSize: pixel, cellsAreDark: dark)
            }
        case nil: break
        }
        let convection = d.choice("convection", ConvectionScheme.self, default: .quick)
        let stem = Paths.stem(path)
        let dnsOutput = d.string("file", default: "results/\(stem.isEmpty ? "tissue" : stem)-dns.h5", nonEmpty: true)

        let a = SectionReader(sections["average"], diagnostics)
        var window: Double? = nil
        if a.isPresent("window") {
            a.forbid("window_radii", "give either average.window or average.window_radii")
            window = a.quantity("window", .length, .positive)
        } else {
            window = a.quantity("window_radii", .dimensionless, .positive, default: AveragingModule.defaultWindowRadii).map { $0 * radius }
        }

        let c = SectionReader(sections["compare"], diagnostics)
        let skip = c.quantity("skip_inlet_radii", .dimensionless, .nonNegative, default: 1.0 / 3.0)
        let filter = boolean(c, "filter_upscaled", default: true)
        let reference = c.isPresent("reference") ? c.string("reference", nonEmpty: true).map { Paths.resolve($0, relativeTo: directory) } : nil
        let outputStem = run.map { Paths.droppingExtension($0.outputPath) } ?? "results/validate"
        let plot = c.string("plot", default: outputStem + ".svg", nonEmpty: true)

        if let spacing, let sampleLength, let height, spacing > min(sampleLength, height) / 2 {
            if let v = sections["dns"]["grid_spacing"] {
                d.report(v, "\(v.name) = \(TOMLSerializer.inline(v.value)) is too coarse: the sample needs at least 2 cells along each side")
            }
        }
        try diagnostics.throwIfAny()
        guard let run, let copies, let sampleLength, let height, let spacing, let seeds, let geometry, let convection,
              let dnsOutput, let window, let skip, let filter, let plot
        else { throw ScenarioError(file: path, message: "invalid configuration") }

        let dns = TissueDNSSettings(sampleLength: sampleLength, height: height, copies: copies, gridSpacing: spacing, seeds: seeds,
                                    geometry: geometry, convection: convection, outputPath: dnsOutput)
        let validation = ValidationSettings(windowWidth: window, skipInletRadii: skip, filterUpscaled: filter,
                                            referencePath: reference, plotPath: plot)
        return ValidateScenario(run: run, dns: dns, validation: validation,
                                resolvedTOML: run.resolvedTOML + resolvedTables(dns, validation))
    }

    /// A boolean key.
    static func boolean(_ r: SectionReader, _ key: String, default value: Bool) -> Bool? {
        guard let v = r.raw(key, required: false) else { return value }
        guard let b = v.value.boolValue else {
            r.report(v, "\(v.name) must be true or false, got \(v.value.typeDescription) (\(TOMLSerializer.inline(v.value)))")
            return nil
        }
        return b
    }

    /// The resolved strip tables as TOML (SI values, defaults explicit).
    static func resolvedTables(_ d: TissueDNSSettings, _ v: ValidationSettings) -> String {
        func table(_ pairs: [(String, TOMLValue)]) -> TOMLValue {
            var t = TOMLTable()
            for (k, x) in pairs { t.set(k, x) }
            return TOMLValue(.table(t))
        }
        var root = TOMLTable()
        var dns: [(String, TOMLValue)] = [
            ("sample_length", TOMLValue(.float(d.sampleLength))), ("height", TOMLValue(.float(d.height))),
            ("copies", TOMLValue(.integer(Int64(d.copies)))), ("grid_spacing", TOMLValue(.float(d.gridSpacing))),
            ("seeds", TOMLValue(.array(d.seeds.map { TOMLValue(.integer(Int64(bitPattern: $0))) }))),
        ]
        switch d.geometry {
        case .voronoi: dns.append(("geometry", TOMLValue(.string("voronoi"))))
        case .mask(let path, let dataset, let pixel, let dark):
            dns += [("geometry", TOMLValue(.string("mask"))), ("mask", TOMLValue(.string(path))),
                    ("mask_dataset", TOMLValue(.string(dataset))), ("pixel_size", TOMLValue(.float(pixel))),
                    ("cells_are_dark", TOMLValue(.boolean(dark)))]
        }
        dns += [("convection", TOMLValue(.string(d.convection.rawValue))), ("file", TOMLValue(.string(d.outputPath)))]
        root.set("dns", table(dns))
        root.set("average", table([("window", TOMLValue(.float(v.windowWidth)))]))
        var compare: [(String, TOMLValue)] = [("skip_inlet_radii", TOMLValue(.float(v.skipInletRadii))),
                                              ("filter_upscaled", TOMLValue(.boolean(v.filterUpscaled)))]
        if let r = v.referencePath { compare.append(("reference", TOMLValue(.string(r)))) }
        compare.append(("plot", TOMLValue(.string(v.plotPath))))
        root.set("compare", table(compare))
        return "\n" + TOMLSerializer.serialize(root)
    }
}
