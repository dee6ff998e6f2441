import Foundation
import HDF5Kit
import Scenario

/// `tissue check CONFIG`: validate a configuration of any kind (scenario, tissue, training,
/// surrogate) and give its resolved form.
public enum CheckWorkflow {
    public static func run(config: String, overrides: [String], unset: [String] = [],
                           reporter: WorkflowReporter) throws -> WorkflowReport {
        switch try ConfigReference.Kind.of(path: config) {
        case .scenario: return try scenario(config: config, overrides: overrides, unset: unset, reporter: reporter)
        case .tissue: return try tissue(config: config, reporter: reporter)
        case .train:
            let s = try ScenarioLoader.loadTraining(path: config, overrides: overrides, unset: unset)
            return resolved(config, kind: "training config", warnings: s.warnings, toml: s.resolvedTOML, reporter: reporter)
        case .surrogate:
            let s = try ScenarioLoader.loadSurrogate(path: config, overrides: overrides)
            return resolved(config, kind: "surrogate config", warnings: s.warnings, toml: s.resolvedTOML, reporter: reporter)
        }
    }

    /// A training or surrogate config: its warnings and resolved text.
    static func resolved(_ config: String, kind: String, warnings: [String], toml: String,
                         reporter: WorkflowReporter) -> WorkflowReport {
        reporter.configLoaded(warnings: warnings)
        reporter.note("\(config): valid (\(kind))")
        let text = toml.hasSuffix("\n") ? String(toml.dropLast()) : toml
        return WorkflowReport(summary: ["config": config, "valid": true, "kind": kind, "resolved": toml, "warnings": warnings],
                              text: [text])
    }

    /// A tissue file: its parameters with the derived ones (Pe and ⟨v⟩^β, km and φ²).
    static func tissue(config: String, reporter: WorkflowReporter) throws -> WorkflowReport {
        let t = try ScenarioLoader.loadTissue(path: config)
        reporter.note("\(config): valid (tissue \(t.name))")
        let values: [(String, Double, String)] = [
            ("length", t.length, "m"), ("effective_radius", t.effectiveRadius, "m"), ("porosity", t.porosity, "1"),
            ("peclet", t.peclet, "1"), ("velocity", t.intrinsicVelocity, "m s-1"),
            ("km", t.km, "mol m-3 s-1"), ("thiele_modulus_squared", t.thieleModulusSquared, "1"),
            ("Ka", t.Ka, "mol m-3"), ("cL", t.inletConcentration, "mol m-3"), ("Dr", t.Dr, "1"), ("D_beta", t.diffusivityBeta, "m2 s-1"),
        ]
        var summary: [String: Any] = ["config": config, "valid": true, "kind": "tissue", "name": t.name,
                                      "dispersion_points": t.dispersionPeclet.count]
        for (key, value, _) in values { summary[key] = value }
        let width = values.map(\.0.count).max() ?? 0
        let lines = ["tissue \(t.name) (SI units; Pe = r⟨v⟩^β/Dβ and φ² = km r²/(Ka Dβ) derived from the others)"]
            + values.map { "  \($0.0.padding(toLength: width, withPad: " ", startingAt: 0))  \(String(format: "%.6g", $0.1)) \($0.2)" }
            + ["  D*(Pe) table: \(t.dispersionPeclet.count) points" + (t.dispersionSource.isEmpty ? "" : " (\(t.dispersionSource))")]
        return WorkflowReport(summary: summary, text: lines)
    }

    static func scenario(config: String, overrides: [String], unset: [String],
                         reporter: WorkflowReporter) throws -> WorkflowReport {
        // A tissue-strip scenario (`tissue validate`, `tissue dns tissue`) is loaded with its strip tables,
        // a sweep's [sweep] table is checked by planning the sweep.
        let tables = try ScenarioLoader.tablesGiven(path: config, overrides: overrides, unset: unset)
        let scenario = ScenarioLoader.hasStripTables(tables)
            ? try ValidateScenarioLoader.load(path: config, overrides: overrides, unset: unset, alsoRead: ["sweep"]).run
            : try ScenarioLoader.load(path: config, overrides: overrides, unset: unset, alsoRead: ["sweep"])
        if tables.contains("sweep") {
            _ = try SweepPlan.load(config: config, vary: [], overrides: overrides, unset: unset)
        }
        reporter.configLoaded(notes: scenario.notes, warnings: scenario.warnings)
        let summary: [String: Any] = ["config": config, "valid": true, "mode": scenario.mode.rawValue,
                                      "tissue": scenario.tissue.name, "output": scenario.outputPath,
                                      "resolved": scenario.resolvedTOML, "warnings": scenario.warnings]
        let text = scenario.resolvedTOML.hasSuffix("\n") ? String(scenario.resolvedTOML.dropLast()) : scenario.resolvedTOML
        reporter.note("\(config): valid (\(scenario.mode.rawValue) run, tissue \(scenario.tissue.name))")
        return WorkflowReport(summary: summary, text: [text])
    }
}

/// `tissue inspect FILE.h5`: the tree of a file with shapes, dtypes, units and attributes.
public enum InspectWorkflow {
    public static func describe(file path: String) throws -> String {
        let f = try HDF5File.open(path)
        defer { try? f.close() }
        return try HDF5Inspector.describe(f)
    }
}

/// `tissue keys [KIND]`: the key reference, written from the declarations.
public enum KeysWorkflow {
    public static let kinds = ConfigReference.Kind.allCases.map(\.rawValue)

    /// One kind's reference, or the whole document when `kind` is nil.
    public static func reference(_ kind: String?) throws -> String {
        guard let kind else { return ConfigReference.document }
        guard let k = ConfigReference.Kind(rawValue: kind) else {
            throw WorkflowError("no configuration kind '\(kind)': expected one of \(kinds.joined(separator: ", "))")
        }
        return ConfigReference.markdown(k)
    }
}
