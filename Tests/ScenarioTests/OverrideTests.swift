import Foundation
import Testing
@testable import Config
@testable import Scenario

/// `--set` switching a table's kind drops the other kinds' keys with a note; `--unset` removes any key.
@Suite struct OverrideTests {
    @Test func switchingTheClosureKindDropsTheModel() throws {
        let s = try ScenarioLoader.load(path: packageRoot + "/examples/brain.toml", overrides: ["closure.kind=analytic"])
        #expect(s.closure == .analytic)
        #expect(s.notes.count == 1 && s.notes[0].contains("dropped closure.model") && s.notes[0].contains("\"mlp\""), "\(s.notes)")
        let c = try ScenarioLoader.load(path: packageRoot + "/examples/brain.toml", overrides: ["closure.kind=constant", "closure.eta=0.7"])
        #expect(c.closure == .constant(eta: 0.7))
        // Without a kind switch nothing is dropped: a stray key is a warning, with its source.
        let stray = try ScenarioLoader.load(text: validScenario, path: scratchScenario, overrides: ["closure.model=m.h5"])
        #expect(stray.notes.isEmpty && stray.warnings == ["warning: --set: closure.model is not used by this run (it is read only when closure.kind = \"mlp\")"],
                "\(stray.warnings)")
    }

    @Test func switchingTheDispersionKindDropsTheValue() throws {
        let s = try ScenarioLoader.load(text: validScenario + "\n[dispersion]\nkind = \"constant\"\nvalue = 1e-10\n",
                                        path: scratchScenario, overrides: ["dispersion.kind=table"])
        #expect(s.dispersion == .table && s.notes.first?.contains("dropped dispersion.value") == true)
    }

    @Test func unsetRemovesAnyKey() throws {
        let v = try ValidateScenarioLoader.load(path: packageRoot + "/examples/validate-brain.toml", unset: ["compare.reference"])
        #expect(v.validation.referencePath == nil)
        // Unsetting a required key is reported like a key missing from the file.
        _ = problem(loadError(validScenario, unset: ["closure.eta"]), containing: "missing required key `eta` in [closure]")
    }

    @Test func unsetOfAnUnknownKeyIsNamed() {
        do {
            _ = try ScenarioLoader.load(path: packageRoot + "/examples/brain.toml", unset: ["closure.modle"])
            Issue.record("an unknown --unset key was accepted")
        } catch let e as ScenarioError {
            #expect("\(e)".contains("unknown key `modle` in [closure] (did you mean `model`?)"), "\(e)")
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }
}
