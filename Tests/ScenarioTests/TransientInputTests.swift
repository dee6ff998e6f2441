import Foundation
import Testing
import Macroscale
@testable import Config
@testable import Scenario

/// `[transient]` error control and outputs, and `[inlet]`: cL(t).
@Suite struct TransientInputTests {
    static let transient = validScenario.replacingOccurrences(of: "mode = \"steady\"", with: "mode = \"transient\"")
        + "\n\n[transient]\nend_time = \"10 ms\"\n"

    @Test func bolusExampleLoads() throws {
        let s = try ScenarioLoader.load(path: packageRoot + "/examples/brain-bolus.toml")
        let t = try #require(s.transient)
        #expect(t.scheme == .cvode)
        #expect(t.inlet == .bolus(level: 2, start: 0, duration: 0.005))
        #expect(t.outputTimes.count == 100 && t.outputTimes.last == 0.1)
        #expect(t.exposureThreshold == 1)
        // The resolved config reloads to the same settings.
        let again = try ScenarioLoader.load(text: s.resolvedTOML, path: s.configPath)
        #expect(again.transient == s.transient)
    }

    @Test func washoutExampleNamesItsInitialProfile() throws {
        let s = try ScenarioLoader.load(path: packageRoot + "/examples/liver-washout.toml")
        #expect(s.initialProfilePath?.hasSuffix("results/liver.h5") == true)
        #expect(s.transient?.inlet == .constant(level: 0))
        // The resolved config keeps the path as written, so it reloads to the same file.
        let again = try ScenarioLoader.load(text: s.resolvedTOML, path: s.configPath)
        #expect(again.initialProfilePath == s.initialProfilePath && again.transient == s.transient)
    }

    @Test func schemeDefaultsToErrorControlUnlessATimeStepIsGiven() throws {
        #expect(try ScenarioLoader.load(text: Self.transient, path: scratchScenario).transient?.scheme == .cvode)
        #expect(try ScenarioLoader.load(text: Self.transient + "time_step = \"1 ms\"\n", path: scratchScenario).transient?.scheme == .bdf2)
        let every = try ScenarioLoader.load(text: Self.transient + "output_every = \"3 ms\"\n", path: scratchScenario)
        #expect(every.transient?.outputTimes == [1.0, 2, 3].map { $0 * 0.003 } + [0.01])   // k · output_every, then end_time
    }

    @Test(arguments: [
        ("rtol = 2", "out of range"),
        ("atol = \"-1 mol/m^3\"", "out of range"),
        ("output_every = \"1 ms\"\noutput_times = [\"2 ms\"]", "give either output_times or output_every"),
        ("[inlet]\nkind = \"bolus\"\nduration = \"0 ms\"", "inlet.duration"),
        ("[inlet]\nkind = \"bolus\"\nduration = \"-1 ms\"", "inlet.duration"),
        ("[inlet]\nkind = \"constant\"\nconcentration = \"-2 mol/m^3\"", "inlet.concentration"),
        ("[inlet]\nkind = \"exponential\"", "missing required key `decay_time`"),
        ("[inlet]\nkind = \"periodic\"\nperiod = \"1 ms\"\nduration = \"2 ms\"", "must not exceed inlet.period"),
        ("[inlet]\nkind = \"drip\"", "inlet.kind"),
    ])
    func badTransientInputIsNamed(text: String, fragment: String) {
        _ = problem(loadError(Self.transient + text), containing: fragment)
    }

    @Test func inletTableIsReadAndCheckedWithItsLine() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("inlet-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let config = Self.transient.replacingOccurrences(of: "../tissues/brain.toml", with: packageRoot + "/tissues/brain.toml")
            + "[inlet]\nkind = \"table\"\nfile = \"dose.csv\"\n"
        let path = dir.appendingPathComponent("s.toml").path
        try "t_s,c\n0,0\n0.002,2\n0.01,0\n".write(toFile: dir.appendingPathComponent("dose.csv").path, atomically: true, encoding: .utf8)
        let s = try ScenarioLoader.load(text: config, path: path)
        #expect(s.transient?.inlet?.concentration(at: 0.002) == 2)
        try "t_s,c\n0,0\n0.002,2\n0.002,1\n".write(toFile: dir.appendingPathComponent("dose.csv").path, atomically: true, encoding: .utf8)
        let repeated = problem(loadError(config, path: path), containing: "times must increase strictly")
        #expect(repeated?.line == 4 && repeated?.file.hasSuffix("dose.csv") == true)
        try "0,0\n0.002,-2\n".write(toFile: dir.appendingPathComponent("dose.csv").path, atomically: true, encoding: .utf8)
        _ = problem(loadError(config, path: path), containing: "must be ≥ 0")
    }
}
