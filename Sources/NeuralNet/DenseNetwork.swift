import Foundation

/// Fully connected feed-forward network  y = W_L σ(… σ(W_1 x + b_1) …) + b_L,
/// hidden activation σ, linear output; batched through OpenBLAS GEMM.
///
/// Shapes: a batch is row-major `rows × width`; layer k holds W_k (out × in, row-major)
/// and b_k (out).

/// Hidden-layer activation.
public enum Activation: String, Sendable, CaseIterable {
    case relu
    case tanh
    case linear

    /// σ(z).
    @inlinable
    public func apply<T: BLASScalar>(_ z: T) -> T {
        switch self {
        case .relu: return z > 0 ? z : 0
        case .tanh: return T(Foundation.tanh(Double(z)))
        case .linear: return z
        }
    }

    /// σ'(z) expressed through z.
    @inlinable
    public func derivative<T: BLASScalar>(_ z: T) -> T {
        switch self {
        case .relu: return z > 0 ? 1 : 0
        case .tanh:
            let t = T(Foundation.tanh(Double(z)))
            return 1 - t * t
        case .linear: return 1
        }
    }
}

/// One dense layer: z = W x + b.
public struct DenseLayer<T: BLASScalar>: Sendable, Equatable {
    public let inputs: Int
    public let outputs: Int
    /// W, outputs × inputs, row-major.
    public var weights: [T]
    /// b, outputs.
    public var bias: [T]

    public init(inputs: Int, outputs: Int, weights: [T], bias: [T]) throws {
        guard inputs > 0, outputs > 0 else {
            throw NeuralNetError.shape("layer must have positive widths, got \(inputs) → \(outputs)")
        }
        guard weights.count == inputs * outputs else {
            throw NeuralNetError.shape("layer \(inputs) → \(outputs) needs \(inputs * outputs) weights, got \(weights.count)")
        }
        guard bias.count == outputs else {
            throw NeuralNetError.shape("layer \(inputs) → \(outputs) needs \(outputs) biases, got \(bias.count)")
        }
        self.inputs = inputs
        self.outputs = outputs
        self.weights = weights
        self.bias = bias
    }
}

/// Errors of network construction and evaluation.
public enum NeuralNetError: Error, CustomStringConvertible, Equatable {
    /// Layer widths, tensor sizes or data that do not fit the network.
    case shape(String)
    /// A model or checkpoint file that cannot be used.
    case file(String)
    /// Training settings out of range (epochs, batch size, learning rate, schedule, Adam, patience).
    case settings(String)
    /// An operation that needs another architecture (e.g. dense weights from an encoder–decoder).
    case architecture(String)

    public var description: String {
        switch self {
        case .shape(let s): return "network shape: \(s)"
        case .settings(let s): return "training settings: \(s)"
        case .architecture(let s): return "network architecture: \(s)"
        case .file(let s): return s
        }
    }
}

/// A multilayer perceptron with one hidden activation and a linear output layer.
public struct DenseNetwork<T: BLASScalar>: Sendable, Equatable {
    public var layers: [DenseLayer<T>]
    public var activation: Activation

    public init(layers: [DenseLayer<T>], activation: Activation) throws {
        guard !layers.isEmpty else { throw NeuralNetError.shape("a network needs at least one layer") }
        for k in 1..<layers.count where layers[k].inputs != layers[k - 1].outputs {
            throw NeuralNetError.shape("layer \(k) takes \(layers[k].inputs) inputs but layer \(k - 1) gives \(layers[k - 1].outputs)")
        }
        self.layers = layers
        self.activation = activation
    }

    public var inputWidth: Int { layers[0].inputs }
    public var outputWidth: Int { layers[layers.count - 1].outputs }
    /// Layer widths, input first: e.g. [6, 1024, 512, 256, 64, 16, 1].
    public var widths: [Int] { [inputWidth] + layers.map(\.outputs) }
    public var parameterCount: Int { layers.reduce(0) { $0 + $1.weights.count + $1.bias.count } }

    /// Applies σ to the primal block z[0..<primalCount] and multiplies each tangent block
    /// by σ'(z) (tangents first: they need the primal pre-activation).
    @inlinable
    static func activate(_ activation: Activation, _ z: UnsafeMutablePointer<T>, primalCount: Int, stack: Int) {
        switch activation {
        case .linear:
            return
        case .relu:
            var s = 1
            while s < stack {
                let t = z + s &* primalCount
                var e = 0
                while e < primalCount { if !(z[e] > 0) { t[e] = 0 }; e &+= 1 }
                s &+= 1
            }
            var e = 0
            while e < primalCount { if !(z[e] > 0) { z[e] = 0 }; e &+= 1 }
        case .tanh:
            var e = 0
            while e < primalCount {
                let y = T(Foundation.tanh(Double(z[e])))
                var s = 1
                while s < stack { z[s &* primalCount &+ e] *= 1 - y * y; s &+= 1 }
                z[e] = y
                e &+= 1
            }
        }
    }

    /// Network output for a batch (rows × inputWidth, row-major) → rows × outputWidth.
    public func forward(_ inputs: [T], rows: Int) throws -> [T] {
        try forward(inputs, rows: rows, inputTangents: []).outputs
    }

    /// Output and its directional derivatives (forward-mode): for each tangent matrix dX
    /// (rows × inputWidth) returns dY = J(x) dX row by row (rows × outputWidth).
    /// Primal and tangents go through one stacked GEMM per layer.
    @inlinable
    public func forward(_ inputs: [T], rows: Int, inputTangents: [[T]]) throws
        -> (outputs: [T], tangents: [[T]])
    {
        guard rows >= 0, inputs.count == rows * inputWidth else {
            throw NeuralNetError.shape("batch of \(inputs.count) values is not \(rows) rows × \(inputWidth) features")
        }
        for t in inputTangents where t.count != inputs.count {
            throw NeuralNetError.shape("tangent of \(t.count) values does not match the batch (\(inputs.count))")
        }
        if rows == 0 { return ([], inputTangents.map { _ in [] }) }
        let stack = 1 + inputTangents.count
        let totalRows = stack * rows
        var current = inputs
        for t in inputTangents { current.append(contentsOf: t) }
        var width = inputWidth
        for (k, layer) in layers.enumerated() {
            let isLast = k == layers.count - 1
            var next = [T](repeating: 0, count: totalRows * layer.outputs)
            current.withUnsafeBufferPointer { x in
                layer.weights.withUnsafeBufferPointer { w in
                    next.withUnsafeMutableBufferPointer { z in
                        T.gemmABt(m: totalRows, n: layer.outputs, k: width, alpha: 1,
                                  a: x.baseAddress!, b: w.baseAddress!, beta: 0, c: z.baseAddress!)
                    }
                }
            }
            let out = layer.outputs
            let primalCount = rows &* out
            next.withUnsafeMutableBufferPointer { z in
                layer.bias.withUnsafeBufferPointer { b in
                    var i = 0
                    while i < rows {
                        let row = i &* out
                        var j = 0
                        while j < out { z[row &+ j] += b[j]; j &+= 1 }
                        i &+= 1
                    }
                }
                if isLast { return }
                Self.activate(activation, z.baseAddress!, primalCount: primalCount, stack: stack)
            }
            current = next
            width = out
        }
        let outCount = rows * outputWidth
        let outputs = Array(current[0..<outCount])
        let tangents = (1..<stack).map { s in Array(current[(s * outCount)..<((s + 1) * outCount)]) }
        return (outputs, tangents)
    }

    /// The same network in another precision.
    public func converted<U: BLASScalar>(to: U.Type) -> DenseNetwork<U> {
        // Widths were validated at construction, so the conversion cannot fail.
        try! DenseNetwork<U>(
            layers: layers.map {
                try! DenseLayer<U>(inputs: $0.inputs, outputs: $0.outputs,
                                   weights: $0.weights.map { U($0) }, bias: $0.bias.map { U($0) })
            },
            activation: activation)
    }
}
