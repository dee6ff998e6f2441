import Foundation
import Testing
import Closure
import Numerics
@testable import Macroscale

/// `SteadySolver`: Newton with η sensitivities, Anderson-accelerated Picard.
@Suite struct NewtonTests {
    /// The assembled Jacobian (with η's sensitivities) matches finite differences of the full residual.
    @Test func jacobianMatchesFiniteDifferences() throws {
        let op = try FiniteVolumeOperator(problem: brainProblem(), cells: 12, convection: .central)
        let closure = SyntheticStateClosure()
        var rng = SplitMix64(seed: 3)
        let c = (0..<12).map { _ in 0.2 + 1.5 * rng.nextUniform() }
        func fullResidual(_ c: [Double]) throws -> [Double] {
            var jac = TridiagonalSystem(count: 12)
            return op.assemble(c, eta: try closure.effectivenessFactor(op.features(c)), jacobian: &jac)
        }
        let ev = try closure.evaluate(op.features(c), sensitivities: [.concentration, .concentrationGradient])
        var jac = TridiagonalSystem(count: 12)
        _ = op.assemble(c, eta: ev.eta, sensitivity: .init(concentration: ev.sensitivities[0], gradient: ev.sensitivities[1]),
                        jacobian: &jac)
        for j in 0..<12 {
            var cp = c, cm = c
            let eps = 1e-6
            cp[j] += eps; cm[j] -= eps
            let rp = try fullResidual(cp), rm = try fullResidual(cm)
            for i in 0..<12 {
                let fd = (rp[i] - rm[i]) / (2 * eps)
                let an: Double = i == j ? jac.diagonal[i] : (j == i - 1 ? jac.lower[i] : (j == i + 1 ? jac.upper[i] : 0))
                #expect(abs(fd - an) <= 1e-6 * max(1, abs(an)), "J[\(i),\(j)] analytic \(an) vs FD \(fd)")
            }
        }
    }

    @Test func stateDependentClosureConvergesQuadratically() throws {
        let op = try FiniteVolumeOperator(problem: brainProblem(), cells: 1000, convection: .central)
        // picardContraction 0 forces Newton after the first Picard step.
        let newton = try SteadySolver(operator: op, settings: SteadySettings(tolerance: 1e-11, picardContraction: 0))
            .solve(closure: SyntheticStateClosure())
        #expect(newton.criterion == .residual)
        #expect(newton.iterationKinds.first == "picard" && newton.iterationKinds.last == "newton")
        #expect(newton.iterations <= 6, "history \(newton.residualHistory)")
        // Quadratic: the observed order p = log(r_{k+1}/r_k) / log(r_k/r_{k−1}) over consecutive Newton
        // residuals reaches ≥ 1.8 (residuals above 1e-14, clear of round-off).
        let h = newton.residualHistory
        let orders: [Double] = (2..<h.count).compactMap { k in
            guard newton.iterationKinds[k - 1] == "newton", h[k] > 1e-14 else { return nil }
            return log(h[k] / h[k - 1]) / log(h[k - 1] / h[k - 2])
        }
        #expect((orders.max() ?? 0) >= 1.8, "history \(h), orders \(orders)")
        // The default (Picard while it contracts fast) reaches the same profile.
        let picard = try SteadySolver(operator: op, settings: SteadySettings(tolerance: 1e-11)).solve(closure: SyntheticStateClosure())
        #expect(picard.criterion == .residual)
        let diff = zip(newton.concentration, picard.concentration).map { abs($0 - $1) }.max()!
        #expect(diff < 1e-9)
        // η really varies along the strip.
        #expect(newton.eta.max()! - newton.eta.min()! > 0.1)
    }
}

@Suite struct AndersonTests {
    /// Anderson-accelerated Picard reaches the same profile with fewer closure calls.
    @Test func accelerationSavesClosureCalls() throws {
        let op = try FiniteVolumeOperator(problem: brainProblem(), cells: 400, convection: .central)
        let plain = try SteadySolver(operator: op, settings: SteadySettings(tolerance: 1e-11, picardContraction: 1, andersonDepth: 0))
            .solve(closure: SyntheticStateClosure())
        let mixed = try SteadySolver(operator: op, settings: SteadySettings(tolerance: 1e-11, picardContraction: 1, andersonDepth: 2))
            .solve(closure: SyntheticStateClosure())
        #expect(plain.criterion == .residual && mixed.criterion == .residual)
        #expect(mixed.closureCalls < plain.closureCalls, "Anderson \(mixed.closureCalls) vs plain \(plain.closureCalls) calls")
        let diff = zip(plain.concentration, mixed.concentration).map { abs($0 - $1) }.max()!
        #expect(diff < 1e-9)
    }
}
