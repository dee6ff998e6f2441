import Foundation
import Numerics

/// Weight initialisation (Keras names and formulas); biases start at zero.
///
/// - `heUniform`: U(−√(6/fan_in), √(6/fan_in)).
/// - `heNormal`: normal with σ = √(2/fan_in)/0.87962566103423978, truncated at ±2σ
///   (Keras' `VarianceScaling(2, "fan_in", "truncated_normal")`).
/// - `glorotUniform` (Keras' default): U(−√(6/(fan_in + fan_out)), +…).
public enum WeightInitialization: String, Sendable, CaseIterable {
    case heUniform = "he_uniform"
    case heNormal = "he_normal"
    case glorotUniform = "glorot_uniform"

    /// Draws the `outputs × inputs` weights of one layer.
    public func weights(inputs: Int, outputs: Int, using rng: inout SplitMix64) -> [Double] {
        let count = inputs * outputs
        var w = [Double](repeating: 0, count: count)
        switch self {
        case .heUniform, .glorotUniform:
            let fan = self == .heUniform ? Double(inputs) : Double(inputs + outputs)
            let limit = (6 / fan).squareRoot()
            for i in 0..<count { w[i] = limit * (2 * rng.nextUniform() - 1) }
        case .heNormal:
            let sigma = (2 / Double(inputs)).squareRoot() / 0.87962566103423978
            for i in 0..<count {
                var z: Double
                repeat { z = RandomDraws.standardNormal(&rng) } while Swift.abs(z) > 2
                w[i] = sigma * z
            }
        }
        return w
    }
}

/// Reproducible draws from a SplitMix64 stream (no standard-library randomness, whose
/// algorithms are not specified across versions).
public enum RandomDraws {
    /// Uniform integer in 0..<n (Lemire's multiply-and-reject; unbiased).
    @inlinable
    public static func below(_ n: Int, _ rng: inout SplitMix64) -> Int {
        precondition(n > 0)
        let bound = UInt64(n)
        var m = rng.next().multipliedFullWidth(by: bound)
        if m.low < bound {
            let threshold = (0 &- bound) % bound
            while m.low < threshold { m = rng.next().multipliedFullWidth(by: bound) }
        }
        return Int(m.high)
    }

    /// Standard normal variate (Box–Muller, cosine branch).
    public static func standardNormal(_ rng: inout SplitMix64) -> Double {
        let u1 = 1 - rng.nextUniform()          // (0, 1]
        let u2 = rng.nextUniform()
        return (-2 * Foundation.log(u1)).squareRoot() * Foundation.cos(2 * Double.pi * u2)
    }

    /// Fisher–Yates shuffle of `values` in place.
    @inlinable
    public static func shuffle<E>(_ values: inout [E], _ rng: inout SplitMix64) {
        var i = values.count - 1
        while i > 0 {
            let j = below(i + 1, &rng)
            values.swapAt(i, j)
            i -= 1
        }
    }
}

/// Independent SplitMix64 streams per purpose, all keyed by the one run seed.
public enum RandomStreams {
    /// Stream for the weights of layer `layer`.
    public static func initialization(seed: UInt64, layer: Int) -> SplitMix64 {
        SplitMix64.stream(seed: seed, index: UInt64(layer))
    }
    /// Stream for per-epoch mini-batch shuffling.
    public static func shuffling(seed: UInt64) -> SplitMix64 {
        SplitMix64.stream(seed: seed, index: 0x5348_5546_464C_4521)   // "SHUFFLE!"
    }
}

extension DenseNetwork {
    /// A freshly initialised network: `widths` input first (e.g. [6, 1024, 512, 256, 64, 16, 1]),
    /// hidden activation `activation`, linear output, weights drawn by `initialization` from
    /// per-layer streams of `seed`, biases zero. Values are drawn in Double and rounded to T.
    public static func initialized(widths: [Int], activation: Activation,
                                   initialization: WeightInitialization = .glorotUniform,
                                   seed: UInt64) throws -> DenseNetwork<T> {
        guard widths.count >= 2 else {
            throw NeuralNetError.shape("a network needs at least an input and an output width, got \(widths)")
        }
        guard widths.allSatisfy({ $0 > 0 }) else {
            throw NeuralNetError.shape("layer widths must be positive, got \(widths)")
        }
        var layers: [DenseLayer<T>] = []
        for k in 0..<(widths.count - 1) {
            var rng = RandomStreams.initialization(seed: seed, layer: k)
            let w = initialization.weights(inputs: widths[k], outputs: widths[k + 1], using: &rng)
            layers.append(try DenseLayer(inputs: widths[k], outputs: widths[k + 1],
                                         weights: w.map { T($0) },
                                         bias: [T](repeating: 0, count: widths[k + 1])))
        }
        return try DenseNetwork(layers: layers, activation: activation)
    }
}
