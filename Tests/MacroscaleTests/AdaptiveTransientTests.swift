import Foundation
import Testing
import Closure
import Numerics
@testable import Macroscale

/// The error-controlled transient solve (`TimeScheme.cvode`, SUNDIALS CVODES).
@Suite struct AdaptiveTransientTests {
    static func settings(rtol: Double, end: Double = 0.01, outputs: [Double] = [0.001, 0.002, 0.005, 0.01],
                         inlet: InletSchedule? = nil) -> TransientSettings {
        var s = TransientSettings(scheme: .cvode, endTime: end, timeStep: 0, outputTimes: outputs, initialConcentration: 0)
        s.relativeTolerance = rtol
        s.inlet = inlet
        return s
    }

    /// The error against a tight run of the same discretisation falls with rtol, and the default
    /// tolerance keeps it below 1e-4 cL at every output time (the brain strip, constant η, an empty
    /// strip filled from the inlet: a steep front at early times).
    @Test func errorAgainstATightRunFallsWithTheTolerance() throws {
        let op = try FiniteVolumeOperator(problem: brainProblem(), cells: 300, convection: .central)
        let closure = ConstantClosure(eta: 0.74)
        func run(_ rtol: Double) throws -> TransientSolution {
            try TransientSolver(operator: op, settings: Self.settings(rtol: rtol)).solve(closure: closure)
        }
        let reference = try run(1e-11)
        let cL = brainProblem().inletConcentration
        var errors: [Double] = []
        for rtol in [1e-3, 1e-5, 1e-7] {
            let r = try run(rtol)
            #expect(r.times == reference.times)   // output times hit exactly
            errors.append(zip(r.concentration, reference.concentration).map { a, b in
                zip(a, b).map { abs($0 - $1) }.max()!
            }.max()! / cL)
        }
        #expect(errors[0] > errors[1] && errors[1] > errors[2], "errors / cL: \(errors)")
        #expect(errors[2] < 1e-6, "errors / cL: \(errors)")
        let atDefault = try run(TransientSettings.defaultRelativeTolerance)
        let e = zip(atDefault.concentration, reference.concentration).map { a, b in zip(a, b).map { abs($0 - $1) }.max()! }.max()!
        #expect(e / cL < 1e-4, "default rtol: max error \(e / cL) cL")
        let stats = try #require(atDefault.statistics)
        #expect(stats.steps > 0 && stats.rhsEvaluations >= stats.steps && stats.jacobianEvaluations > 0)
    }

    /// A linear problem (constant η, first-order uptake k c with Ka ≫ c) on a long strip against the
    /// closed-form solution on a half-line (Bear 1972; van Genuchten & Alves 1982):
    /// c/cL = ½ e^{(v−u)x/(2D)} erfc((x − ut)/(2√(Dt))) + ½ e^{(v+u)x/(2D)} erfc((x + ut)/(2√(Dt))),
    /// u = v √(1 + 4kD/v²), valid while the front is far from the outlet.
    @Test func linearProblemMatchesTheHalfLineSolution() throws {
        let k = 1.0, v = 1.0, d = 0.01, t = 0.3
        let op = try FiniteVolumeOperator(problem: linearProblem(k: k, v: v, d: d), cells: 2000, convection: .central)
        var s = Self.settings(rtol: 1e-9, end: t, outputs: [t])
        s.absoluteTolerance = 1e-12
        let run = try TransientSolver(operator: op, settings: s).solve(closure: ConstantClosure(eta: 1))
        let u = v * (1 + 4 * k * d / (v * v)).squareRoot()
        func exact(_ x: Double) -> Double {
            let r = 2 * (d * t).squareRoot()
            return 0.5 * exp((v - u) * x / (2 * d)) * erfc((x - u * t) / r) + 0.5 * exp((v + u) * x / (2 * d)) * erfc((x + u * t) / r)
        }
        let c = run.concentration.last!
        let error = zip(op.centres, c).filter { $0.0 < 0.6 }.map { abs($1 - exact($0)) }.max()!
        #expect(error < 2e-5, "max |c − exact| = \(error)")
    }

    /// Over a bolus (Michaelis–Menten uptake) the running totals close the mass balance:
    /// inflow − outflow − uptake − Δstorage ≤ 1e-6 of the inflow at every output time; AUC and the
    /// peak are consistent with the profiles; the bolus end is a restart.
    @Test func massBalanceClosesOverABolus() throws {
        // 600 cells: cell Péclet v h/D* ≈ 0.8, so central convection keeps the falling edge non-negative.
        let op = try FiniteVolumeOperator(problem: brainProblem(), cells: 600, convection: .central)
        let bolus = InletSchedule.bolus(level: 2, start: 0, duration: 0.0037)
        let solver = try TransientSolver(operator: op, settings: Self.settings(rtol: 1e-6, end: 0.02, outputs: [0.005, 0.01, 0.02],
                                                                                inlet: bolus))
        #expect(solver.adaptiveSegments().contains(0.0037))
        let run = try solver.solve(closure: SyntheticStateClosure())
        let e = try #require(run.exposure)
        #expect(e.times == [0, 0.005, 0.01, 0.02])
        for (k, residual) in e.balanceResidual.enumerated() where k > 0 {
            #expect(abs(residual) <= 1e-6 * e.inflow[k], "t = \(e.times[k]): residual \(residual), inflow \(e.inflow[k])")
        }
        #expect(e.uptake.last! > 0 && e.outflow.last! > 0)
        // AUC ≥ the trapezoid of the stored profiles' lower envelope (c ≥ 0) and the peak bounds every profile.
        for i in 0..<op.cells {
            #expect(run.concentration.allSatisfy { $0[i] <= e.peak[i] + 1e-12 })
            #expect(e.auc[i] > 0 && e.auc[i] <= e.peak[i] * 0.02)
        }
        #expect(e.peak[0] > 1 && e.thresholdTime[0] < 0.0037)
        #expect(try #require(run.statistics).restarts >= 1)
    }

    /// Inlet schedules: values, jumps and bad input.
    @Test func inletSchedules() throws {
        #expect(InletSchedule.bolus(level: 2, start: 1, duration: 2).concentration(at: 2.5) == 2)
        #expect(InletSchedule.bolus(level: 2, start: 1, duration: 2).concentration(at: 3) == 0)
        #expect(InletSchedule.bolus(level: 2, start: 1, duration: 2).discontinuities(until: 10) == [1, 3])
        #expect(InletSchedule.periodic(level: 1, period: 2, duration: 0.5).discontinuities(until: 5) == [0.5, 2, 2.5, 4, 4.5])
        #expect(abs(InletSchedule.exponential(level: 2, decayTime: 1).concentration(at: 1) - 2 / M_E) < 1e-15)
        let table = try InletSchedule.table(times: [0, 1, 2], levels: [0, 2, 2])
        #expect(table.concentration(at: 1.5) == 2 && table.concentration(at: 5) == 2)   // monotone: no overshoot
        #expect(throws: MacroscaleError.self) { try InletSchedule.table(times: [0, 1, 1], levels: [0, 1, 2]) }
        #expect(throws: MacroscaleError.self) { try InletSchedule.bolus(level: 1, start: 0, duration: 0).validate() }
        #expect(throws: MacroscaleError.self) { try InletSchedule.constant(level: -1).validate() }
        #expect(throws: MacroscaleError.self) { try InletSchedule.exponential(level: 1, decayTime: -2).validate() }
    }
}
