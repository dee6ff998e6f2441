import Foundation
import Numerics
import Testing
@testable import NeuralNet

/// Random batch, network and targets for gradient checks, built so that no hidden
/// pre-activation sits near the ReLU kink and no prediction near its target (the |·| kink of
/// MAE and MAPE): finite differences then see a smooth function.
struct GradientCheckCase {
    let network: DenseNetwork<Double>
    let inputs: [Double]
    let targets: [Double]
    let rows: Int

    init(activation: Activation, seed: UInt64) throws {
        let widths = [3, 5, 4, 2]
        rows = 6
        var rng = SplitMix64(seed: seed)
        var attempt: UInt64 = 0
        while true {
            var net = try DenseNetwork<Double>.initialized(widths: widths, activation: activation,
                                                           initialization: .glorotUniform, seed: seed &+ attempt)
            for k in net.layers.indices {   // non-zero biases, so that every parameter matters
                net.layers[k].bias = net.layers[k].bias.map { _ in 0.5 * (2 * rng.nextUniform() - 1) }
            }
            let x = (0..<(rows * widths[0])).map { _ in 2 * rng.nextUniform() - 1 }
            if Self.smallestHiddenPreActivation(net, x, rows: rows) > 1e-3 {
                let y = try net.forward(x, rows: rows)
                network = net
                inputs = x
                // Targets well away from the predictions and from zero.
                targets = y.map { v in
                    let offset = 0.3 + 0.5 * rng.nextUniform()
                    let t = rng.nextUniform() < 0.5 ? v + offset : v - offset
                    return Swift.abs(t) < 0.2 ? t + 0.5 : t
                }
                return
            }
            attempt += 1
        }
    }

    /// min |z| over every hidden pre-activation of the batch.
    static func smallestHiddenPreActivation(_ net: DenseNetwork<Double>, _ x: [Double], rows: Int) -> Double {
        var a = x
        var smallest = Double.infinity
        for (k, layer) in net.layers.enumerated() where k < net.layers.count - 1 {
            var next = [Double](repeating: 0, count: rows * layer.outputs)
            for i in 0..<rows {
                for o in 0..<layer.outputs {
                    var z = layer.bias[o]
                    for j in 0..<layer.inputs { z += layer.weights[o * layer.inputs + j] * a[i * layer.inputs + j] }
                    smallest = Swift.min(smallest, Swift.abs(z))
                    next[i * layer.outputs + o] = net.activation.apply(z)
                }
            }
            a = next
        }
        return smallest
    }

    func loss(_ parameters: [Double], _ loss: Loss) throws -> Double {
        let net = try DenseNetwork(layout: network.parameterLayout, activation: network.activation, parameters: parameters)
        return try loss.value(predictions: try net.forward(inputs, rows: rows), targets: targets)
    }
}

@Suite struct BackpropagationTests {
    static let cases: [(Activation, Loss)] = Activation.allCases.flatMap { a in Loss.allCases.map { (a, $0) } }

    @Test(arguments: cases)
    func gradientsMatchCentralDifferences(activation: Activation, loss: Loss) throws {
        let c = try GradientCheckCase(activation: activation, seed: 11)
        let (value, gradients) = try c.network.lossAndGradients(inputs: c.inputs, targets: c.targets, rows: c.rows, loss: loss)
        let theta = c.network.flatParameters
        #expect(abs(value - (try c.loss(theta, loss))) <= 1e-12 * abs(value))
        let analytic = gradients.weights.indices.flatMap { gradients.weights[$0] + gradients.biases[$0] }
        #expect(analytic.count == theta.count)
        let h = 1e-5
        var worst = 0.0
        for i in theta.indices {
            var plus = theta, minus = theta
            plus[i] += h
            minus[i] -= h
            let fd = (try c.loss(plus, loss) - (try c.loss(minus, loss))) / (2 * h)
            let scale = Swift.max(Swift.abs(fd), Swift.abs(analytic[i]), 1e-3 * Swift.abs(value), 1e-8)
            worst = Swift.max(worst, Swift.abs(fd - analytic[i]) / scale)
        }
        #expect(worst < 1e-6, "\(activation)/\(loss): worst relative error \(worst)")
    }

    /// Float and Double backpropagation agree (the Float path is what training uses).
    @Test(arguments: [Activation.relu, .tanh])
    func floatGradientsMatchDouble(activation: Activation) throws {
        let c = try GradientCheckCase(activation: activation, seed: 5)
        let g64 = try c.network.lossAndGradients(inputs: c.inputs, targets: c.targets, rows: c.rows, loss: .mse).gradients
        let net32 = c.network.converted(to: Float.self)
        let g32 = try net32.lossAndGradients(inputs: c.inputs.map(Float.init), targets: c.targets.map(Float.init),
                                             rows: c.rows, loss: .mse).gradients
        for k in g64.weights.indices {
            for (a, b) in zip(g64.weights[k] + g64.biases[k], g32.weights[k] + g32.biases[k]) {
                #expect(abs(a - Double(b)) <= 1e-5 * Swift.max(1, abs(a)))
            }
        }
    }

    @Test func lossValuesAndGradientsByHand() throws {
        let p: [Double] = [1, 2, -1, 0.5], t: [Double] = [2, 2, -0.5, 0]
        // |d| = 1, 0, 0.5, 0.5 ; |y| = 2, 2, 0.5, 0 → ε
        let mape = try Loss.mape.valueAndGradient(predictions: p, targets: t)
        #expect(abs(mape.loss - 100 * (0.5 + 0 + 1 + 0.5 / 1e-7) / 4) < 1e-3)
        #expect(mape.gradient[0] == -100 / (2 * 4.0))
        #expect(mape.gradient[1] == 0)
        #expect(mape.gradient[2] == -100 / (0.5 * 4))
        let mse = try Loss.mse.valueAndGradient(predictions: p, targets: t)
        #expect(mse.loss == (1 + 0 + 0.25 + 0.25) / 4)
        #expect(mse.gradient == [-0.5, 0, -0.25, 0.25])
        let mae = try Loss.mae.valueAndGradient(predictions: p, targets: t)
        #expect(mae.loss == 2.0 / 4)
        #expect(mae.gradient == [-0.25, 0, -0.25, 0.25])
        #expect(throws: NeuralNetError.self) { try Loss.mse.value(predictions: [1.0], targets: [1.0, 2.0]) }
    }

    @Test func flatParametersRoundTrip() throws {
        let net = try DenseNetwork<Float>.initialized(widths: [4, 7, 3, 1], activation: .tanh, seed: 3)
        let layout = net.parameterLayout
        #expect(layout.count == net.parameterCount)
        #expect(layout.tensorSizes == [28, 7, 21, 3, 3, 1])
        let back = try DenseNetwork(layout: layout, activation: .tanh, parameters: net.flatParameters)
        #expect(back == net)
        #expect(throws: NeuralNetError.self) { try DenseNetwork<Float>(layout: layout, activation: .tanh, parameters: [1, 2]) }
    }

    @Test func predictInChunksMatchesForward() throws {
        let net = try DenseNetwork<Float>.initialized(widths: [3, 16, 8, 1], activation: .relu, initialization: .heNormal, seed: 9)
        var rng = SplitMix64(seed: 1)
        let rows = 53
        let x = (0..<(rows * 3)).map { _ in Float(rng.nextUniform()) }
        let whole = try net.forward(x, rows: rows)
        // GEMM may sum in another order for another number of rows (OpenBLAS' small-matrix
        // kernels), so chunked results agree to rounding, not bit for bit.
        let chunked = try net.predict(x, rows: rows, chunkRows: 7)
        #expect(chunked.count == whole.count)
        for (a, b) in zip(chunked, whole) { #expect(abs(a - b) <= 1e-5 * Swift.max(1, abs(b))) }
        #expect(try net.predict(x, rows: rows) == whole)
        #expect(try net.predict([], rows: 0) == [])
        #expect(throws: NeuralNetError.self) { try net.predict([1, 2], rows: 1) }
    }

    @Test func initializationFollowsKerasFormulas() throws {
        for (scheme, bound) in [(WeightInitialization.heUniform, (6.0 / 40).squareRoot()),
                                (.glorotUniform, (6.0 / 70).squareRoot()),
                                (.heNormal, 2 * (2.0 / 40).squareRoot() / 0.87962566103423978)] {
            let net = try DenseNetwork<Double>.initialized(widths: [40, 30, 1], activation: .relu,
                                                           initialization: scheme, seed: 77)
            let w = net.layers[0].weights
            #expect(w.allSatisfy { abs($0) <= bound }, "\(scheme)")
            #expect(net.layers.allSatisfy { $0.bias.allSatisfy { $0 == 0 } })
            let mean = w.reduce(0, +) / Double(w.count)
            let sd = (w.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(w.count)).squareRoot()
            let expected = scheme == .glorotUniform ? (2.0 / 70).squareRoot() : (2.0 / 40).squareRoot()
            #expect(abs(mean) < 0.1 * expected, "\(scheme) mean \(mean)")
            #expect(abs(sd / expected - 1) < 0.06, "\(scheme) sd \(sd) vs \(expected)")
        }
        let a = try DenseNetwork<Float>.initialized(widths: [6, 8, 1], activation: .relu, seed: 1)
        let b = try DenseNetwork<Float>.initialized(widths: [6, 8, 1], activation: .relu, seed: 1)
        let c = try DenseNetwork<Float>.initialized(widths: [6, 8, 1], activation: .relu, seed: 2)
        #expect(a == b)
        #expect(a != c)
        #expect(throws: NeuralNetError.self) { try DenseNetwork<Float>.initialized(widths: [6], activation: .relu, seed: 1) }
    }
}
