import Foundation
import Testing
@testable import Config
@testable import Scenario

/// Tissue files in physical terms: `velocity` or `peclet`, `km` or `thiele_modulus_squared`; the
/// `[dispersion]` table only when dispersion.kind = "table".
@Suite struct TissueTermsTests {
    @Test func templateLoadsWithItsDerivedValues() throws {
        let t = try ScenarioLoader.loadTissue(path: packageRoot + "/tissues/template.toml")
        #expect(abs(t.peclet - 0.5e-6 * 1.5e-3 / 1e-10) < 1e-12)     // Pe = r v / Dβ = 7.5
        #expect(t.km == 200)
        #expect(t.dispersionPeclet.isEmpty)
    }

    @Test func velocityAndThieleModulusAreConvertedAndResolved() throws {
        let text = """
            [run]
            mode = "steady"
            [tissue]
            file = "../tissues/template.toml"
            thiele_modulus_squared = 0.5
            [closure]
            kind = "constant"
            eta = 0.7
            [dispersion]
            kind = "constant"
            value = "7e-11 m^2/s"
            """
        let s = try ScenarioLoader.load(text: text, path: scratchScenario)
        // The scenario's φ² replaces the file's km: km = φ² Ka Dβ / r² = 0.5 · 1 · 1e-10 / 0.25e-12 = 200.
        #expect(abs(s.tissue.km - 200) < 1e-9)
        #expect(s.resolvedTOML.contains("peclet = ") && s.resolvedTOML.contains("km = ") && !s.resolvedTOML.contains("[tissue.dispersion]"))
        let again = try ScenarioLoader.load(text: s.resolvedTOML, path: scratchScenario)
        #expect(again.tissue == s.tissue)
        // A velocity override on the brain tissue replaces its Pe.
        let b = try ScenarioLoader.load(path: packageRoot + "/examples/brain.toml", overrides: ["tissue.velocity=1 mm/s"])
        #expect(abs(b.tissue.peclet - 0.47e-6 * 1e-3 / 1e-10) < 1e-12)
    }

    @Test func pairsAndTablesAreChecked() {
        let inline = validScenario.replacingOccurrences(of: "file = \"../tissues/brain.toml\"", with: """
            name = "x"
            length = "20 um"
            effective_radius = "0.5 um"
            porosity = 0.3
            peclet = 5
            velocity = "1 mm/s"
            km = 1
            Ka = 1
            cL = 1
            Dr = 0.1
            D_beta = 1e-10
            """)
        _ = problem(loadError(inline), containing: "give either tissue.peclet or tissue.velocity, not both")
        let noFlow = inline.replacingOccurrences(of: "peclet = 5\n", with: "").replacingOccurrences(of: "velocity = \"1 mm/s\"\n", with: "")
        _ = problem(loadError(noFlow), containing: "missing required key `peclet` in [tissue] (or `velocity`)")
        // The default dispersion.kind = "table" needs the table.
        let tableless = inline.replacingOccurrences(of: "velocity = \"1 mm/s\"\n", with: "")
        _ = problem(loadError(tableless), containing: "[tissue.dispersion]")
    }
}
