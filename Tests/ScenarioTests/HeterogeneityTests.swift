import Foundation
import Testing
@testable import Config
@testable import Scenario

/// `[heterogeneity]`: zones or a profile of porosity, km and r_eff along the strip.
@Suite struct HeterogeneityTests {
    @Test func heterogeneousExampleLoadsItsZones() throws {
        let s = try ScenarioLoader.load(path: packageRoot + "/examples/heterogeneous-brain.toml")
        let h = try #require(s.heterogeneity)
        #expect(h.kind == .zones)
        #expect(h.positions == [8e-6, 12e-6])
        #expect(h.porosity == [0.260372, 0.40, 0.260372])
        #expect(h.effectiveRadius == nil)
        #expect(h.value(h.porosity, at: 10e-6, fallback: 0) == 0.40)
        #expect(h.value(h.porosity, at: 12e-6, fallback: 0) == 0.260372)   // a boundary belongs to the next zone
        #expect(h.value(h.effectiveRadius, at: 10e-6, fallback: 0.47e-6) == 0.47e-6)
        // The resolved config carries the table and loads back to the same scenario.
        #expect(s.resolvedTOML.contains("[heterogeneity]"))
        let again = try ScenarioLoader.load(text: s.resolvedTOML, path: s.configPath)
        #expect(again.heterogeneity == s.heterogeneity)
    }

    @Test func profileInterpolatesLinearlyAndHoldsItsEnds() {
        let h = Heterogeneity(kind: .profile, positions: [2, 4], porosity: [0.3, 0.5], km: nil, effectiveRadius: nil)
        #expect(h.value(h.porosity, at: 1, fallback: 0) == 0.3)
        #expect(abs(h.value(h.porosity, at: 3, fallback: 0) - 0.4) < 1e-15)
        #expect(h.value(h.porosity, at: 9, fallback: 0) == 0.5)
    }

    @Test(arguments: [
        ("kind = \"zones\"\nboundaries = [\"8 um\"]\nporosity = [0.3, 0.4, 0.5]", "has 3 values, expected 2"),
        ("kind = \"zones\"\nboundaries = [\"12 um\", \"8 um\"]\nporosity = [0.3, 0.4, 0.5]", "strictly increasing"),
        ("kind = \"zones\"\nboundaries = [\"30 um\"]\nporosity = [0.3, 0.4]", "out of range"),
        ("kind = \"zones\"\nboundaries = [\"8 um\"]\nporosity = [0.3, 1.4]", "out of range"),
        ("kind = \"zones\"\nboundaries = [\"8 um\"]", "changes nothing"),
        ("kind = \"layers\"\nboundaries = [\"8 um\"]", "kind"),
    ])
    func badTablesAreNamed(table: String, fragment: String) {
        let error = loadError(validScenario + "\n[heterogeneity]\n" + table)
        _ = problem(error, containing: fragment)
    }
}
