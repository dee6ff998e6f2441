import Foundation
import Macroscale
import Testing
@testable import Config
@testable import Scenario

/// The package root, found from this file's path.
let packageRoot: String = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }
    return url.path
}()

/// A scenario path inside `examples/` (the file need not exist), so `../tissues/…` resolves.
let scratchScenario = packageRoot + "/examples/test-scenario.toml"

/// A small valid steady scenario; tests change one line at a time.
let validScenario = """
    [run]
    mode = "steady"

    [tissue]
    file = "../tissues/brain.toml"

    [grid]
    cells = 200

    [closure]
    kind = "constant"
    eta = 0.74
    """

/// The error thrown by loading `text`, or nil when it loads.
func loadError(_ text: String, overrides: [String] = [], unset: [String] = [], path: String = scratchScenario) -> ScenarioError? {
    do {
        _ = try ScenarioLoader.load(text: text, path: path, overrides: overrides, unset: unset)
        return nil
    } catch let e as ScenarioError {
        return e
    } catch {
        Issue.record("unexpected error type: \(error)")
        return nil
    }
}

/// The single problem whose message contains `fragment`, failing the test if there is none.
func problem(_ error: ScenarioError?, containing fragment: String,
             sourceLocation: SourceLocation = #_sourceLocation) -> ScenarioError? {
    guard let error else {
        Issue.record("expected an error containing \(fragment.debugDescription)", sourceLocation: sourceLocation)
        return nil
    }
    guard let p = error.allProblems.first(where: { $0.message.contains(fragment) }) else {
        Issue.record("no problem contains \(fragment.debugDescription); got:\n\(error)", sourceLocation: sourceLocation)
        return nil
    }
    return p
}

@Suite struct ExampleScenarioTests {
    @Test func brainExampleHasTheDesignValues() throws {
        let s = try ScenarioLoader.load(path: packageRoot + "/examples/brain.toml")
        #expect(s.mode == .steady)
        #expect(s.seed == 0)
        #expect(s.cells == 1000)
        #expect(s.convection == .central)
        #expect(s.tolerance == 1e-8)
        #expect(s.maxIterations == 50)
        #expect(s.transient == nil)
        #expect(s.closure == .mlp(modelPath: packageRoot + "/models/eta-mlp-tissue.h5"))
        #expect(s.dispersion == .table)
        #expect(s.outputPath == "results/brain.h5")
        let t = s.tissue
        #expect(t.name == "brain")
        #expect(t.length == 2e-5)
        #expect(t.effectiveRadius == 4.7e-7)
        #expect(t.porosity == 0.260372)
        #expect(t.peclet == 8.15732074795076)
        #expect(t.km == 226.34676324128571)
        #expect(t.Ka == 1)
        #expect(t.inletConcentration == 2)
        #expect(t.Dr == 0.1)
        #expect(t.diffusivityBeta == 1e-10)
        #expect(t.dispersionPeclet.count == 11)
        #expect(t.dispersionCoefficient.count == 11)
        #expect(t.dispersionPeclet.first == 0.01)
        #expect(t.dispersionSource.contains("Voronoi tiles (27 cells, porosity 0.260372"))
        // φ² = 0.5 by construction of km; ⟨v⟩^β = Pe Dβ / r ≈ 1.7356 mm/s.
        #expect(abs(t.thieleModulusSquared - 0.5) < 1e-12)
        #expect(abs(t.intrinsicVelocity - 1.7356001591384597e-3) < 1e-15)
    }

    @Test func liverExampleHasTheDesignValues() throws {
        let s = try ScenarioLoader.load(path: packageRoot + "/examples/liver.toml")
        let t = s.tissue
        #expect(t.name == "liver")
        #expect(t.length == 6.8e-4)
        #expect(t.effectiveRadius == 1.167e-5)
        #expect(t.porosity == 0.18724390)
        #expect(t.peclet == 52.2210168759)
        #expect(t.km == 1.5)
        #expect(t.Ka == 1 && t.inletConcentration == 2 && t.Dr == 0.1 && t.diffusivityBeta == 1e-10)
        #expect(t.dispersionPeclet.count == 11)
        #expect(s.outputPath == "results/liver.h5")
    }

    /// Each tissue carries D*(Pe) from its own geometry: the 11 Péclet numbers of the published table,
    /// D* increasing with Pe and above the published (circle-row) table from Pe = 1 on.
    @Test func tissueTablesComeFromTheirOwnGeometry() throws {
        let csv = packageRoot + "/data/reference/effective_dispersion_Pe_u_brain_liver__allrange_correct_T.csv"
        let text = try String(contentsOfFile: csv, encoding: .utf8)
        let rows = text.split(separator: "\n").filter { !$0.hasPrefix("%") && !$0.isEmpty }
            .map { $0.split(separator: ",").map { Double($0)! } }
        for name in ["brain", "liver"] {
            let t = try ScenarioLoader.loadTissue(path: packageRoot + "/tissues/\(name).toml")
            #expect(t.dispersionPeclet == [0.01, 0.1, 1, 2, 4, 8, 16, 32, 64, 128, 512])
            #expect(zip(t.dispersionCoefficient, t.dispersionCoefficient.dropFirst()).allSatisfy { $0 < $1 })
            for (k, pe) in t.dispersionPeclet.enumerated() where pe >= 1 {
                let published = rows.first { abs($0[1] / pe - 1) < 1e-3 }![2]
                #expect(t.dispersionCoefficient[k] > published, "\(name) at Pe \(pe)")
            }
            #expect(t.dispersionSource.contains("seeds 101-108"))
        }
    }

    @Test func transientExampleIsValidAndSensible() throws {
        let s = try ScenarioLoader.load(path: packageRoot + "/examples/brain-transient.toml")
        let t = try #require(s.transient)
        #expect(s.mode == .transient)
        #expect(t.scheme == .cvode)   // error-controlled by default
        #expect(t.relativeTolerance == TransientSettings.defaultRelativeTolerance && t.absoluteTolerance == nil)
        #expect(t.endTime == 0.05)
        #expect(t.outputTimes == [1e-3, 2e-3, 5e-3, 1e-2, 2e-2, 5e-2])
        #expect(t.initialConcentration == 0)
        // End time covers a few advective passages L / ⟨v⟩^β.
        let advective = s.tissue.length / s.tissue.intrinsicVelocity
        #expect(t.endTime > 3 * advective && t.endTime < 10 * advective)
        #expect(s.outputPath == "results/brain-transient.h5")
    }
}

@Suite struct ScenarioDefaultsTests {
    @Test func defaultsApplyWhenKeysAreLeftOut() throws {
        let s = try ScenarioLoader.load(text: """
            [run]
            mode = "steady"
            [tissue]
            file = "../tissues/brain.toml"
            [closure]
            kind = "analytic"
            """, path: packageRoot + "/examples/my-run.toml")
        #expect(s.seed == 0 && s.cells == 1000 && s.convection == .central)
        #expect(s.tolerance == 1e-10 && s.maxIterations == 50)
        #expect(s.closure == .analytic && s.dispersion == .table)
        #expect(s.outputPath == "results/my-run.h5")
    }

    @Test func transientDefaultsGiveTenEvenlySpacedOutputTimes() throws {
        let s = try ScenarioLoader.load(text: validScenario.replacingOccurrences(of: "mode = \"steady\"", with: "mode = \"transient\"") + """

            [transient]
            end_time = "2 s"
            time_step = "5 ms"
            """, path: scratchScenario)
        let t = try #require(s.transient)
        #expect(t.scheme == .bdf2)
        #expect(t.outputTimes.count == 10)
        #expect(t.outputTimes.last == 2)
        #expect(abs(t.outputTimes[0] - 0.2) < 1e-15)
        #expect(t.initialConcentration == 0)
    }

    @Test func mlpModelPathIsResolvedAgainstTheScenarioDirectory() throws {
        let mlp = "kind = \"mlp\"\nmodel = \"../models/eta.h5\""
        let s = try ScenarioLoader.load(text: validScenario.replacingOccurrences(of: "kind = \"constant\"\neta = 0.74", with: mlp),
                                        path: scratchScenario)
        #expect(s.closure == .mlp(modelPath: packageRoot + "/models/eta.h5"))
        let absolute = try ScenarioLoader.load(text: validScenario.replacingOccurrences(
            of: "kind = \"constant\"\neta = 0.74", with: "kind = \"mlp\"\nmodel = \"/opt/m.h5\""), path: scratchScenario)
        #expect(absolute.closure == .mlp(modelPath: "/opt/m.h5"))
    }

    @Test func relativePathsStayRelativeToTheWorkingDirectory() {
        #expect(Paths.resolve("../models/eta.h5", relativeTo: "examples") == "models/eta.h5")
        #expect(Paths.resolve("../tissues/brain.toml", relativeTo: "") == "../tissues/brain.toml")
        #expect(Paths.resolve("./a/../b.h5", relativeTo: "x/y") == "x/y/b.h5")
        #expect(Paths.resolve("/abs/m.h5", relativeTo: "examples") == "/abs/m.h5")
        #expect(Paths.resolve("../../m.h5", relativeTo: "/a") == "/m.h5")
        #expect(Paths.directory(of: "examples/brain.toml") == "examples")
        #expect(Paths.directory(of: "brain.toml") == "")
        #expect(Paths.directory(of: "/brain.toml") == "/")
        #expect(Paths.stem("examples/brain-transient.toml") == "brain-transient")
    }

    @Test func inlineTissueNeedsNoFile() throws {
        let brain = try ScenarioLoader.load(path: packageRoot + "/examples/brain.toml")
        let inline = """
            [run]
            mode = "steady"
            [tissue]
            name = "toy"
            length = 1e-3
            effective_radius = "10 um"
            porosity = 0.5
            peclet = 0
            km = 0
            Ka = 1
            cL = 1
            Dr = 1
            D_beta = 1e-9
            [tissue.dispersion]
            peclet = [0, 1]
            D_star = ["1e-9 m^2/s", 2e-9]
            [closure]
            kind = "constant"
            eta = 1
            """
        let s = try ScenarioLoader.load(text: inline, path: "toy.toml")
        #expect(s.tissue.name == "toy" && s.tissue.effectiveRadius == 1e-5 && s.tissue.dispersionCoefficient == [1e-9, 2e-9])
        #expect(s.tissue.dispersionSource == "")
        #expect(s.tissue != brain.tissue)
        #expect(s.outputPath == "results/toy.h5")
    }
}

@Suite struct ScenarioOverrideTests {
    @Test func overridesReplaceValuesAndReachTheTissue() throws {
        let s = try ScenarioLoader.load(text: validScenario, path: scratchScenario, overrides: [
            "grid.cells=300",
            "tissue.cL=\"1 mol/m^3\"",
            "tissue.porosity=0.3",
            "closure.eta=0.5",
            "closure.eta=0.9",  // applied in order: the last one wins
            "solver.convection=upwind",
            "run.seed=42",
            "output.file=out/run.h5",
        ])
        #expect(s.cells == 300)
        #expect(s.tissue.inletConcentration == 1)
        #expect(s.tissue.porosity == 0.3)
        #expect(s.tissue.km == 226.34676324128571)  // untouched keys still come from the tissue file
        #expect(s.closure == .constant(eta: 0.9))
        #expect(s.convection == .upwind)
        #expect(s.seed == 42)
        #expect(s.outputPath == "out/run.h5")
    }

    @Test func unquotedValuesThatAreNotTOMLAreStrings() throws {
        let s = try ScenarioLoader.load(text: validScenario, path: scratchScenario,
                                        overrides: ["tissue.cL=1 mol/m^3", "tissue.length = 40 um"])
        #expect(s.tissue.inletConcentration == 1)
        #expect(s.tissue.length == 4e-5)
    }

    @Test func unknownOverrideKeySuggestsAndNamesTheSet() throws {
        let error = loadError(validScenario, overrides: ["grid.nodes=200"])
        let p = try #require(problem(error, containing: "unknown key `nodes` in [grid] (did you mean `cells`?)"))
        #expect(p.file == "--set")
        #expect(p.line == nil)
        #expect(p.key == "grid.nodes")
        #expect(error?.description.contains("--set: unknown key `nodes` in [grid] (did you mean `cells`?)") == true)

        let table = try #require(problem(loadError(validScenario, overrides: ["gird.cells=200"]),
                                         containing: "unknown table [gird] (did you mean [grid]?)"))
        #expect(table.file == "--set")
        let tissueKey = try #require(problem(loadError(validScenario, overrides: ["tissue.porosty=0.3"]),
                                             containing: "did you mean `porosity`?"))
        #expect(tissueKey.file == "--set")
        _ = problem(loadError(validScenario, overrides: ["cells=200"]), containing: "did you mean `grid.cells`?")
        _ = problem(loadError(validScenario, overrides: ["grid.cells"]), containing: "expected `section.key=value`")
    }

    @Test func badOverrideValuesNameTheSet() throws {
        let p = try #require(problem(loadError(validScenario, overrides: ["tissue.porosity=1.3"]),
                                     containing: "out of range"))
        #expect(p.file == "--set")
        #expect(p.message == "tissue.porosity = 1.3 is out of range: expected 0 < porosity < 1")
        let cells = try #require(problem(loadError(validScenario, overrides: ["grid.cells=2"]), containing: "out of range"))
        #expect(cells.description == "--set: grid.cells = 2 is out of range: expected cells >= 3")
    }
}

@Suite struct ResolvedConfigTests {
    @Test(arguments: ["brain.toml", "liver.toml", "brain-transient.toml"])
    func resolvedTOMLLoadsBackToTheSameScenario(example: String) throws {
        let path = packageRoot + "/examples/" + example
        let s = try ScenarioLoader.load(path: path, overrides: ["tissue.cL=1.5", "run.seed=7"])
        let again = try ScenarioLoader.load(text: s.resolvedTOML, path: path)
        #expect(again == s, "\(s.resolvedTOML)")
        #expect(again.tissue.inletConcentration == 1.5 && again.seed == 7)
        #expect(!s.resolvedTOML.contains("file = \"../tissues"))  // tissue inlined
        #expect(s.resolvedTOML.contains("[tissue.dispersion]"))
    }

    @Test func resolvedTOMLRoundTripsEveryChoice() throws {
        let text = validScenario
            .replacingOccurrences(of: "kind = \"constant\"\neta = 0.74", with: "kind = \"mlp\"\nmodel = \"../models/./eta.h5\"")
            + "\n[dispersion]\nkind = \"constant\"\nvalue = \"6.87e-11 m^2/s\"\n"
        let s = try ScenarioLoader.load(text: text, path: scratchScenario)
        #expect(s.dispersion == .constant(6.87e-11))
        #expect(s.closure == .mlp(modelPath: packageRoot + "/models/eta.h5"))
        #expect(s.resolvedTOML.contains("model = \"../models/eta.h5\""))
        let again = try ScenarioLoader.load(text: s.resolvedTOML, path: scratchScenario)
        #expect(again == s)
    }

    @Test func resolvedTOMLIsCanonicalAndSI() throws {
        let s = try ScenarioLoader.load(path: packageRoot + "/examples/brain.toml")
        let doc = try TOMLParser.parse(s.resolvedTOML, file: "resolved")
        #expect(doc[path: ["tissue", "length"]]?.kind == .float(2e-5))
        #expect(doc[path: ["tissue", "km"]]?.kind == .float(226.34676324128571))
        #expect(doc[path: ["grid", "cells"]]?.kind == .integer(1000))
        #expect(doc["transient"] == nil)
        #expect(s.resolvedTOML.hasPrefix("# Resolved TissueTransport scenario"))
    }
}
