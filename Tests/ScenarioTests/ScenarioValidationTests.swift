import Foundation
import Testing
@testable import Config
@testable import Scenario

/// `validScenario` with `old` replaced by `new`.
private func scenario(replacing old: String, with new: String) -> String {
    precondition(validScenario.contains(old), "fixture has no \(old)")
    return validScenario.replacingOccurrences(of: old, with: new)
}

/// Expects exactly one problem containing `fragment`, at `line` of the scratch scenario, about `key`.
private func expectProblem(_ text: String, _ fragment: String, line: Int?, key: String?, file: String = scratchScenario,
                           sourceLocation: SourceLocation = #_sourceLocation) {
    let error = loadError(text)
    guard let p = problem(error, containing: fragment, sourceLocation: sourceLocation) else { return }
    #expect(p.file == file, sourceLocation: sourceLocation)
    #expect(p.line == line, "\(p)", sourceLocation: sourceLocation)
    #expect(p.key == key, sourceLocation: sourceLocation)
    let location = line.map { "\(file):\($0): " } ?? "\(file): "
    #expect(error!.description.contains(location + p.message), sourceLocation: sourceLocation)
}

/// A temporary directory with a copy of tissues/brain.toml edited by `edit`, and a scenario using it.
private func tissueFixture(_ edit: (String) -> String) throws -> (scenario: String, text: String, tissue: String) {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("scenario-tests-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    let original = try String(contentsOfFile: packageRoot + "/tissues/brain.toml", encoding: .utf8)
    let tissue = dir + "/tissue.toml"
    try edit(original).write(toFile: tissue, atomically: true, encoding: .utf8)
    let scenario = dir + "/run.toml"
    let text = validScenario.replacingOccurrences(of: "../tissues/brain.toml", with: "tissue.toml")
    try text.write(toFile: scenario, atomically: true, encoding: .utf8)
    return (scenario, text, tissue)
}

/// 1-based line of the first line of `text` containing `fragment`.
private func lineNumber(of fragment: String, in text: String) -> Int {
    text.components(separatedBy: "\n").firstIndex { $0.contains(fragment) }! + 1
}

@Suite struct ScenarioValidationTests {
    @Test func unknownKeySuggestsTheNearestValidKey() {
        expectProblem(scenario(replacing: "cells = 200", with: "nodes = 200"),
                      "unknown key `nodes` in [grid] (did you mean `cells`?)", line: 8, key: "grid.nodes")
        expectProblem(scenario(replacing: "eta = 0.74", with: "etaa = 0.74"),
                      "unknown key `etaa` in [closure] (did you mean `eta`?)", line: 12, key: "closure.etaa")
        expectProblem(scenario(replacing: "file = ", with: "porosty = 0.3\nfile = "),
                      "unknown key `porosty` in [tissue] (did you mean `porosity`?)", line: 5, key: "tissue.porosty")
        expectProblem(validScenario + "\n\n[solver]\ntol = 1e-8\n",
                      "unknown key `tol` in [solver] (did you mean `tolerance`?)", line: 15, key: "solver.tol")
    }

    @Test func unknownTableSuggestsTheNearestValidTable() {
        expectProblem(scenario(replacing: "[grid]", with: "[gird]"),
                      "unknown table [gird] (did you mean [grid]?)", line: 7, key: "gird")
        expectProblem(validScenario + "\n\n[tissue.dispersoin]\npeclet = [0, 1]\n",
                      "unknown table [tissue.dispersoin] (did you mean [tissue.dispersion]?)", line: 14, key: "tissue.dispersoin")
        expectProblem("cells = 3\n" + validScenario, "did you mean `grid.cells`?", line: 1, key: "cells")
    }

    @Test func unknownUnitNamesTheUnit() {
        expectProblem(scenario(replacing: "file = \"../tissues/brain.toml\"", with: "file = \"../tissues/brain.toml\"\nlength = \"20 furlong\""),
                      "tissue.length = \"20 furlong\": unknown unit `furlong`", line: 6, key: "tissue.length")
    }

    @Test func wrongDimensionNamesExpectedAndGiven() {
        expectProblem(scenario(replacing: "file = \"../tissues/brain.toml\"", with: "file = \"../tissues/brain.toml\"\ncL = \"2 um\""),
                      "tissue.cL = \"2 um\": expected a concentration (mol m-3), got m", line: 6, key: "tissue.cL")
    }

    @Test func outOfRangeValuesNameKeyAndRange() {
        let tissue = "file = \"../tissues/brain.toml\""
        expectProblem(scenario(replacing: tissue, with: tissue + "\nporosity = 1.3"),
                      "tissue.porosity = 1.3 is out of range: expected 0 < porosity < 1", line: 6, key: "tissue.porosity")
        expectProblem(scenario(replacing: tissue, with: tissue + "\nlength = \"-20 um\""),
                      "tissue.length = \"-20 um\" is out of range: expected length > 0", line: 6, key: "tissue.length")
        expectProblem(scenario(replacing: tissue, with: tissue + "\nKa = 0"),
                      "tissue.Ka = 0 is out of range: expected Ka > 0", line: 6, key: "tissue.Ka")
        expectProblem(scenario(replacing: tissue, with: tissue + "\nKa = \"-1 mol/m^3\""),
                      "expected Ka > 0", line: 6, key: "tissue.Ka")
        expectProblem(scenario(replacing: "cells = 200", with: "cells = 2"),
                      "grid.cells = 2 is out of range: expected cells >= 3", line: 8, key: "grid.cells")
        expectProblem(scenario(replacing: "eta = 0.74", with: "eta = 1.5"),
                      "closure.eta = 1.5 is out of range: expected 0 < eta <= 1", line: 12, key: "closure.eta")
        expectProblem(validScenario + "\n\n[solver]\ntolerance = 0\n",
                      "solver.tolerance = 0 is out of range: expected 0 < tolerance < 1", line: 15, key: "solver.tolerance")
        expectProblem(scenario(replacing: tissue, with: tissue + "\nlength = inf"),
                      "tissue.length = inf is not a finite number", line: 6, key: "tissue.length")
    }

    @Test func outOfRangeInATissueFileNamesTheTissueFile() throws {
        let (scenarioPath, scenarioText, tissuePath) = try tissueFixture {
            $0.replacingOccurrences(of: "porosity = 0.260372 ", with: "porosity = 1.3      ")
        }
        let tissueText = try String(contentsOfFile: tissuePath, encoding: .utf8)
        let error = loadError(scenarioText, path: scenarioPath)
        let p = try #require(problem(error, containing: "porosity"))
        #expect(p.file == tissuePath)
        #expect(p.line == lineNumber(of: "porosity = 1.3", in: tissueText))
        #expect(p.key == "tissue.porosity")
        #expect(p.description == "\(tissuePath):\(p.line!): tissue.porosity = 1.3 is out of range: expected 0 < porosity < 1")
        // loadTissue reports the same problem.
        #expect(throws: p) { try ScenarioLoader.loadTissue(path: tissuePath) }
    }

    @Test func badDispersionTablesAreReported() throws {
        let (scenarioPath, scenarioText, tissuePath) = try tissueFixture {
            $0.replacingOccurrences(of: "    4.0,", with: "    0.5,")
              .replacingOccurrences(of: "    8.085519515634676e-08,\n", with: "")
        }
        let tissueText = try String(contentsOfFile: tissuePath, encoding: .utf8)
        let error = loadError(scenarioText, path: scenarioPath)
        let order = try #require(problem(error, containing: "strictly increasing"))
        #expect(order.file == tissuePath)
        #expect(order.line == lineNumber(of: "    0.5,", in: tissueText))
        #expect(order.message.contains("dispersion.peclet[4] = 0.5 follows 2"), "\(order.message)")
        let count = try #require(problem(error, containing: "has 10 values but dispersion.peclet has 11"))
        #expect(count.key == "dispersion.D_star")
    }

    @Test func wrongTypesNameTheExpectedType() {
        expectProblem(scenario(replacing: "cells = 200", with: "cells = \"200\""),
                      "grid.cells must be an integer, got a string (\"200\")", line: 8, key: "grid.cells")
        expectProblem(scenario(replacing: "cells = 200", with: "cells = 200.5"),
                      "grid.cells must be an integer, got a float (200.5)", line: 8, key: "grid.cells")
        expectProblem(scenario(replacing: "eta = 0.74", with: "eta = true"),
                      "closure.eta must be a number, got a boolean (true)", line: 12, key: "closure.eta")
        expectProblem(scenario(replacing: "file = \"../tissues/brain.toml\"", with: "file = \"../tissues/brain.toml\"\nlength = [20]"),
                      "tissue.length must be a length (m): a number in SI units or a string with units such as \"20 um\", got an array",
                      line: 6, key: "tissue.length")
        expectProblem(scenario(replacing: "mode = \"steady\"", with: "mode = 1"),
                      "run.mode must be one of \"steady\", \"transient\", got an integer (1)", line: 2, key: "run.mode")
        expectProblem("grid = 5\n" + scenario(replacing: "[grid]\ncells = 200", with: ""),
                      "`grid` must be a table ([grid]), got an integer", line: 1, key: "grid")
    }

    @Test func missingRequiredKeysAndTables() {
        expectProblem(scenario(replacing: "mode = \"steady\"", with: "seed = 1"),
                      "missing required key `mode` in [run]", line: 1, key: "run.mode")
        expectProblem(scenario(replacing: "[closure]\nkind = \"constant\"\neta = 0.74", with: ""),
                      "missing required table [closure]", line: nil, key: "closure")
        expectProblem(scenario(replacing: "eta = 0.74", with: ""),
                      "missing required key `eta` in [closure]", line: 10, key: "closure.eta")
        expectProblem(scenario(replacing: "mode = \"steady\"", with: "mode = \"transient\""),
                      "missing required table [transient] (required when run.mode = \"transient\")", line: nil, key: "transient")
        expectProblem(scenario(replacing: "mode = \"steady\"", with: "mode = \"transient\"") + "\n\n[transient]\ntime_step = \"1 ms\"\n",
                      "missing required key `end_time` in [transient]", line: 14, key: "transient.end_time")
        expectProblem(scenario(replacing: "file = \"../tissues/brain.toml\"", with: "name = \"x\""),
                      "missing required key `length` in [tissue] (give `file` = a tissue file, or every tissue parameter inline)",
                      line: 4, key: "tissue.length")
        expectProblem(scenario(replacing: "file = \"../tissues/brain.toml\"", with: "file = \"../tissues/nowhere.toml\""),
                      "cannot read the tissue file", line: 5, key: "tissue.file")
    }

    @Test func badEnumValuesListTheAllowedOnes() {
        expectProblem(validScenario + "\n\n[solver]\nconvection = \"centered\"\n",
                      "solver.convection = \"centered\" is not allowed: expected one of \"central\", \"upwind\" (did you mean \"central\"?)",
                      line: 15, key: "solver.convection")
        expectProblem(scenario(replacing: "kind = \"constant\"", with: "kind = \"neural\""),
                      "expected one of \"constant\", \"analytic\", \"mlp\"", line: 11, key: "closure.kind")
        expectProblem(scenario(replacing: "mode = \"steady\"", with: "mode = \"transient\"")
                        + "\n\n[transient]\nend_time = 1\ntime_step = 0.1\nscheme = \"euler\"\n",
                      "expected one of \"cvode\", \"backward-euler\", \"bdf2\"", line: 17, key: "transient.scheme")
    }

    @Test func keysOfTheChosenKindAreRequired() {
        expectProblem(scenario(replacing: "kind = \"constant\"\neta = 0.74", with: "kind = \"mlp\""),
                      "missing required key `model` in [closure]", line: 10, key: "closure.model")
        expectProblem(validScenario + "\n\n[dispersion]\nkind = \"constant\"\n",
                      "missing required key `value` in [dispersion]", line: 14, key: "dispersion.value")
    }

    /// The strictness policy: a misspelled key is an error, a known key or table that the chosen
    /// mode or kind does not read is a warning naming its line and when it is read, and it is left
    /// out of the resolved configuration.
    @Test(arguments: [
        ("[closure]\nkind = \"analytic\"\neta = 0.7", 12, "eta =",
         "closure.eta is not used by this run (it is read only when closure.kind = \"constant\")"),
        ("[closure]\nkind = \"constant\"\neta = 0.7\nmodel = \"m.h5\"", 13, "model =",
         "closure.model is not used by this run (it is read only when closure.kind = \"mlp\")"),
        ("[closure]\nkind = \"constant\"\neta = 0.7\n[dispersion]\nvalue = 1e-10", 14, "value =",
         "dispersion.value is not used by this run (it is read only when dispersion.kind = \"constant\")"),
        ("[closure]\nkind = \"constant\"\neta = 0.7\n[transient]\nend_time = 1", 13, "[transient]",
         "table [transient] is not used by this run (it is read when run.mode = \"transient\")"),
        ("[closure]\nkind = \"constant\"\neta = 0.7\n[dns]\ncopies = 2", 13, "[dns]",
         "table [dns] is not used by this run (it is read when tissue dns tissue or tissue validate runs the scenario)"),
        ("[closure]\nkind = \"constant\"\neta = 0.7\n[heterogeneity]\nkind = \"profile\"\nboundaries = [\"8 um\"]\nx = [0, \"20 um\"]\nkm = [1, 2]",
         15, "boundaries =", "heterogeneity.boundaries is not used by this run (it is read only when heterogeneity.kind = \"zones\")"),
    ] as [(String, Int, String, String)])
    func keysTheRunDoesNotReadAreWarnings(tables: String, line: Int, unread: String, warning: String) throws {
        let text = validScenario.replacingOccurrences(of: "[closure]\nkind = \"constant\"\neta = 0.74", with: tables)
        let s = try ScenarioLoader.load(text: text, path: scratchScenario)
        #expect(s.warnings == ["warning: \(scratchScenario):\(line): \(warning)"], "\(s.warnings)")
        #expect(!s.resolvedTOML.contains("\n" + unread), "\(s.resolvedTOML)")
        // The resolved configuration loads again to the same run, without warnings.
        let again = try ScenarioLoader.load(text: s.resolvedTOML, path: scratchScenario)
        #expect(again.warnings.isEmpty && again.resolvedTOML == s.resolvedTOML && again.closure == s.closure, "\(again.warnings)")
    }

    /// A valid but implausible value (a bare number read as metres) is warned about with its source;
    /// the same length with units is not.
    @Test func implausibleValuesAreWarnings() throws {
        let bare = try ScenarioLoader.load(text: validScenario, path: scratchScenario, overrides: ["tissue.length=20"])
        #expect(bare.tissue.length == 20)
        #expect(bare.warnings == ["warning: --set: tissue.length = 20 is far outside what tissues have (0.1 µm to 10 cm): a plain number is read in SI units (m); give units, e.g. \"20 um\""],
                "\(bare.warnings)")
        let withUnits = try ScenarioLoader.load(text: validScenario, path: scratchScenario, overrides: ["tissue.length=\"20 um\""])
        #expect(withUnits.warnings.isEmpty && abs(withUnits.tissue.length - 2e-5) < 1e-20)
        let fast = try ScenarioLoader.load(text: validScenario, path: scratchScenario, overrides: ["tissue.velocity=\"2 m/s\""])
        #expect(fast.warnings.count == 1 && fast.warnings[0].contains("tissue.velocity = \"2 m/s\" is far outside what tissues have (up to 10 cm/s)")
                && !fast.warnings[0].contains("plain number"), "\(fast.warnings)")
    }

    @Test func transientKeysOfTheOtherSchemeAreWarnings() throws {
        let base = scenario(replacing: "mode = \"steady\"", with: "mode = \"transient\"") + "\n\n[transient]\nend_time = 1\n"
        let cvode = try ScenarioLoader.load(text: base + "scheme = \"cvode\"\ntime_step = 0.1\n", path: scratchScenario)
        #expect(cvode.warnings.count == 1 && cvode.warnings[0].contains("transient.time_step is not used by this run (it is read only when transient.scheme = \"bdf2\" or \"backward-euler\")"), "\(cvode.warnings)")
        let bdf2 = try ScenarioLoader.load(text: base + "scheme = \"bdf2\"\ntime_step = 0.1\nrtol = 1e-4\n", path: scratchScenario)
        #expect(bdf2.warnings.count == 1 && bdf2.warnings[0].contains("transient.rtol is not used by this run (it is read only when transient.scheme = \"cvode\")"), "\(bdf2.warnings)")
        let inlet = try ScenarioLoader.load(text: base + "[inlet]\nkind = \"constant\"\nduration = \"2 ms\"\n", path: scratchScenario)
        #expect(inlet.warnings.count == 1 && inlet.warnings[0].contains("inlet.duration is not used by this run"), "\(inlet.warnings)")
        // A misspelled key stays an error.
        expectProblem(base + "tme_step = 0.1\n", "unknown key `tme_step` in [transient] (did you mean `time_step`?)",
                      line: 16, key: "transient.tme_step")
    }

    @Test func transientTimesAreChecked() {
        let transient = scenario(replacing: "mode = \"steady\"", with: "mode = \"transient\"") + "\n\n[transient]\nend_time = \"1 s\"\n"
        expectProblem(transient + "time_step = \"2 s\"\n",
                      "transient.time_step = \"2 s\" is out of range: expected 0 < time_step <= end_time (1 s)",
                      line: 16, key: "transient.time_step")
        expectProblem(transient + "time_step = \"1 ms\"\noutput_times = [\n  \"0.5 s\",\n  \"0.2 s\",\n]\n",
                      "transient.output_times must be strictly increasing", line: 19, key: "transient.output_times")
        expectProblem(transient + "time_step = \"1 ms\"\noutput_times = [0.5, \"2 s\"]\n",
                      "transient.output_times[1] = \"2 s\" is out of range: expected 0 < output_times[1] <= end_time (1 s)",
                      line: 17, key: "transient.output_times")
        expectProblem(transient + "time_step = \"1 ms\"\ninitial_concentration = \"-1 mol/m^3\"\n",
                      "expected initial_concentration >= 0", line: 17, key: "transient.initial_concentration")
    }

    @Test func steadyRunsIgnoreTheTransientTableButCheckItsKeys() throws {
        let s = try ScenarioLoader.load(text: validScenario + "\n\n[transient]\nend_time = \"1 s\"\n", path: scratchScenario)
        #expect(s.transient == nil)
        expectProblem(validScenario + "\n\n[transient]\ndt = \"1 s\"\n",
                      "unknown key `dt` in [transient] (did you mean `time_step`?)", line: 15, key: "transient.dt")
    }

    @Test func allProblemsAreReportedTogetherInFileOrder() throws {
        let text = """
            [run]
            mode = "stedy"
            [tissue]
            file = "../tissues/brain.toml"
            porosity = 2
            [grid]
            nodes = 10
            [closure]
            kind = "constant"
            eta = 0
            """
        let error = try #require(loadError(text))
        let lines = error.allProblems.map(\.line)
        #expect(lines == [2, 5, 7, 10], "\(error)")
        #expect(error.description.split(separator: "\n").count == 4)
        #expect(error.description.split(separator: "\n").allSatisfy { $0.hasPrefix(scratchScenario + ":") })
        #expect(error.message.contains("did you mean \"steady\"?"))
    }

    @Test func syntaxErrorsInTheScenarioAreThrownWithTheLine() throws {
        let error = try #require(loadError("[run]\nmode = steady\n"))
        #expect(error.line == 2)
        #expect(error.file == scratchScenario)
        #expect(error.message.contains("strings must be quoted"))
    }

    @Test func missingScenarioFileIsAClearError() {
        #expect(throws: ScenarioError(file: "/nonexistent/x.toml",
                                      message: "cannot read the scenario file `/nonexistent/x.toml`: no such file")) {
            try ScenarioLoader.load(path: "/nonexistent/x.toml")
        }
    }
}

@Suite struct DidYouMeanTests {
    @Test func distanceCountsEditsAndTranspositions() {
        #expect(DidYouMean.distance("cells", "cells") == 0)
        #expect(DidYouMean.distance("cels", "cells") == 1)
        #expect(DidYouMean.distance("clels", "cells") == 1)
        #expect(DidYouMean.distance("Ka", "ka") == 0)
        #expect(DidYouMean.distance("kitten", "sitting") == 3)
    }

    @Test func suggestionsUseSynonymsThenSpelling() {
        let tissue = Schema.tissueKeys.map(\.name)
        #expect(DidYouMean.suggestion(for: "radius", among: tissue) == "effective_radius")
        #expect(DidYouMean.suggestion(for: "Dbeta", among: tissue) == "D_beta")
        #expect(DidYouMean.suggestion(for: "ka", among: tissue) == "Ka")
        #expect(DidYouMean.suggestion(for: "lenght", among: tissue) == "length")
        #expect(DidYouMean.suggestion(for: "xyzzy", among: tissue) == nil)
        #expect(DidYouMean.suggestion(for: "dt", among: ["scheme", "end_time", "time_step"]) == "time_step")
    }
}
