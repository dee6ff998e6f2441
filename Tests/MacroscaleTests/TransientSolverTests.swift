import Foundation
import Testing
import Closure
import Numerics
@testable import Macroscale

/// `TransientSolver`: steady limit and temporal order of every scheme.
@Suite struct TransientTests {
    @Test(arguments: TimeScheme.allCases)
    func transientReachesSteadyState(scheme: TimeScheme) throws {
        let op = try FiniteVolumeOperator(problem: brainProblem(), cells: 200, convection: .central)
        let closure = SyntheticStateClosure()
        let steady = try SteadySolver(operator: op, settings: SteadySettings(tolerance: 1e-12)).solve(closure: closure)
        let settings = TransientSettings(scheme: scheme, endTime: 1.0, timeStep: 0.01, outputTimes: [0.1, 0.5, 1.0],
                                         initialConcentration: 0)
        let run = try TransientSolver(operator: op, settings: settings).solve(closure: closure)
        #expect(run.times == [0, 0.1, 0.5, 1.0])
        #expect(run.concentration.count == 4)
        let diff = zip(run.concentration.last!, steady.concentration).map { abs($0 - $1) }.max()!
        #expect(diff < 1e-8 * 2, "max |c(T) − c_steady| = \(diff)")
        #expect(run.closureCalls >= run.steps)
    }

    /// BDF2 is second order in time, backward Euler first order (measured against a fine BDF2 run;
    /// initial state c = cL, compatible with the inlet value, so the solution is smooth in time).
    @Test func temporalOrder() throws {
        let op = try FiniteVolumeOperator(problem: brainProblem(), cells: 100, convection: .central)
        let closure = ConstantClosure(eta: 0.74)
        func profile(_ scheme: TimeScheme, _ dt: Double) throws -> [Double] {
            let s = TransientSettings(scheme: scheme, endTime: 0.004, timeStep: dt, outputTimes: [0.004], initialConcentration: 2)
            return try TransientSolver(operator: op, settings: s).solve(closure: closure).concentration.last!
        }
        let reference = try profile(.bdf2, 0.004 / 1024)
        for (scheme, order) in [(TimeScheme.backwardEuler, 1.0), (.bdf2, 2.0)] {
            let e1 = zip(try profile(scheme, 0.004 / 32), reference).map { abs($0 - $1) }.max()!
            let e2 = zip(try profile(scheme, 0.004 / 64), reference).map { abs($0 - $1) }.max()!
            #expect(abs(log2(e1 / e2) - order) < 0.25, "\(scheme): errors \(e1), \(e2)")
        }
    }
}
