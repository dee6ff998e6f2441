import Config
/// Loads scenario and tissue files into validated, typed values.
///
/// All problems of a configuration are collected and thrown together as one `ScenarioError`
/// before any work starts. Relative paths inside a scenario (`tissue.file`, `closure.model`,
/// also when given with `--set`) are relative to the scenario file's directory; `output.file`
/// is relative to the working directory.
import Macroscale
import Numerics

public enum ScenarioLoader {
    /// Loads the scenario file at `path`, applying `overrides` (`section.key=value`).
    /// `alsoRead`: tables the caller reads itself (`tissue sweep` reads `[sweep]`), not warned about.
    public static func load(path: String, overrides: [String] = [], unset: [String] = [],
                            alsoRead: [String] = []) throws -> RunScenario {
        let text = try Paths.read(path, what: "the scenario file", reportAs: path)
        return try load(text: text, path: path, overrides: overrides, unset: unset, alsoRead: alsoRead)
    }

    /// The tables of the TOML `text` (read from `path`), checked against `schema` (unknown tables and
    /// keys go to the returned diagnostics), with the `section.key=value` overrides applied.
    /// `--unset` keys are removed after the overrides; a `--set` of a table's `kind` drops the keys
    /// only other kinds read (`KeySpec.kinds`), noted in `notes`.
    static func sections(of text: String, path: String, schema: [TableSchema], overrides: [String],
                         unset: [String] = [], notes: inout [String]) throws -> (ConfigSections, Diagnostics) {
        let document = try TOMLParser.parse(text, file: path)
        let diagnostics = Diagnostics()
        var sections = ConfigSections(document: document, schema: schema, file: path, diagnostics: diagnostics)
        Overrides.apply(overrides, to: &sections, diagnostics: diagnostics)
        notes += Overrides.dropKeysOfOtherKinds(overrides, in: &sections)
        Overrides.unset(unset, in: &sections, diagnostics: diagnostics)
        return (sections, diagnostics)
    }

    static func sections(of text: String, path: String, schema: [TableSchema],
                         overrides: [String], unset: [String] = []) throws -> (ConfigSections, Diagnostics) {
        var notes: [String] = []
        return try sections(of: text, path: path, schema: schema, overrides: overrides, unset: unset, notes: &notes)
    }

    /// Loads a scenario from `text` as if read from `path` (relative paths resolve against its directory).
    public static func load(text: String, path: String, overrides: [String] = [], unset: [String] = [],
                            alsoRead: [String] = []) throws -> RunScenario {
        var notes: [String] = []
        let (sections, diagnostics) = try ScenarioLoader.sections(of: text, path: path, schema: Schema.scenario, overrides: overrides,
                                                                  unset: unset, notes: &notes)
        let scenario = readRun(sections, path: path, diagnostics: diagnostics)
        try diagnostics.throwIfAny()
        // Every nil has been reported; reaching this means a reader forgot to report.
        guard var scenario else { throw ScenarioError(file: path, message: "invalid configuration") }
        scenario.notes = notes
        finish(&scenario, sections, alsoRead: alsoRead)
        return scenario
    }

    /// The warnings about tables and keys the run did not read, and the resolved configuration:
    /// what the loader read (`ConfigRecord`), defaults explicit, overrides applied, tissue inlined.
    /// `alsoRead`: tables the caller reads itself, not warned about.
    static func finish(_ scenario: inout RunScenario, _ sections: ConfigSections, alsoRead: [String] = []) {
        for table in alsoRead {
            sections.record.markTableRead(table)
            for key in sections[table].order { sections.record.markRead(table, key) }
        }
        scenario.warnings = sections.warnings()
        scenario.resolvedTOML = sections.record.toml(header: """
            Resolved TissueTransport scenario \(scenario.configPath): defaults explicit, overrides applied, tissue inlined.
            Physical values in SI units: m, s, mol m-3, km in mol m-3 s-1, D in m2 s-1.
            File names in [tissue], [transient], [inlet], [closure], [dns] and [compare] are relative to the scenario's \
            directory; output files to the working directory.
            """)
    }

    /// The upscaled run of a scenario's `sections` (tables [run] … [output]), or nil after reporting
    /// every problem to `diagnostics`.
    static func readRun(_ sections: ConfigSections, path: String, diagnostics: Diagnostics) -> RunScenario? {
        let directory = Paths.directory(of: path)

        let run = SectionReader(sections["run"], diagnostics)
        let mode = run.choice("mode", RunMode.self)
        let seed = run.integer("seed")

        // The tissue's D*(Pe) table is needed only when the run interpolates it.
        let needsTable = sections["dispersion"]["kind"]?.value.stringValue.map { $0 == DispersionKind.table.rawValue } ?? true
        let tissue = tissueSections(of: sections, directory: directory, diagnostics: diagnostics)
            .flatMap { readTissue($0.tissue, $0.dispersion, needsDispersionTable: needsTable, diagnostics: diagnostics) }

        let cells = SectionReader(sections["grid"], diagnostics).integer("cells")

        let solver = SectionReader(sections["solver"], diagnostics)
        let convection = solver.choice("convection", ConvectionScheme.self)
        let tolerance = solver.quantity("tolerance")
        let maxIterations = solver.integer("max_iterations")

        var transient: TransientSettings? = nil
        var initialProfilePath: String? = nil
        var transientOK = true
        if mode == .transient {
            var section = sections["transient"]
            section.missingHint = " (required when run.mode = \"transient\")"
            if let (settings, profile) = readTransient(SectionReader(section, diagnostics), directory: directory) {
                transient = settings
                initialProfilePath = profile
            }
            if let tolerance { transient?.tolerance = tolerance }
            let inlet = SectionReader(sections["inlet"], diagnostics)
            if let schedule = InletReader.read(inlet, level: tissue?.inletConcentration, directory: directory) {
                transient?.inlet = schedule
            } else if inlet.section.isPresent || !inlet.section.order.isEmpty {
                transient = nil
            }
            transientOK = transient != nil
        }

        let closure = readClosure(SectionReader(sections["closure"], diagnostics), directory: directory)

        let dispersionReader = SectionReader(sections["dispersion"], diagnostics)
        var dispersion: DispersionChoice? = nil
        switch dispersionReader.choice("kind", DispersionKind.self) {
        case .table?: dispersion = .table
        case .constant?: dispersion = dispersionReader.quantity("value").map { .constant($0) }
        case nil: break
        }

        let heterogeneity = Heterogeneity.read(SectionReader(sections["heterogeneity"], diagnostics), length: tissue?.length)

        let stem = Paths.stem(path)
        let outputPath = SectionReader(sections["output"], diagnostics)
            .string("file", default: "results/\(stem.isEmpty ? "scenario" : stem).h5", nonEmpty: true)

        guard let mode, let seed, let tissue, let cells, let convection, let tolerance, let maxIterations,
              transientOK, let closure, let dispersion, let outputPath
        else { return nil }
        var scenario = RunScenario(
            configPath: path, mode: mode, seed: UInt64(seed), tissue: tissue, cells: cells,
            convection: convection, tolerance: tolerance, maxIterations: maxIterations, transient: transient,
            closure: closure, dispersion: dispersion, outputPath: outputPath, resolvedTOML: "")
        scenario.heterogeneity = heterogeneity
        scenario.initialProfilePath = initialProfilePath
        return scenario
    }

    /// The tables a scenario file gives (with its overrides): [dns], [average] and [compare] are read
    /// only by `tissue validate` and `tissue dns tissue`, [sweep] only by `tissue sweep`.
    public static func tablesGiven(path: String, overrides: [String] = [], unset: [String] = []) throws -> Set<String> {
        let text = try Paths.read(path, what: "the scenario file", reportAs: path)
        let (sections, _) = try ScenarioLoader.sections(of: text, path: path, schema: Schema.scenario, overrides: overrides, unset: unset)
        return Set(sections.sections.filter { $0.value.isPresent || !$0.value.order.isEmpty }.keys)
    }

    /// Whether `tables` include those of a tissue-strip scenario.
    public static func hasStripTables(_ tables: Set<String>) -> Bool {
        Schema.tissueStripTables.contains { tables.contains($0.name) }
    }

    /// Loads a tissue file on its own.
    public static func loadTissue(path: String) throws -> TissueParameters {
        let text = try Paths.read(path, what: "the tissue file", reportAs: path)
        let (sections, diagnostics) = try ScenarioLoader.sections(of: text, path: path, schema: Schema.tissueFile, overrides: [])
        let tissue = readTissue(sections["tissue"], sections["dispersion"], needsDispersionTable: false, diagnostics: diagnostics)
        try diagnostics.throwIfAny()
        guard let tissue else { throw ScenarioError(file: path, message: "invalid tissue file") }
        return tissue
    }

    // MARK: - Tissue

    /// The tissue and D*(Pe) sections: the tissue file named by `tissue.file` with the scenario's
    /// `[tissue]` keys laid over it, or the scenario's inline tissue when there is no `file`.
    static func tissueSections(of sections: ConfigSections, directory: String, diagnostics: Diagnostics)
        -> (tissue: ConfigSection, dispersion: ConfigSection)? {
        var scenarioTissue = sections["tissue"]
        var scenarioDispersion = sections["tissue.dispersion"]
        // An inline tissue (a resolved config, say) gives Pe and km; a --set of the other of a pair
        // (velocity, φ²) replaces it, as it replaces a tissue file's.
        for key in scenarioTissue.order where scenarioTissue[key]?.file == Overrides.source {
            if let partner = Schema.alternativeTissueKeys[key], scenarioTissue[partner]?.file != Overrides.source {
                scenarioTissue.remove(partner)
            }
        }
        guard let fileValue = scenarioTissue["file"] else {
            scenarioTissue.missingHint = " (give `file` = a tissue file, or every tissue parameter inline)"
            scenarioDispersion.missingHint = " (no tissue `file` is given, so the D*(Pe) table must be inline)"
            if !scenarioTissue.isPresent {
                diagnostics.report(file: scenarioTissue.file, line: nil, key: "tissue",
                                   "missing required table [tissue] (give `file` = a tissue file, or every tissue parameter inline)")
                return nil
            }
            return (scenarioTissue, scenarioDispersion)
        }
        // The tissue is inlined into the resolved configuration, so `file` itself is not recorded.
        let reader = SectionReader(scenarioTissue, diagnostics)
        _ = reader.raw("file", required: true)
        guard let relative = fileValue.value.stringValue, !relative.trimmingBlanks().isEmpty else {
            reader.report(fileValue, "\(fileValue.name) must be a non-empty string (a tissue file), got \(TOMLSerializer.inline(fileValue.value))")
            return nil
        }
        // Paths from --set are resolved like paths written in the file: against the scenario's directory.
        let tissuePath = Paths.resolve(relative, relativeTo: directory)
        let document: TOMLTable
        do {
            let text = try Paths.read(tissuePath, what: "the tissue file", reportAs: fileValue.file,
                                      line: fileValue.line, key: fileValue.name)
            document = try TOMLParser.parse(text, file: tissuePath)
        } catch let error as ScenarioError {
            diagnostics.report(error)
            return nil
        } catch {
            diagnostics.report(file: fileValue.file, line: fileValue.line, key: fileValue.name, "\(error)")
            return nil
        }
        let base = ConfigSections(document: document, schema: Schema.tissueFile, file: tissuePath, diagnostics: diagnostics)
        var tissue = base["tissue"]
        var dispersion = base["dispersion"]
        // Read on behalf of the scenario: recorded as its inline [tissue] and [tissue.dispersion].
        tissue.record = sections.record
        dispersion.record = sections.record
        dispersion.recordPath = "tissue.dispersion"
        for key in scenarioTissue.order where key != "file" {
            // A scenario that gives one of a pair (velocity/peclet, km/φ²) replaces the file's other.
            if let partner = Schema.alternativeTissueKeys[key] { tissue.remove(partner) }
            tissue.set(key, scenarioTissue[key]!)
        }
        for key in scenarioDispersion.order {
            dispersion.set(key, scenarioDispersion[key]!)
        }
        return (tissue, dispersion)
    }

    /// Reads and checks the tissue parameters and the D*(Pe) table.
    /// The tissue in physical terms: `velocity` (⟨v⟩^β) or `peclet`, and `km` or
    /// `thiele_modulus_squared`; the other of each pair is derived (Pe = r⟨v⟩^β/Dβ,
    /// km = φ² Ka Dβ / r²) and written into the resolved config. The `[dispersion]` table is read when
    /// present, and required only when `needsDispersionTable` (dispersion.kind = "table").
    static func readTissue(_ tissueSection: ConfigSection, _ dispersionSection: ConfigSection,
                           needsDispersionTable: Bool = true, diagnostics: Diagnostics) -> TissueParameters? {
        let t = SectionReader(tissueSection, diagnostics)
        let name = t.string("name", nonEmpty: true)
        let length = t.quantity("length")
        let radius = t.quantity("effective_radius")
        let porosity = t.quantity("porosity")
        let Ka = t.quantity("Ka")
        let cL = t.quantity("cL")
        let Dr = t.quantity("Dr")
        let Dbeta = t.quantity("D_beta")
        let peclet = either(t, "peclet", or: "velocity") { v in
            radius.flatMap { r in Dbeta.map { r * v / $0 } }
        }
        let km = either(t, "km", or: "thiele_modulus_squared") { phi2 in
            radius.flatMap { r in Ka.flatMap { ka in Dbeta.map { phi2 * ka * $0 / (r * r) } } }
        }

        let d = SectionReader(dispersionSection, diagnostics)
        let hasTable = d.tableIsGiven
        let source = hasTable ? d.string("source") : ""
        let table: (peclet: [Double], dStar: [Double])? = needsDispersionTable || hasTable ? readDispersionTable(d) : ([], [])

        guard let name, let length, let radius, let porosity, let peclet, let km, let Ka, let cL, let Dr, let Dbeta,
              let source, let table
        else { return nil }
        return TissueParameters(
            name: name, length: length, effectiveRadius: radius, porosity: porosity, peclet: peclet,
            km: km, Ka: Ka, inletConcentration: cL, Dr: Dr, diffusivityBeta: Dbeta,
            dispersionPeclet: table.peclet, dispersionCoefficient: table.dStar, dispersionSource: source)
    }

    /// A quantity given directly (`key`) or derived from an alternative (`other`, through `derive`):
    /// exactly one of the two must be given.
    static func either(_ t: SectionReader, _ key: String, or other: String, derive: (Double) -> Double?) -> Double? {
        switch (t.isPresent(key), t.isPresent(other)) {
        case (true, true):
            t.report(t.section[other]!, "give either tissue.\(key) or tissue.\(other), not both")
            return nil
        case (false, true):
            // The resolved configuration keeps the derived quantity (Pe, km), the one the physics uses.
            guard let value = t.quantity(other).flatMap(derive) else { return nil }
            t.section.record?.forget(t.section.recordPath, other)
            t.record(key, TOMLValue(.float(value)))
            return value
        default:
            var section = t.section
            section.missingHint = " (or `\(other)`)"
            return SectionReader(section, t.diagnostics).quantity(key)
        }
    }

    /// D*(Pe): at least 2 points, Pe strictly increasing and >= 0, D* > 0, equal lengths.
    static func readDispersionTable(_ d: SectionReader) -> (peclet: [Double], dStar: [Double])? {
        let pe = d.quantityArray("peclet")
        let dStar = d.quantityArray("D_star")
        var ok = pe != nil && dStar != nil
        if let (values, source) = pe {
            if values.count < 2 {
                d.report(source, "\(source.name) must have at least 2 points, got \(values.count)")
                ok = false
            }
            if !d.checkStrictlyIncreasing(values, source) { ok = false }
        }
        if let (peValues, peSource) = pe, let (dValues, dSource) = dStar, peValues.count != dValues.count {
            d.report(dSource, "\(dSource.name) has \(dValues.count) values but \(peSource.name) has \(peValues.count)")
            ok = false
        }
        guard ok, let pe, let dStar else { return nil }
        return (pe.values, dStar.values)
    }

    // MARK: - Transient, closure

    /// The transient settings and, with `initial_profile`, its path resolved against the scenario's
    /// directory. Only the keys of the chosen scheme are read.
    static func readTransient(_ t: SectionReader, directory: String) -> (TransientSettings, initialProfile: String?)? {
        // Error-controlled by default; a file that gives a time_step but no scheme steps with it (BDF2).
        let scheme = t.choice("scheme", TimeScheme.self, default: t.isPresent("time_step") ? .bdf2 : .cvode)
        let endTime = t.quantity("end_time")
        var timeStep: Double? = 0
        var rtol: Double? = TransientSettings.defaultRelativeTolerance
        var atol: Double? = nil
        var atolOK = true
        if scheme?.isFixedStep ?? true {
            var section = t.section
            section.missingHint = " (required with a fixed-step scheme)"
            let fixed = SectionReader(section, t.diagnostics)
            let range = endTime.map { AllowedRange(lower: 0, upper: $0, upperInclusive: true, upperName: "end_time") }
            timeStep = fixed.quantity("time_step", range: range)
            // end_time / time_step steps: bounded, so that stepping always advances t and fits in memory.
            if let endTime, let step = timeStep, endTime / step > Double(maxTimeSteps), let v = t.section["time_step"] {
                t.report(v, "\(v.name) = \(TOMLSerializer.inline(v.value)) gives \(AllowedRange.format((endTime / step).rounded(.up))) steps to end_time; at most \(maxTimeSteps) are allowed")
                timeStep = nil
            }
        } else {
            rtol = t.quantity("rtol")
            if t.isPresent("atol") {
                atol = t.quantity("atol")
                atolOK = atol != nil
            }
        }
        let outputTimes = endTime.flatMap { readOutputTimes(t, endTime: $0) }
        var initial: Double? = 0
        var profilePath: String? = nil
        var profileOK = true
        if t.isPresent("initial_profile") {
            t.forbid("initial_concentration", "initial_profile gives the initial state")
            profilePath = t.path("initial_profile", relativeTo: directory)?.resolved
            profileOK = profilePath != nil
        } else {
            initial = t.quantity("initial_concentration")
        }
        var threshold: Double? = nil
        var thresholdOK = true
        if t.isPresent("threshold") {
            threshold = t.quantity("threshold")
            thresholdOK = threshold != nil
        }
        guard let scheme, let endTime, let timeStep, let outputTimes, let initial, let rtol, atolOK, thresholdOK, profileOK
        else { return nil }
        var settings = TransientSettings(scheme: scheme, endTime: endTime, timeStep: timeStep,
                                         outputTimes: outputTimes, initialConcentration: initial)
        settings.relativeTolerance = rtol
        settings.absoluteTolerance = atol
        settings.exposureThreshold = threshold
        return (settings, profilePath)
    }

    /// `output_times` (strictly increasing, in (0, end_time]) or `output_every` (a spacing: every
    /// multiple up to end_time, and end_time); 10 evenly spaced times when neither is given.
    static func readOutputTimes(_ t: SectionReader, endTime: Double) -> [Double]? {
        let range = AllowedRange(lower: 0, upper: endTime, upperInclusive: true, upperName: "end_time")
        if t.isPresent("output_every") {
            t.forbid("output_times", "give either output_times or output_every")
            guard let every = t.quantity("output_every", range: range) else { return nil }
            let count = Int((endTime / every * (1 + 1e-12)).rounded(.down))
            if count > 100_000 {
                if let v = t.section["output_every"] { t.report(v, "\(v.name) gives \(count) output times; at most 100000 are allowed") }
                return nil
            }
            var times = (1...max(count, 1)).map { Double($0) * every }.filter { $0 < endTime * (1 - 1e-12) }
            times.append(endTime)
            return times
        }
        guard t.isPresent("output_times") else {
            let times = (1...10).map { endTime * Double($0) / 10 }
            t.record("output_times", TOMLValue(.array(times.map { TOMLValue(.float($0)) })))
            return times
        }
        guard let (times, source) = t.quantityArray("output_times", range: range) else { return nil }
        if times.isEmpty {
            t.report(source, "\(source.name) must not be empty (leave it out for 10 evenly spaced times)")
            return nil
        }
        return t.checkStrictlyIncreasing(times, source) ? times : nil
    }

    /// The closure; an MLP's model path is resolved against the scenario's directory.
    static func readClosure(_ c: SectionReader, directory: String) -> ClosureChoice? {
        switch c.choice("kind", ClosureKind.self) {
        case .constant?: return c.quantity("eta").map { .constant(eta: $0) }
        case .analytic?: return .analytic
        case .mlp?: return c.path("model", relativeTo: directory).map { .mlp(modelPath: $0.resolved) }
        case nil: return nil
        }
    }
}

extension ScenarioLoader {
    /// Most finite-volume cells a scenario may ask for (`grid.cells`).
    static let maxCells: Int64 = 100_000_000
    /// Most time steps a transient run may take (`end_time / time_step`).
    static let maxTimeSteps = 10_000_000
}

/// `closure.kind` values.
enum ClosureKind: String, CaseIterable {
    case constant, analytic, mlp
}

/// `dispersion.kind` values.
enum DispersionKind: String, CaseIterable {
    case table, constant
}
