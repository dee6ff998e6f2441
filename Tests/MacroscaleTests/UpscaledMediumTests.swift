import Foundation
import Testing
import Closure
import Numerics
@testable import Macroscale

/// Heterogeneous strips (`UpscaledMedium`, `FiniteVolumeOperator` on per-cell properties): the
/// conservative form ∂x(u c − εβ D* ∂x c) = −εσ km η c/(Ka + c), u = εβ⟨v⟩^β conserved.
@Suite struct UpscaledMediumTests {
    /// A base problem on [0, 1] with ⟨v⟩^β = v at the inlet, constant D* = d, first-order uptake
    /// (Ka = 1e12 ≫ c, so km c/(Ka + c) = (km/Ka) c to 1e-12).
    static func base(porosity: Double, v: Double, d: Double) -> UpscaledProblem {
        UpscaledProblem(length: 1, porosity: porosity, velocity: v, dispersion: d, km: 1e12, Ka: 1e12,
                        inletConcentration: 1, cellRadius: 1e-3, thieleModulusSquared: 1, peclet: 1, diffusivityRatio: 1)
    }

    /// Two zones [0, X) and [X, 1] with porosity ε_j and first-order rate k_j = km_j/Ka: the exact
    /// solution of two homogeneous strips coupled at X by continuity of c and of the flux
    /// u c − ε D c' (so of ε D c', c being continuous). In zone j, ε_j D c'' − u c' − (1−ε_j) k_j c = 0,
    /// c = A e^{λ₊(x−x₊)} + B e^{λ₋(x−x₋)}, the exponentials scaled to be ≤ 1 in their zone.
    struct TwoZoneExact {
        let u: Double, d: Double, x: Double, eps: [Double], rates: [Double]
        var lambdas: [(plus: Double, minus: Double)] = []
        var coefficients: [Double] = []   // A1, B1, A2, B2

        init(u: Double, d: Double, interface: Double, porosity: [Double], rates: [Double]) throws {
            self.u = u; self.d = d; self.x = interface; self.eps = porosity; self.rates = rates
            lambdas = (0..<2).map { j in
                let a = porosity[j] * d, kappa = (1 - porosity[j]) * rates[j]
                let s = (u * u + 4 * a * kappa).squareRoot()
                return ((u + s) / (2 * a), (u - s) / (2 * a))
            }
            let (p1, m1) = lambdas[0], (p2, m2) = lambdas[1]
            let X = interface
            // Zone 1: A1 e^{p1(x−X)} + B1 e^{m1 x}; zone 2: A2 e^{p2(x−1)} + B2 e^{m2(x−X)}.
            var a: [[Double]] = [
                [exp(-p1 * X), 1, 0, 0],                                        // c1(0) = 1
                [0, 0, p2, m2 * exp(m2 * (1 - X))],                             // c2'(1) = 0
                [1, exp(m1 * X), -exp(p2 * (X - 1)), -1],                        // c1(X) = c2(X)
                [porosity[0] * p1, porosity[0] * m1 * exp(m1 * X),
                 -porosity[1] * p2 * exp(p2 * (X - 1)), -porosity[1] * m2],       // ε1 c1'(X) = ε2 c2'(X)
            ]
            var b: [Double] = [1, 0, 0, 0]
            // Gaussian elimination with partial pivoting.
            for col in 0..<4 {
                let pivot = (col..<4).max { abs(a[$0][col]) < abs(a[$1][col]) }!
                a.swapAt(col, pivot); b.swapAt(col, pivot)
                for row in (col + 1)..<4 {
                    let f = a[row][col] / a[col][col]
                    for k in col..<4 { a[row][k] -= f * a[col][k] }
                    b[row] -= f * b[col]
                }
            }
            var sol = [Double](repeating: 0, count: 4)
            for row in stride(from: 3, through: 0, by: -1) {
                sol[row] = (b[row] - ((row + 1)..<4).reduce(0) { $0 + a[row][$1] * sol[$1] }) / a[row][row]
            }
            coefficients = sol
        }

        func callAsFunction(_ xp: Double) -> Double {
            let (p1, m1) = lambdas[0], (p2, m2) = lambdas[1], c = coefficients
            return xp < x ? c[0] * exp(p1 * (xp - x)) + c[1] * exp(m1 * xp)
                          : c[2] * exp(p2 * (xp - 1)) + c[3] * exp(m2 * (xp - x))
        }
    }

    /// A two-zone strip equals two homogeneous strips coupled at the interface: the FV profile
    /// converges to the coupled exact solution at second order (central) with the interface on a face.
    @Test func twoZoneStripMatchesTheCoupledExactSolution() throws {
        let v = 1.0, d = 0.05, porosity = [0.3, 0.5], rates = [2.0, 0.5], interface = 0.4
        let exact = try TwoZoneExact(u: porosity[0] * v, d: d, interface: interface, porosity: porosity, rates: rates)
        let base = Self.base(porosity: porosity[0], v: v, d: d)
        var errors: [Double] = []
        for cells in [50, 100, 200, 400] {
            let medium = try UpscaledMedium(base: base, cells: cells, diffusivityBeta: 1e-9, dispersion: .constant(d)) { x in
                let j = x < interface ? 0 : 1
                return .init(porosity: porosity[j], km: rates[j] * 1e12, cellRadius: 1e-3)
            }
            #expect(!medium.isHomogeneous)
            // Flux conservation: εβ⟨v⟩^β is the inlet's everywhere.
            #expect(medium.velocity.last! == porosity[0] * v / porosity[1])
            let op = try FiniteVolumeOperator(problem: base, medium: medium, convection: .central)
            let sol = try SteadySolver(operator: op, settings: SteadySettings(tolerance: 1e-13)).solve(closure: ConstantClosure(eta: 1))
            #expect(sol.criterion == .residual)
            // Global balance closes (telescoping fluxes) in the heterogeneous strip too.
            #expect(abs(sol.inflow - sol.outflow - sol.uptake) <= 1e-10 * sol.inflow)
            errors.append(zip(sol.x, sol.concentration).map { abs($1 - exact($0)) }.max()!)
        }
        let orders = (1..<errors.count).map { log2(errors[$0 - 1] / errors[$0]) }
        #expect(abs(orders.last! - 2) < 0.15, "errors \(errors), orders \(orders)")
        #expect(errors.last! < 1e-4, "errors \(errors)")   // as the homogeneous order test
    }

    /// Method of manufactured solutions with smoothly varying coefficients (εβ(x), km(x), hence
    /// ⟨v⟩^β(x) and εβ D*), Michaelis–Menten uptake (Ka = 1): c(x) = cL (1 − ½ sin(πx/2)) has
    /// c(0) = cL and c'(1) = 0; its source S = u c' − (ε D c')' + (1 − ε) km c/(Ka + c) is added per
    /// cell. The observed order is 2.0 ± 0.15.
    @Test func manufacturedSolutionWithVariableCoefficientsConvergesAtSecondOrder() throws {
        let v0 = 0.8, d = 0.04, cL = 1.0, ka = 1.0
        func eps(_ x: Double) -> Double { 0.3 + 0.25 * x * x }
        func epsPrime(_ x: Double) -> Double { 0.5 * x }
        func km(_ x: Double) -> Double { 1.5 + sin(3 * x) }
        func c(_ x: Double) -> Double { cL * (1 - 0.5 * sin(Double.pi * x / 2)) }
        func cp(_ x: Double) -> Double { -cL * 0.5 * (Double.pi / 2) * cos(Double.pi * x / 2) }
        func cpp(_ x: Double) -> Double { cL * 0.5 * pow(Double.pi / 2, 2) * sin(Double.pi * x / 2) }
        // Per total volume; the operator's balance is per β volume of the inlet cell (÷ εβ,0).
        // u = εβ⟨v⟩^β of the first cell (the medium's inlet value), the same on every grid up to O(h²).
        func source(_ x: Double, u: Double) -> Double {
            u * cp(x) - d * (epsPrime(x) * cp(x) + eps(x) * cpp(x)) + (1 - eps(x)) * km(x) * c(x) / (ka + c(x))
        }
        let base = UpscaledProblem(length: 1, porosity: eps(0), velocity: v0, dispersion: d, km: km(0), Ka: ka,
                                   inletConcentration: cL, cellRadius: 1e-3, thieleModulusSquared: 1, peclet: 1,
                                   diffusivityRatio: 1)
        var errors: [Double] = []
        for cells in [40, 80, 160, 320] {
            let medium = try UpscaledMedium(base: base, cells: cells, diffusivityBeta: 1e-9, dispersion: .constant(d)) { x in
                .init(porosity: eps(x), km: km(x), cellRadius: 1e-3)
            }
            let op = try FiniteVolumeOperator(problem: base, medium: medium, convection: .central)
            let x = op.centres
            let u = medium.porosity[0] * v0
            // The source enters through the time term with coefficient 0: r_i += h s_i (0 − S_i/εβ,i),
            // s_i = εβ,i/εβ,0, i.e. r_i −= h S_i/εβ,0.
            let sourceTerm = TimeTerm(coefficient: 0, history: x.map { source($0, u: u) / eps($0) })
            var jacobian = op.makeJacobian()
            var scratch = [Double](repeating: 0, count: cells)
            let solved = try solveWithFrozenEta(op, start: [Double](repeating: cL, count: cells),
                                                eta: [Double](repeating: 1, count: cells), time: sourceTerm,
                                                tolerance: 1e-13, maxIterations: 50, jacobian: &jacobian, scratch: &scratch)
            errors.append(zip(x, solved.c).map { abs($1 - c($0)) }.max()!)
        }
        let orders = (1..<errors.count).map { log2(errors[$0 - 1] / errors[$0]) }
        #expect(abs(orders.last! - 2) < 0.15, "errors \(errors), orders \(orders)")
        #expect(orders.allSatisfy { abs($0 - 2) < 0.3 }, "orders \(orders)")
    }

    /// A "heterogeneous" medium with the same values everywhere is the homogeneous strip, bit for bit.
    @Test func uniformZonesGiveTheHomogeneousAnswer() throws {
        let p = brainProblem()
        let medium = try UpscaledMedium(base: p, cells: 200, diffusivityBeta: 1e-10, dispersion: .constant(p.dispersion)) { _ in
            .init(porosity: p.porosity, km: p.km, cellRadius: p.cellRadius)
        }
        #expect(medium.isHomogeneous)
        let a = try SteadySolver(operator: FiniteVolumeOperator(problem: p, medium: medium, convection: .central))
            .solve(closure: CylinderClosure())
        let b = try SteadySolver(operator: FiniteVolumeOperator(problem: p, cells: 200, convection: .central))
            .solve(closure: CylinderClosure())
        #expect(a.concentration == b.concentration)
    }

    /// Per-cell values that break the model are refused with the cell named.
    @Test func badMediumIsRefused() throws {
        let p = Self.base(porosity: 0.3, v: 1, d: 0.05)
        #expect(throws: MacroscaleError.self) {
            _ = try UpscaledMedium(base: p, cells: 10, diffusivityBeta: 1e-9, dispersion: .constant(0.05)) { x in
                .init(porosity: x < 0.5 ? 0.3 : 1.2, km: 1, cellRadius: 1e-3)
            }
        }
        var m = UpscaledMedium(homogeneous: p, cells: 10)
        m.velocity[4] *= 2   // breaks flux conservation
        do {
            try m.validate()
            Issue.record("a medium that does not conserve the fluid flux was accepted")
        } catch let e as MacroscaleError {
            #expect("\(e)".contains("cell 4") && "\(e)".contains("conserved"), "\(e)")
        }
    }
}
