import Foundation

/// All weights and biases of a network in one vector, in Keras' `get_weights()` order:
/// W₀ (out × in, row-major), b₀, W₁, b₁, …
public struct ParameterLayout: Sendable, Equatable {
    /// Layer widths, input first.
    public let widths: [Int]
    public let weightOffsets: [Int]
    public let biasOffsets: [Int]
    /// Total number of parameters.
    public let count: Int

    public init(widths: [Int]) {
        precondition(widths.count >= 2 && widths.allSatisfy { $0 > 0 }, "invalid widths \(widths)")
        var w: [Int] = [], b: [Int] = []
        var offset = 0
        for k in 0..<(widths.count - 1) {
            w.append(offset); offset += widths[k] * widths[k + 1]
            b.append(offset); offset += widths[k + 1]
        }
        self.widths = widths
        weightOffsets = w
        biasOffsets = b
        count = offset
    }

    public var layerCount: Int { widths.count - 1 }
    /// Sizes of the tensors W₀, b₀, W₁, b₁, …
    public var tensorSizes: [Int] {
        (0..<layerCount).flatMap { [widths[$0] * widths[$0 + 1], widths[$0 + 1]] }
    }
}

/// Per-layer gradients of a loss with respect to the weights (dW, out × in) and biases (db).
public struct Gradients<T: BLASScalar>: Sendable, Equatable {
    public var weights: [[T]]
    public var biases: [[T]]

    /// Splits a flat gradient laid out by `layout`.
    public init(flat: [T], layout: ParameterLayout) {
        precondition(flat.count == layout.count)
        weights = (0..<layout.layerCount).map { k in
            Array(flat[layout.weightOffsets[k]..<(layout.weightOffsets[k] + layout.widths[k] * layout.widths[k + 1])])
        }
        biases = (0..<layout.layerCount).map { k in
            Array(flat[layout.biasOffsets[k]..<(layout.biasOffsets[k] + layout.widths[k + 1])])
        }
    }
}

extension DenseNetwork {
    public var parameterLayout: ParameterLayout { ParameterLayout(widths: widths) }

    /// Weights and biases as one vector (see `ParameterLayout`).
    public var flatParameters: [T] {
        var flat: [T] = []
        flat.reserveCapacity(parameterCount)
        for layer in layers { flat.append(contentsOf: layer.weights); flat.append(contentsOf: layer.bias) }
        return flat
    }

    /// A network of the given widths and activation with parameters from a flat vector.
    public init(layout: ParameterLayout, activation: Activation, parameters: [T]) throws {
        guard parameters.count == layout.count else {
            throw NeuralNetError.shape("widths \(layout.widths) need \(layout.count) parameters, got \(parameters.count)")
        }
        var layers: [DenseLayer<T>] = []
        for k in 0..<layout.layerCount {
            let (i, o) = (layout.widths[k], layout.widths[k + 1])
            let w = layout.weightOffsets[k], b = layout.biasOffsets[k]
            layers.append(try DenseLayer(inputs: i, outputs: o, weights: Array(parameters[w..<(w + i * o)]),
                                         bias: Array(parameters[b..<(b + o)])))
        }
        try self.init(layers: layers, activation: activation)
    }

    /// Backpropagates an output gradient ∂L/∂ŷ (rows × outputWidth) through the batch to ∂L/∂W and ∂L/∂b.
    public func gradients(inputs: [T], rows: Int, outputGradient: [T]) throws -> Gradients<T> {
        try checkBatch(inputs, rows: rows)
        guard outputGradient.count == rows * outputWidth else {
            throw NeuralNetError.shape("output gradient of \(outputGradient.count) values is not \(rows) rows × \(outputWidth) outputs")
        }
        let layout = parameterLayout
        let bp = Backpropagation<T>(layout: layout, activation: activation, capacity: rows)
        let params = flatParameters
        var flat = [T](repeating: 0, count: layout.count)
        params.withUnsafeBufferPointer { p in
            inputs.withUnsafeBufferPointer { x in
                outputGradient.withUnsafeBufferPointer { g in
                    flat.withUnsafeMutableBufferPointer { d in
                        _ = bp.forward(parameters: p.baseAddress!, inputs: x.baseAddress!, rows: rows)
                        bp.backward(parameters: p.baseAddress!, outputGradient: g.baseAddress!, rows: rows, gradient: d.baseAddress!)
                    }
                }
            }
        }
        return Gradients(flat: flat, layout: layout)
    }

    /// Mean loss over a batch and its gradients with respect to every weight and bias.
    public func lossAndGradients(inputs: [T], targets: [T], rows: Int, loss: Loss) throws
        -> (loss: Double, gradients: Gradients<T>)
    {
        try checkBatch(inputs, rows: rows)
        guard targets.count == rows * outputWidth else {
            throw NeuralNetError.shape("\(targets.count) targets are not \(rows) rows × \(outputWidth) outputs")
        }
        let predictions = try forward(inputs, rows: rows)
        let (value, dY) = try loss.valueAndGradient(predictions: predictions, targets: targets)
        return (value, try gradients(inputs: inputs, rows: rows, outputGradient: dY))
    }

    /// Batched inference over any number of rows, `chunkRows` at a time (bounded memory).
    @inlinable
    public func predict(_ inputs: [T], rows: Int, chunkRows: Int = 4096) throws -> [T] {
        guard rows >= 0, inputs.count == rows * inputWidth else {
            throw NeuralNetError.shape("batch of \(inputs.count) values is not \(rows) rows × \(inputWidth) features")
        }
        let chunk = Swift.max(1, chunkRows)
        if rows <= chunk { return try forward(inputs, rows: rows) }
        var out: [T] = []
        out.reserveCapacity(rows * outputWidth)
        var start = 0
        while start < rows {
            let n = Swift.min(chunk, rows - start)
            out.append(contentsOf: try forward(Array(inputs[(start * inputWidth)..<((start + n) * inputWidth)]), rows: n))
            start += n
        }
        return out
    }

    private func checkBatch(_ inputs: [T], rows: Int) throws {
        guard rows > 0, inputs.count == rows * inputWidth else {
            throw NeuralNetError.shape("batch of \(inputs.count) values is not \(rows) rows (> 0) × \(inputWidth) features")
        }
    }
}

/// Workspace for reverse-mode differentiation of a `DenseNetwork` over mini-batches of at most
/// `capacity` rows. Parameters come as one flat vector (`ParameterLayout`); the forward pass
/// caches each layer's activations, the backward pass turns ∂L/∂ŷ into ∂L/∂θ:
///
///   forward  Zₖ = Aₖ₋₁ Wₖᵀ + bₖ (gemmABt, β = 1 onto the broadcast bias), Aₖ = σ(Zₖ) (linear last layer)
///   backward dWₖ = Gₖᵀ Aₖ₋₁ (gemmAtB), dbₖ = column sums of Gₖ,
///            Gₖ₋₁ = (Gₖ Wₖ) ∘ σ'(Aₖ₋₁) (gemmAB), σ' expressed through the activation.
///
/// Buffers are allocated once. Not thread-safe: one workspace per thread.
public final class Backpropagation<T: BLASScalar> {
    public let layout: ParameterLayout
    public let activation: Activation
    /// Maximum rows per batch.
    public let capacity: Int
    /// Aₖ for k = 0 … L (A₀ = the batch inputs, A_L = the outputs), capacity × widths[k] each.
    @usableFromInline let activations: [UnsafeMutablePointer<T>]
    @usableFromInline let deltaA: UnsafeMutablePointer<T>
    @usableFromInline let deltaB: UnsafeMutablePointer<T>
    /// Scratch for ∂L/∂ŷ, capacity × output width (a loss may write here before `backward`).
    public let outputGradient: UnsafeMutablePointer<T>

    public init(layout: ParameterLayout, activation: Activation, capacity: Int) {
        precondition(capacity > 0, "capacity must be positive")
        self.layout = layout
        self.activation = activation
        self.capacity = capacity
        activations = layout.widths.map { w in
            let p = UnsafeMutablePointer<T>.allocate(capacity: capacity * w)
            p.initialize(repeating: 0, count: capacity * w)
            return p
        }
        let hidden = layout.widths.dropFirst().max()!
        deltaA = .allocate(capacity: capacity * hidden)
        deltaA.initialize(repeating: 0, count: capacity * hidden)
        deltaB = .allocate(capacity: capacity * hidden)
        deltaB.initialize(repeating: 0, count: capacity * hidden)
        outputGradient = .allocate(capacity: capacity * layout.widths.last!)
        outputGradient.initialize(repeating: 0, count: capacity * layout.widths.last!)
    }

    public convenience init(network: DenseNetwork<T>, capacity: Int) {
        self.init(layout: network.parameterLayout, activation: network.activation, capacity: capacity)
    }

    deinit {
        for p in activations { p.deallocate() }
        deltaA.deallocate()
        deltaB.deallocate()
        outputGradient.deallocate()
    }

    /// Forward pass for `rows` ≤ capacity rows (row-major rows × widths[0]), caching activations.
    /// Returns the outputs (rows × output width), valid until the next `forward`.
    @inlinable
    @discardableResult
    public func forward(parameters: UnsafePointer<T>, inputs: UnsafePointer<T>, rows: Int) -> UnsafeMutablePointer<T> {
        precondition(rows > 0 && rows <= capacity, "batch of \(rows) rows exceeds the workspace (\(capacity))")
        let widths = layout.widths
        let L = widths.count &- 1
        activations[0].update(from: inputs, count: rows &* widths[0])
        var k = 0
        while k < L {
            let inW = widths[k], outW = widths[k &+ 1]
            let z = activations[k &+ 1]
            // Z = b (each row), then Z += A Wᵀ: the bias rides in GEMM's β = 1 (no zeroing pass).
            let b = parameters + layout.biasOffsets[k]
            var i = 0
            while i < rows {
                (z + i &* outW).update(from: b, count: outW)
                i &+= 1
            }
            T.gemmABt(m: rows, n: outW, k: inW, alpha: 1, a: activations[k],
                      b: parameters + layout.weightOffsets[k], beta: 1, c: z)
            if k < L &- 1 {
                Self.activate(activation, z, count: rows &* outW)
            }
            k &+= 1
        }
        return activations[L]
    }

    /// Backward pass after `forward` on the same parameters and rows: writes ∂L/∂θ (flat, see
    /// `ParameterLayout`) for the output gradient ∂L/∂ŷ (rows × output width).
    @inlinable
    public func backward(parameters: UnsafePointer<T>, outputGradient dY: UnsafePointer<T>, rows: Int,
                         gradient: UnsafeMutablePointer<T>) {
        precondition(rows > 0 && rows <= capacity, "batch of \(rows) rows exceeds the workspace (\(capacity))")
        let widths = layout.widths
        let L = widths.count &- 1
        var g = dY
        var useA = true
        var k = L &- 1
        while k >= 0 {
            let inW = widths[k], outW = widths[k &+ 1]
            // dWₖ = Gᵀ Aₖ₋₁ (out × in)
            T.gemmAtB(m: outW, n: inW, k: rows, alpha: 1, a: g, b: activations[k], beta: 0,
                      c: gradient + layout.weightOffsets[k])
            // dbₖ = column sums of G
            let db = gradient + layout.biasOffsets[k]
            db.update(repeating: 0, count: outW)
            var i = 0
            while i < rows {
                let row = g + i &* outW
                var j = 0
                while j < outW { db[j] += row[j]; j &+= 1 }
                i &+= 1
            }
            if k > 0 {
                let next = useA ? deltaA : deltaB
                useA.toggle()
                T.gemmAB(m: rows, n: inW, k: outW, alpha: 1, a: g, b: parameters + layout.weightOffsets[k],
                         beta: 0, c: next)
                Self.multiplyByDerivative(activation, next, activations[k], count: rows &* inW)
                g = UnsafePointer(next)
            }
            k &-= 1
        }
    }

    /// Z ← σ(Z) (same values as `DenseNetwork.activate`; branch-free ReLU so it vectorises).
    @inlinable
    static func activate(_ activation: Activation, _ z: UnsafeMutablePointer<T>, count: Int) {
        switch activation {
        case .relu:
            var e = 0
            while e < count { let v = z[e]; z[e] = v > 0 ? v : 0; e &+= 1 }
        default:
            DenseNetwork<T>.activate(activation, z, primalCount: count, stack: 1)
        }
    }

    /// G ← G ∘ σ'(Z), with σ' written through A = σ(Z).
    @inlinable
    static func multiplyByDerivative(_ activation: Activation, _ g: UnsafeMutablePointer<T>,
                                     _ a: UnsafePointer<T>, count: Int) {
        switch activation {
        case .linear:
            return
        case .relu:
            var e = 0
            while e < count { let ge = g[e], ae = a[e]; g[e] = ae > 0 ? ge : 0; e &+= 1 }
        case .tanh:
            var e = 0
            while e < count { let ae = a[e]; g[e] *= 1 - ae * ae; e &+= 1 }
        }
    }
}
