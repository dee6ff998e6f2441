import Foundation
import Testing
@testable import Config
@testable import Scenario

/// Inputs found by `scripts/fuzz.sh` (target `toml`) that crashed or hung the loader; each must
/// now be rejected with an error that names the problem.
@Suite struct ScenarioFuzzRegressionTests {
    /// Unit exponents beyond ±99 overflowed (`-Int.min`, `powerOfTen * p`) or looped for 2^63
    /// iterations in `UnitScale.raised(to:)`; a decimal exponent near Int.max overflowed when the
    /// unit's prefix was added.
    @Test(arguments: [
        ("2000 umol/L^-9223372036854775808", "exponent"),
        ("1 m^9223372036854775807", "exponent"),
        ("1 m-9223372036854775808", "exponent"),
        ("1 um^4611686018427387904", "exponent"),
        ("1 m^100", "exponent"),
        ("1e9223372036854775807 km", "out of range"),
        ("1e-9223372036854775808 um", "out of range"),
    ])
    func hugeExponentsAreRejected(text: String, expected: String) {
        do {
            let (value, _) = try Units.parseQuantity(text)
            Issue.record("\(text) gave \(value)")
        } catch {
            #expect(error.message.contains(expected), "\(text): \(error.message)")
        }
    }

    /// Found by review next to the fuzzer (whose 4 KiB inputs nest at most ~2000 deep): 200 000
    /// nested arrays or inline tables overflowed the stack of the recursive parser (SIGSEGV).
    @Test(arguments: ["[", "{a="])
    func deepNestingIsAnErrorNotAStackOverflow(open: String) throws {
        let close = open == "[" ? "]" : "}"
        let n = 200_000
        let text = "[run]\nmode = " + String(repeating: open, count: n) + (open == "[" ? "" : "1")
            + String(repeating: close, count: n) + "\n"
        let error = try #require(throws: ScenarioError.self) { try TOMLParser.parse(text, file: "deep.toml") }
        #expect(error.file == "deep.toml")
        #expect(error.line == 2)
        #expect(error.message.contains("nested more than 100 deep"), "\(error.message)")
    }

    @Test func nestingUpToTheLimitParses() throws {
        let text = "a = " + String(repeating: "[", count: 100) + String(repeating: "]", count: 100) + "\n"
        #expect(try TOMLParser.parse(text, file: "ok.toml")["a"] != nil)
    }

    /// A valid inline scenario with `extra` appended to its [grid] table and a [transient] table.
    private func scenario(cells: String, endTime: String, timeStep: String) -> String {
        """
        [run]
        mode = "transient"
        [tissue]
        name = "t"
        length = "20 um"
        effective_radius = "0.47 um"
        porosity = 0.26
        peclet = 8
        km = "226 mol/m^3/s"
        Ka = "1 mol/m^3"
        cL = "2 mol/m^3"
        Dr = 0.1
        D_beta = "1e-10 m^2/s"
        [tissue.dispersion]
        peclet = [0.01, 512]
        D_star = ["3.4e-11 m^2/s", "8.4e-9 m^2/s"]
        [grid]
        cells = \(cells)
        [transient]
        end_time = "\(endTime)"
        time_step = "\(timeStep)"
        [closure]
        kind = "analytic"
        """
    }

    /// Found by review while extending the fuzz target to what `tissue run` does next: a config
    /// that passed validation could ask for 2^63 cells (a trap allocating the grid) or
    /// end_time / time_step = 1e20 steps (at t = 2^53 s, t + 1 s == t: step counting never ended).
    @Test(arguments: [("9223372036854775807", "1 ms", "0.1 ms", "cells <= 100000000"),
                      ("100000001", "1 ms", "0.1 ms", "cells <= 100000000"),
                      ("10", "1e20 s", "1 s", "at most 10000000"),
                      ("10", "1 s", "1e-300 s", "at most 10000000")])
    func hugeGridsAndStepCountsAreRejected(cells: String, endTime: String, timeStep: String, expected: String) throws {
        let error = try #require(throws: ScenarioError.self) {
            try ScenarioLoader.load(text: scenario(cells: cells, endTime: endTime, timeStep: timeStep), path: "big.toml")
        }
        #expect(error.allProblems.count == 1)
        #expect(error.line != nil)
        #expect(error.message.contains(expected), "\(error.message)")
    }

    @Test func largestAllowedGridAndStepCountStillLoad() throws {
        let s = try ScenarioLoader.load(text: scenario(cells: "100000000", endTime: "1 s", timeStep: "0.2 us"), path: "ok.toml")
        #expect(s.cells == 100_000_000)
        #expect(s.transient?.timeStep == 2e-7)
    }

    @Test func largestAllowedExponentStillParses() throws {
        let (value, dimension) = try Units.parseQuantity("1 m^99")
        #expect(value == 1)
        #expect(dimension == Dimension(length: 99))
    }

    /// The crashing input (a mutated inline-tissue scenario): now a list of problems, one of them
    /// the exponent of `cL`, with the file and its line.
    @Test func crashingScenarioIsRejectedWithTheLine() throws {
        let text = """
            [run]
            mode = "steady"
            [tissue]
            name = "inline"
            length = "680 um"
            effective_radius = 11.67e-6
            porosity = 0.18724390
            peclet = 52.2210
            km = "0.5 mol m-3 s-1"
            Ka = "1 mol/m³"
            cL = "2000 umol/L^-9223372036854775808"
            Dr = 0.1
            D_beta = "1e-10 m2 s-1"
            [tissue.dispersion]
            peclet = [0.01, 1]
            D_star = ["1 um^2/ms", "1e-9 m^2/s"]
            [closure]
            kind = "analytic"
            """
        let error = try #require(throws: ScenarioError.self) {
            try ScenarioLoader.load(text: text, path: "fuzz.toml")
        }
        let problem = try #require(error.allProblems.first { $0.key == "tissue.cL" })
        #expect(problem.file == "fuzz.toml")
        #expect(problem.line == 11)
        #expect(problem.message.contains("exponent"))
    }
}
