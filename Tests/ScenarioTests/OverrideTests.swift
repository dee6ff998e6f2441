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

    /// A resolved config has an inline tissue with Pe and km: `--set tissue.velocity` (or φ²) replaces
    /// them, as it replaces a tissue file's, so a sweep over velocity works on any scenario.
    @Test func theOtherOfAPairReplacesAnInlineTissueValue() throws {
        let s = try ScenarioLoader.load(text: validScenario, path: scratchScenario)
        let fast = try ScenarioLoader.load(text: s.resolvedTOML, path: scratchScenario,
                                           overrides: ["tissue.velocity=\"1 mm/s\"", "tissue.thiele_modulus_squared=0.5"])
        #expect(abs(fast.tissue.peclet - s.tissue.effectiveRadius * 1e-3 / s.tissue.diffusivityBeta) < 1e-9)
        #expect(abs(fast.tissue.thieleModulusSquared - 0.5) < 1e-12)
        // Both of a pair on the command line is still refused.
        _ = problem(loadError(s.resolvedTOML, overrides: ["tissue.velocity=1e-3", "tissue.peclet=2"]), containing: "give either")
    }

    /// A table given only on the command line is present: a key it lacks is named as a missing key.
    @Test func aTableGivenBySetNamesItsMissingKey() {
        let text = validScenario.replacingOccurrences(of: "[closure]\nkind = \"constant\"\neta = 0.74", with: "")
        _ = problem(loadError(text, overrides: ["closure.kind=constant"]), containing: "missing required key `eta` in [closure]")
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
