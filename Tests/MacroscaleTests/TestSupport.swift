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
