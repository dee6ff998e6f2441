import Foundation
import HDF5Kit
import Macroscale
import Testing
@testable import Config
@testable import Scenario
@testable import Workflows

/// `tissue run --resume` reads a saved transient state: one that cannot continue this run is
/// refused with the file and the reason (found by the `checkpoint` fuzz target: the solver's own
/// guard named neither), and a valid one continues to the uninterrupted answer.
/// A scenario path inside `examples/` (the file need not exist), so `../tissues/…` resolves.
private let scratchScenario: String = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }
    return url.path + "/examples/test-scenario.toml"
}()

@Suite struct TransientCheckpointTests {
    private func run() throws -> UpscaledRun {
        let scenario = try ScenarioLoader.load(text: """
            [run]
            mode = "transient"
            [tissue]
            file = "../tissues/brain.toml"
            [grid]
            cells = 6
            [transient]
            end_time = "1 ms"
            time_step = "0.25 ms"
            output_times = ["0.5 ms", "1 ms"]
            [closure]
            kind = "constant"
            eta = 0.74
            """, path: scratchScenario)
        return try UpscaledRun(scenario: scenario)
    }

    /// Saves the state after 2 of the 4 steps to `path`.
    private func saveHalfWay(_ r: UpscaledRun, to path: String) throws {
        var steps = 0
        #expect(throws: TransientInterrupted.self) {
            _ = try r.solve(checkpointPath: path, shouldStop: { steps >= 2 }, progress: { _, _ in steps += 1 })
        }
    }

    private func concentration(_ outcome: UpscaledRun.Outcome) -> [[Double]] {
        if case .transient(let s) = outcome { return s.concentration }
        return []
    }

    @Test func validStateResumesToTheUninterruptedAnswer() throws {
        let r = try run()
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("state-\(UUID().uuidString).h5").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try saveHalfWay(r, to: path)
        #expect(try r.readCheckpoint(path).step == 2)
        #expect(concentration(try r.solve(checkpointPath: path, resume: true)) == concentration(try r.solve()))
    }

    @Test(arguments: [
        ("concentration", "holds 5 concentrations, this run has 6 cells"),
        ("step", "step 99 is outside this run's 0...4"),
        ("time", "is not the end of step 2"),
        ("nan", "concentration[3] = nan is not finite"),
        ("counts", "max_clamped_counts holds 2 values"),
        ("calls", "counters out of range"),
        // Finite but unreachable (fuzz target `checkpoint`: int32 noise in place of the saved
        // concentration gave "nonlinear solve did not converge", without the file).
        ("huge", "concentration[2] = 1647393245.0 mol/m^3 lies outside the range this run can reach"),
        ("negative", "concentration[0] = -0.25 mol/m^3 lies outside"),
        // A subnormal BDF2 step length (fuzz target `checkpoint`, Fuzz/Regressions/
        // checkpoint-previous-step-subnormal): dt / previous_step overflowed and the resumed run
        // failed with "relative residual nan", without the file.
        ("previousStep", "previous_step = 5e-324 s is not the length of step 2 (0.00025 s)"),
        ("noPrevious", "step 2 holds no previous concentration"),
    ])
    func unusableStateIsRefusedWithFileAndReason(_ damage: String, _ message: String) throws {
        let r = try run()
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("state-\(UUID().uuidString).h5").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try saveHalfWay(r, to: path)
        var state = try r.readCheckpoint(path)
        switch damage {
        case "concentration": state.concentration.removeLast()
        case "step": state.step = 99
        case "time": state.time = 3.3e-4
        case "nan": state.concentration[3] = .nan
        case "calls": state.closureCalls = .max  // trapped at the next call (fuzz target `checkpoint`)
        case "huge": state.concentration[2] = 1647393245
        case "negative": state.concentration[0] = -0.25
        case "previousStep": state.previousStep = .leastNonzeroMagnitude
        case "noPrevious": state.previous = nil
        default: state.maxClampedCounts = [1, 2]
        }
        try r.writeCheckpoint(state, to: path)
        let error = #expect(throws: HDF5Error.self) { _ = try r.solve(checkpointPath: path, resume: true) }
        #expect(error.map { "\($0)".contains(path) && "\($0)".contains(message) } == true, "\(String(describing: error))")
    }
}
