import Foundation
import Numerics
import Testing
@testable import NeuralNet

/// Convolution, pooling, upsampling and the encoder–decoder: kernels against direct formulas,
/// adjointness of each backward, and the full gradient against central finite differences.
@Suite struct ConvTests {
    static func random(_ n: Int, _ rng: inout SplitMix64) -> [Double] { (0..<n).map { _ in 2 * rng.nextUniform() - 1 } }

    @Test func convolutionMatchesTheDirectSum() {
        let s = Conv2DShape(inputChannels: 2, outputChannels: 3, height: 5, width: 6, kernel: 3)
        var rng = SplitMix64(seed: 3)
        let x = Self.random(s.inputCount, &rng), w = Self.random(s.weightCount, &rng), b = Self.random(3, &rng)
        var y = [Double](repeating: 0, count: s.outputCount)
        var col = [Double](repeating: 0, count: s.patchSize * s.pixels)
        Conv2D.forward(s, input: x, weights: w, bias: b, output: &y, col: &col)
        var worst = 0.0
        for o in 0..<3 { for i in 0..<5 { for j in 0..<6 {
            var acc = b[o]
            for c in 0..<2 { for u in 0..<3 { for v in 0..<3 {
                let (yy, xx) = (i + u - 1, j + v - 1)
                if yy >= 0 && yy < 5 && xx >= 0 && xx < 6 { acc += w[((o * 2 + c) * 3 + u) * 3 + v] * x[(c * 5 + yy) * 6 + xx] }
            } } }
            worst = max(worst, abs(acc - y[(o * 5 + i) * 6 + j]))
        } } }
        #expect(worst < 1e-13, "max |direct − im2col| = \(worst)")
    }

    /// ⟨A x, y⟩ = ⟨x, Aᵀ y⟩ for im2col/col2im, pooling and upsampling (so each backward is the exact adjoint).
    @Test func backwardKernelsAreAdjoints() {
        var rng = SplitMix64(seed: 5)
        let s = Conv2DShape(inputChannels: 2, outputChannels: 1, height: 6, width: 4, kernel: 3)
        let x = Self.random(s.inputCount, &rng), c = Self.random(s.patchSize * s.pixels, &rng)
        var ax = [Double](repeating: 0, count: c.count), aty = [Double](repeating: 0, count: x.count)
        Conv2D.im2col(s, input: x, col: &ax)
        Conv2D.col2imAdd(s, col: c, input: &aty)
        let lhs = zip(ax, c).map(*).reduce(0, +), rhs = zip(x, aty).map(*).reduce(0, +)
        #expect(abs(lhs - rhs) < 1e-12 * max(1, abs(lhs)), "im2col: \(lhs) vs \(rhs)")

        let p = Self.random(2 * 6 * 4, &rng), q = Self.random(2 * 3 * 2, &rng)
        var pooled = [Double](repeating: 0, count: q.count), back = [Double](repeating: 0, count: p.count)
        Pooling.averageForward(channels: 2, height: 6, width: 4, factor: 2, input: p, output: &pooled)
        Pooling.averageBackwardAdd(channels: 2, height: 6, width: 4, factor: 2, outputGradient: q, inputGradient: &back)
        let l2 = zip(pooled, q).map(*).reduce(0, +), r2 = zip(p, back).map(*).reduce(0, +)
        #expect(abs(l2 - r2) < 1e-12, "pooling: \(l2) vs \(r2)")
        #expect(abs(pooled[0] - (p[0] + p[1] + p[4] + p[5]) / 4) < 1e-15)

        var up = [Double](repeating: 0, count: p.count), upBack = [Double](repeating: 0, count: q.count)
        Pooling.upsampleForward(channels: 2, height: 3, width: 2, factor: 2, input: q, output: &up)
        Pooling.upsampleBackwardAdd(channels: 2, height: 3, width: 2, factor: 2, outputGradient: p, inputGradient: &upBack)
        let l3 = zip(up, p).map(*).reduce(0, +), r3 = zip(q, upBack).map(*).reduce(0, +)
        #expect(abs(l3 - r3) < 1e-12, "upsampling: \(l3) vs \(r3)")
    }

    /// Analytic ∂L/∂θ of a small encoder–decoder (three levels, skips, LeakyReLU, with and without
    /// the output normalised by its maximum) against central
    /// differences of the MSE loss, every parameter, in float64. h = 1e-6: the kinks of LeakyReLU
    /// are crossed with probability ~h per pixel, so the tolerance is relative 1e-5 on the norm
    /// and 1e-4 on the worst entry (scaled by the largest gradient).
    @Test(arguments: [false, true])
    func encoderDecoderGradientMatchesFiniteDifferences(normalizeOutput: Bool) throws {
        let spec = try EncoderDecoderSpec(size: 8, channels: [2, 3, 4], poolFactors: [2, 2], convolutionsPerBlock: 2,
                                          kernel: 3, leakySlope: 0.02, normalizeOutput: normalizeOutput)
        var rng = SplitMix64(seed: 11)
        var model = EncoderDecoder<Double>.initialized(spec: spec, seed: 2)
        model.parameters = model.parameters.map { $0 + 0.05 * (2 * rng.nextUniform() - 1) }   // non-zero biases too
        let rows = 3
        let x = (0..<(rows * spec.pixels)).map { _ in rng.nextUniform() }
        let y = (0..<(rows * spec.pixels)).map { _ in rng.nextUniform() }
        let ws = EncoderDecoderWorkspace<Double>(spec: spec, capacity: rows)
        func loss(_ theta: [Double]) -> Double {
            let out = ws.forward(parameters: theta, inputs: x, rows: rows)
            return y.withUnsafeBufferPointer { Loss.mse.evaluate(predictions: out, targets: $0.baseAddress!, count: y.count, gradient: nil) }
        }
        var grad = [Double](repeating: 0, count: spec.parameterCount)
        let out = ws.forward(parameters: model.parameters, inputs: x, rows: rows)
        _ = y.withUnsafeBufferPointer { Loss.mse.evaluate(predictions: out, targets: $0.baseAddress!, count: y.count, gradient: ws.outputGradient) }
        ws.backward(parameters: model.parameters, outputGradient: ws.outputGradient, rows: rows, gradient: &grad)
        let h = 1e-6
        var numeric = grad
        for i in 0..<spec.parameterCount {
            var plus = model.parameters, minus = model.parameters
            plus[i] += h
            minus[i] -= h
            numeric[i] = (loss(plus) - loss(minus)) / (2 * h)
        }
        let scale = grad.map(abs).max()!
        let worst = zip(grad, numeric).map { abs($0 - $1) }.max()!
        let norm = sqrt(zip(grad, numeric).map { ($0 - $1) * ($0 - $1) }.reduce(0, +)) / sqrt(grad.map { $0 * $0 }.reduce(0, +))
        #expect(norm < 1e-5, "relative ‖analytic − numeric‖ = \(norm)")
        #expect(worst < 1e-4 * scale, "worst |analytic − numeric| = \(worst) (largest gradient \(scale))")
        #expect(spec.parameterCount == grad.count && scale > 0)
    }

    @Test func specRejectsSizesThePoolingCannotDivide() {
        #expect(throws: NeuralNetError.self) { try EncoderDecoderSpec(size: 100, channels: [4, 8, 16], poolFactors: [2, 3]) }
        #expect(throws: NeuralNetError.self) { try EncoderDecoderSpec(size: 16, channels: [4, 8], poolFactors: [2], kernel: 2) }
    }

    /// The shared trainer trains an encoder–decoder, and a checkpoint/resume run ends bit-identical
    /// to an uninterrupted one (as for dense networks).
    @Test func encoderDecoderTrainsAndResumesBitIdentically() throws {
        let spec = try EncoderDecoderSpec(size: 8, channels: [3, 4], poolFactors: [2], convolutionsPerBlock: 1)
        var rng = SplitMix64(seed: 4)
        func data(_ n: Int) throws -> TrainingData<Float> {
            var x: [Float] = [], y: [Float] = []
            for _ in 0..<n {
                let img = (0..<64).map { _ in Float(rng.nextUniform() < 0.2 ? 1 : 0) }
                x += img
                // A smoothing of the image: a target a small CNN can learn.
                for i in 0..<8 { for j in 0..<8 {
                    var acc: Float = 0
                    for (di, dj) in [(0, 0), (-1, 0), (1, 0), (0, -1), (0, 1)] where (0..<8).contains(i + di) && (0..<8).contains(j + dj) {
                        acc += img[(i + di) * 8 + j + dj]
                    }
                    y.append(acc / 5)
                } }
            }
            return try TrainingData(features: x, targets: y, inputWidth: 64, outputWidth: 64)
        }
        let training = try data(48), validation = try data(8)
        let config = TrainingConfig(epochs: 6, batchSize: 8, loss: .mae, learningRate: 3e-3, seed: 7, checkpointInterval: 1)
        let model = EncoderDecoder<Float>.initialized(spec: spec, seed: 3)
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let full = try Trainer(encoderDecoder: model, training: training, validation: validation, config: config).run()
        #expect(full.history.validationLoss.last! < 0.7 * full.history.validationLoss.first!,
                "validation MAE \(full.history.validationLoss)")

        let path = dir.appendingPathComponent("cnn.checkpoint.h5").path
        let destination = CheckpointDestination(path: path, programVersion: "test")
        let first = try Trainer(encoderDecoder: model, training: training, validation: validation, config: config,
                                checkpoint: destination)
        do { _ = try first.run { if $0.epoch == 3 { throw Interrupted() } } } catch is Interrupted {}
        let resumed = try Trainer(resumingFrom: path, training: training, validation: validation, config: config,
                                  checkpoint: destination)
        #expect(resumed.state.epoch == 3)
        let rest = try resumed.run()
        #expect(rest.parameters.map(\.bitPattern) == full.parameters.map(\.bitPattern))
        #expect(rest.finalParameters.map(\.bitPattern) == full.finalParameters.map(\.bitPattern))
    }
}

/// Asking a training result for the other architecture's weights is an error, not a trap.
@Suite struct ArchitectureMismatchTests {
    @Test func denseWeightsOfAnEncoderDecoderAreRefused() throws {
        let spec = try EncoderDecoderSpec(size: 8, channels: [2, 3, 4], poolFactors: [2, 2], convolutionsPerBlock: 2,
                                          kernel: 3, leakySlope: 0.02, normalizeOutput: false)
        let model = EncoderDecoder<Float>.initialized(spec: spec, seed: 2)
        let result = TrainingResult<Float>(architecture: .encoderDecoder(spec), parameters: model.parameters,
                                           finalParameters: model.parameters, history: TrainingHistory(), bestEpoch: 0,
                                           bestValidationLoss: 0, epochsRun: 0, stopReason: .maxEpochs)
        #expect(try result.encoderDecoder().parameters == model.parameters)
        do {
            _ = try result.network()
            Issue.record("dense weights were returned for an encoder–decoder")
        } catch let e as NeuralNetError {
            #expect(e == .architecture("a \(NetworkArchitecture.encoderDecoder(spec).description) is not a dense network"))
        }
    }
}
