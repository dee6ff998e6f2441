import Foundation
import Testing
import Closure
import Numerics
@testable import Macroscale

/// Brain values of DESIGN §2 with a D* from the reference spline.
func brainProblem(cL: Double = 2) -> UpscaledProblem {
    let r = 0.47e-6, db = 1e-10, pe = 8.15732074795076, km = 226.34676324128571
    return UpscaledProblem(length: 20e-6, porosity: 0.260372, velocity: pe * db / r, dispersion: 6.86972e-11,
                           km: km, Ka: 1, inletConcentration: cL, cellRadius: r,
                           thieleModulusSquared: km * r * r / db, peclet: pe, diffusivityRatio: 0.1)
}

/// A linear problem v c' = D c'' − k c on [0, 1], c(0) = 1, c'(1) = 0: with Ka ≫ c the
/// uptake (εσ/εβ) km c/(Ka + c) equals k c to a relative 1e-12.
func linearProblem(k: Double, v: Double, d: Double) -> UpscaledProblem {
    let ka = 1e12, porosity = 0.5
    return UpscaledProblem(length: 1, porosity: porosity, velocity: v, dispersion: d,
                           km: k * ka * porosity / (1 - porosity), Ka: ka, inletConcentration: 1, cellRadius: 1e-3,
                           thieleModulusSquared: 1, peclet: 1, diffusivityRatio: 1)
}

/// Closed form of the linear problem: c = A e^{λ₊(x−L)} + B e^{λ₋x}.
func linearExact(_ x: Double, k: Double, v: Double, d: Double, L: Double = 1) -> Double {
    let s = (v * v + 4 * d * k).squareRoot()
    let lp = (v + s) / (2 * d), lm = (v - s) / (2 * d)
    // A e^{−λ₊L} + B = 1;  A λ₊ + B λ₋ e^{λ₋L} = 0
    let e1 = exp(-lp * L), e2 = lm * exp(lm * L)
    let b = 1 / (1 - e1 * e2 / lp)
    let a = -b * e2 / lp
    return a * exp(lp * (x - L)) + b * exp(lm * x)
}

@Suite struct OrderOfAccuracyTests {
    @Test(arguments: [(ConvectionScheme.central, 2.0), (.upwind, 1.0)])
    func observedOrder(scheme: ConvectionScheme, expected: Double) throws {
        let k = 2.0, v = 1.0, d = 0.05
        var errors: [Double] = []
        for cells in [20, 40, 80, 160] {
            let op = try FiniteVolumeOperator(problem: linearProblem(k: k, v: v, d: d), cells: cells, convection: scheme)
            let sol = try SteadySolver(operator: op).solve(closure: ConstantClosure(eta: 1))
            #expect(sol.criterion == .residual)
            let err = zip(sol.x, sol.concentration).map { abs($1 - linearExact($0, k: k, v: v, d: d)) }.max()!
            errors.append(err)
        }
        let orders = (1..<errors.count).map { log2(errors[$0 - 1] / errors[$0]) }
        // Observed order on the finest pair within ±0.15 of the scheme's order.
        #expect(abs(orders.last! - expected) < 0.15, "errors \(errors), orders \(orders)")
        #expect(errors.last! < (scheme == .central ? 1e-4 : 1e-2))
    }
}

@Suite struct ConservationTests {
    @Test(arguments: [ConvectionScheme.central, .upwind])
    func inflowMinusOutflowEqualsUptake(scheme: ConvectionScheme) throws {
        let op = try FiniteVolumeOperator(problem: brainProblem(), cells: 400, convection: scheme)
        let settings = SteadySettings(tolerance: 1e-12)
        let sol = try SteadySolver(operator: op, settings: settings).solve(closure: ConstantClosure(eta: 0.74))
        let imbalance = sol.inflow - sol.outflow - sol.uptake
        // The residuals telescope: the imbalance is bounded by N × tolerance × scale.
        #expect(abs(imbalance) <= Double(op.cells) * 1e-12 * op.residualScale)
        #expect(sol.uptake > 0.1 * sol.inflow)   // the brain strip takes up a real share of the inflow
        #expect(sol.concentration.allSatisfy { $0 >= 0 && $0 <= 2 })
    }
}

/// η depending smoothly on ⟨c⟩ and its gradient, with exact sensitivities.
struct SyntheticStateClosure: EffectivenessClosure {
    var summary: String { "synthetic η(c, g)" }
    var dependsOnState: Bool { true }
    func evaluate(_ batch: FeatureBatch, sensitivities: [EffectivenessFeature]) throws -> ClosureEvaluation {
        var eta: [Double] = [], dc: [Double] = [], dg: [Double] = []
        for i in 0..<batch.rows {
            let c = batch[i, .concentration], g = batch[i, .concentrationGradient]
            eta.append(0.6 + 0.3 * c / (1 + c) + 0.05 * tanh(g))
            dc.append(0.3 / ((1 + c) * (1 + c)))
            dg.append(0.05 * (1 - tanh(g) * tanh(g)))
        }
        return ClosureEvaluation(eta: eta, sensitivities: sensitivities.map { $0 == .concentration ? dc : dg })
    }
}

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
        // Superlinear: the reduction factor itself shrinks by more than 20× between Newton steps
        // (linear Picard-like convergence keeps it roughly constant).
        let h = newton.residualHistory
        let factors: [Double] = (1..<h.count).map { h[$0] / h[$0 - 1] }
        let superlinear = (1..<factors.count).contains { factors[$0] < 0.05 * factors[$0 - 1] }
        #expect(superlinear, "history \(h)")
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

@Suite struct SchemeChoiceTests {
    @Test func quickIsRejectedByTheTridiagonalSolver() {
        #expect(throws: MacroscaleError.self) {
            try FiniteVolumeOperator(problem: brainProblem(), cells: 100, convection: .quick)
        }
    }
}

@Suite struct DispersionTests {
    /// Monotone cubic through the reference D*(Pe) table reproduces the reference spline's
    /// brain and liver values (6.86972e-11, 3.67892e-10 m²/s; reference README) within 1 %.
    @Test func tableInterpolation() throws {
        let pe = [0.009998787951968346, 0.09998787947504965, 0.9998787902870028, 1.9997575706546924, 3.9995151016293775,
                  7.999030044516412, 15.998059453885775, 31.996116365760678, 63.992222552098795, 127.98440429547064,
                  511.93662757678453]
        let d = [3.4009288936739576E-11, 3.40704914145667E-11, 3.8799709124853754E-11, 4.585974065394208E-11,
                 5.520266787820075E-11, 6.818659869728571E-11, 9.940899959629335E-11, 1.954691517544738E-10,
                 4.870583905379863E-10, 1.286718225072356E-9, 8.359120308619822E-9]
        let table = try EffectiveDispersion.table(peclet: pe, coefficient: d)
        #expect(abs(table.coefficient(atPeclet: 8.15732074795076) / 6.86972e-11 - 1) < 0.01)
        #expect(abs(table.coefficient(atPeclet: 52.2210168759) / 3.67892e-10 - 1) < 0.01)
    }
}
