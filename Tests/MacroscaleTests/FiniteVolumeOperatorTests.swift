import Foundation
import Testing
import Closure
import Numerics
@testable import Macroscale

/// `FiniteVolumeOperator`: observed order, conservation, scheme choice.
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

@Suite struct SchemeChoiceTests {
    @Test func quickIsRejectedByTheTridiagonalSolver() {
        #expect(throws: MacroscaleError.self) {
            try FiniteVolumeOperator(problem: brainProblem(), cells: 100, convection: .quick)
        }
    }
}
