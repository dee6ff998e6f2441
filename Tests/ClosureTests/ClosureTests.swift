import Foundation
import Testing
import NeuralNet
@testable import Closure

@Suite struct AnalyticClosureTests {
    /// DESIGN §7 rung 3: η = 2 I₁(φ)/(φ I₀(φ)), φ = 1 → 0.892780, φ = 5 → 0.357353.
    @Test func cylinderValues() throws {
        #expect(abs(CylinderClosure.effectivenessFactor(thieleModulus: 1) - 0.892780) < 5e-7)
        #expect(abs(CylinderClosure.effectivenessFactor(thieleModulus: 5) - 0.357353) < 5e-7)
        #expect(abs(CylinderClosure.effectivenessFactor(thieleModulus: 1e-6) - 1) < 1e-12)
        // Large φ: η → 2/φ.
        let big = CylinderClosure.effectivenessFactor(thieleModulus: 400)
        #expect(abs(big * 400 / 2 - 1) < 2e-3)
        var batch = FeatureBatch(values: Array(repeating: 0.5, count: 12))
        batch[0, .thieleModulusSquared] = 25
        batch[1, .thieleModulusSquared] = 1
        let eta = try CylinderClosure().effectivenessFactor(batch)
        #expect(abs(eta[0] - 0.357353) < 5e-7 && abs(eta[1] - 0.892780) < 5e-7)
    }
}

@Suite struct MLPClosureTests {
    /// A 6 → 4 → 1 ReLU network; the test computes the forward pass itself.
    func model() throws -> ModelFile {
        let w1: [Float] = [0.5, -0.25, 0.1, 0.3, 0.8, -0.6,
                           -0.4, 0.2, 0.05, -0.1, 0.9, 0.7,
                           0.3, 0.3, -0.2, 0.6, -0.5, 0.4,
                           0.1, -0.7, 0.2, 0.2, 0.6, -0.3]
        let l1 = try DenseLayer<Float>(inputs: 6, outputs: 4, weights: w1, bias: [0.1, 0.0, -0.05, 0.2])
        let l2 = try DenseLayer<Float>(inputs: 4, outputs: 1, weights: [0.6, -0.4, 0.5, 0.3], bias: [0.25])
        let scaler = try MinMaxScaler(minimum: [0.27, 0, 0, 0.01, 0, -1], maximum: [0.83, 100, 200, 1, 10, 5])
        return try ModelFile(network: DenseNetwork(layers: [l1, l2], activation: .relu), scaler: scaler,
                             featureNames: EffectivenessFeature.names)
    }

    @Test func matchesHandForwardPassWithClamping() throws {
        let m = try model()
        let closure = try MLPClosure(model: m, precision: .float64)
        // Row 0 inside the range; row 1 has porosity below the minimum and c above the maximum.
        let rows: [[Double]] = [[0.5, 20, 8, 0.1, 2, 0.3], [0.18, 2, 52, 0.1, 12, -0.1]]
        let ev = try closure.evaluate(FeatureBatch(values: rows.flatMap { $0 }), sensitivities: [.concentration])
        #expect(ev.clampedCounts == [1, 0, 0, 0, 1, 0])
        for (i, row) in rows.enumerated() {
            let x = (0..<6).map { k in (min(max(row[k], m.scaler.minimum[k]), m.scaler.maximum[k]) - m.scaler.minimum[k])
                / (m.scaler.maximum[k] - m.scaler.minimum[k]) }
            let w = m.network.layers[0].weights.map(Double.init), b = m.network.layers[0].bias.map(Double.init)
            let h = (0..<4).map { j in max(0, (0..<6).reduce(b[j]) { $0 + w[j * 6 + $1] * x[$1] }) }
            let w2 = m.network.layers[1].weights.map(Double.init)
            let y = (0..<4).reduce(Double(m.network.layers[1].bias[0])) { $0 + w2[$1] * h[$1] }
            #expect(abs(ev.eta[i] - max(y, 0)) < 1e-12, "row \(i): \(ev.eta[i]) vs \(y)")
        }
        // Clamped input → zero sensitivity.
        #expect(ev.sensitivities[0][1] == 0)
        // float32 agrees with float64 to single precision.
        let ev32 = try MLPClosure(model: m, precision: .float32).evaluate(FeatureBatch(values: rows.flatMap { $0 }), sensitivities: [])
        for i in 0..<2 { #expect(abs(ev32.eta[i] - ev.eta[i]) < 1e-6) }
    }

    /// The shipped compact tissue network (6 → 128 → 64 → 32 → 1) against its forward pass written out
    /// in Double loops, at brain and liver operating points: the closure's batched BLAS path (float32 and
    /// float64) computes exactly this function.
    @Test func shippedCompactNetworkMatchesHandForwardPass() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("models/eta-mlp-tissue.h5").path
        let m = try ModelFile.read(path: path)
        #expect(m.network.widths == [6, 128, 64, 32, 1])
        let rows: [[Double]] = [[0.260372, 0.5, 8.15732, 0.1, 2, 0.03], [0.260372, 0.5, 8.15732, 0.1, 0.2, 0.01],
                                [0.1872439, 2.04, 52.221, 0.1, 1.5, 0.02]]
        let ev64 = try MLPClosure(model: m, precision: .float64).evaluate(FeatureBatch(values: rows.flatMap { $0 }), sensitivities: [])
        let ev32 = try MLPClosure(model: m, precision: .float32).evaluate(FeatureBatch(values: rows.flatMap { $0 }), sensitivities: [])
        #expect(ev64.clampedCounts == [0, 0, 0, 0, 0, 0])
        for (i, row) in rows.enumerated() {
            var h = (0..<6).map { k in (row[k] - m.scaler.minimum[k]) / (m.scaler.maximum[k] - m.scaler.minimum[k]) }
            for (l, layer) in m.network.layers.enumerated() {
                let w = layer.weights.map(Double.init), b = layer.bias.map(Double.init)
                h = (0..<layer.outputs).map { j in
                    let z = (0..<layer.inputs).reduce(b[j]) { $0 + w[j * layer.inputs + $1] * h[$1] }
                    return l < m.network.layers.count - 1 ? max(0, z) : z
                }
            }
            #expect(abs(ev64.eta[i] - max(h[0], 0)) < 1e-12, "row \(i): \(ev64.eta[i]) vs \(h[0])")
            #expect(abs(ev32.eta[i] - h[0]) < 2e-6, "row \(i) float32: \(ev32.eta[i]) vs \(h[0])")
            #expect(h[0] > 0.3 && h[0] < 1)
        }
    }

    @Test func sensitivityMatchesFiniteDifference() throws {
        let closure = try MLPClosure(model: model(), precision: .float64)
        let row: [Double] = [0.5, 20, 8, 0.1, 2, 0.3]
        let ev = try closure.evaluate(FeatureBatch(values: row), sensitivities: [.concentration, .concentrationGradient])
        for (s, k) in [(0, 4), (1, 5)] {
            var p = row, q = row
            p[k] += 1e-6; q[k] -= 1e-6
            let fd = (try closure.effectivenessFactor(FeatureBatch(values: p))[0]
                      - closure.effectivenessFactor(FeatureBatch(values: q))[0]) / 2e-6
            #expect(abs(fd - ev.sensitivities[s][0]) < 1e-7)
        }
    }

    /// Slightly outside the training range is clamped (above); far outside (beyond 25 % of the
    /// range's width) is refused with the feature, the row and the range.
    @Test func featuresFarOutsideTheTrainingRangeAreRefused() throws {
        let closure = try MLPClosure(model: model())
        let inside: [Double] = [0.5, 20, 8, 0.1, 2, 0.3]
        var far = inside
        far[2] = 200 + 0.26 * 200   // Pe beyond the maximum by 26 % of the width
        do {
            _ = try closure.evaluate(FeatureBatch(values: inside + far), sensitivities: [])
            Issue.record("expected an error")
        } catch let e as ClosureError {
            #expect(e == .farOutsideTrainingRange(row: 1, feature: .peclet, value: far[2], minimum: 0, maximum: 200))
            #expect(e.description.contains("peclet") && e.description.contains("training range"))
        }
        far[2] = 200 + 0.24 * 200
        #expect(try closure.evaluate(FeatureBatch(values: far), sensitivities: []).clampedCounts[2] == 1)
    }

    @Test func featureNamesAreChecked() throws {
        var m = try model()
        m.featureNames[4] = "c"
        #expect(throws: ClosureError.self) { try MLPClosure(model: m) }
    }
}

extension MLPClosureTests {
    /// State features (⟨c⟩/Ka, the gradient) far outside the training range are clamped by
    /// `evaluate` (a front passes through) but reported by `farOutsideValidRange`, which the
    /// solvers use to refuse a converged or final state that rests on such inputs.
    @Test func stateFeaturesFarOutsideAreReportedNotRefused() throws {
        let closure = try MLPClosure(model: model())
        let inside: [Double] = [0.5, 20, 8, 0.1, 2, 0.3]
        #expect(closure.farOutsideValidRange(FeatureBatch(values: inside), features: [.concentration, .concentrationGradient]) == nil)
        let lo = closure.model.scaler.minimum[4], hi = closure.model.scaler.maximum[4]
        var far = inside
        far[4] = hi + 0.3 * (hi - lo)
        let batch = FeatureBatch(values: inside + far)
        #expect(try closure.evaluate(batch, sensitivities: []).clampedCounts[4] == 1)
        let e = closure.farOutsideValidRange(batch, features: [.concentration, .concentrationGradient])
        #expect(e == FeatureExcursion(row: 1, feature: .concentration, value: far[4], minimum: lo, maximum: hi))
        // Analytic closures are valid everywhere.
        #expect(CylinderClosure().farOutsideValidRange(batch, features: EffectivenessFeature.allCases) == nil)
    }
}
