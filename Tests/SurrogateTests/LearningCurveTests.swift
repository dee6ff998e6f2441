import Foundation
import NeuralNet
import Testing
@testable import Surrogate

@Suite struct LearningCurveTests {
    /// Every size gets the same Adam steps and ends the budget at the same learning rate.
    @Test func everySizeGetsTheSameBudgetAndLearningRatePath() {
        var base = SurrogateTrainingSettings()
        base.decay = 0.8
        base.learningRate = 1e-3
        base.batchSize = 8
        let full = 8000, budget = 2
        var finalRates: [Double] = [], steps: [Int] = []
        for fraction in [0.0625, 0.125, 0.25, 0.5, 1.0] {
            let s = LearningCurve.settings(base: base, fraction: fraction, full: full, seed: 3, budgetEpochs: budget)
            #expect(s.seed == 3 && s.patience == 0 && s.checkpointEvery == 0 && s.timeLimitMinutes == 0)
            steps.append(s.epochs * s.trainingSamples / s.batchSize)
            finalRates.append(LearningRateSchedule.exponential(rate: s.decay).learningRate(initial: s.learningRate, epoch: s.epochs))
        }
        #expect(Set(steps) == [budget * full / 8], "\(steps)")
        for r in finalRates { #expect(abs(r / (1e-3 * 0.8 * 0.8) - 1) < 1e-12, "\(finalRates)") }
        // Without decay nothing changes.
        let flat = LearningCurve.settings(base: SurrogateTrainingSettings(), fraction: 0.25, full: full, seed: 1, budgetEpochs: budget)
        #expect(flat.decay == 1 && flat.epochs == 8 && flat.trainingSamples == 2000)
    }

    @Test func logFitRecoversALogarithmicLaw() {
        let points = [500, 1000, 2000, 4000, 8000].flatMap { n in
            [1, 2].map { s in LearningCurve.Point(trainingSamples: n, seed: UInt64(s), mae: 5e-3 - 4e-4 * log(Double(n)), maeR1: 0, seconds: 1) }
        }
        let fit = LearningCurve(points: points).fit
        #expect(abs(fit.a - 5e-3) < 1e-12 && abs(fit.b - 4e-4) < 1e-12 && abs(fit.rSquared - 1) < 1e-12)
    }
}
