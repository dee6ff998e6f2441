import HDF5Kit
import Scenario

/// `tissue check CONFIG`: validate a scenario and give its resolved configuration.
public enum CheckWorkflow {
    public static func run(config: String, overrides: [String], unset: [String] = [],
                           reporter: WorkflowReporter) throws -> WorkflowReport {
        var scenario = try ScenarioLoader.load(path: config, overrides: overrides, unset: unset)
        // A tissue-strip scenario (`tissue validate`, `tissue dns tissue`) is checked with its strip tables.
        if scenario.hasStripTables {
            scenario = try ValidateScenarioLoader.load(path: config, overrides: overrides, unset: unset).run
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
