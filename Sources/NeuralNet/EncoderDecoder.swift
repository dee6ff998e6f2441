import Foundation
import HDF5Kit
import Numerics

/// A convolutional encoder–decoder (a U-Net with additive skips) mapping one S × S image to one
/// S × S image, built from `Conv2D`, `Pooling` and `LeakyReLU`:
///
///   encoder level l (size S_l = S_{l−1}/f_{l−1}, channels C_l): [pool f_{l−1}] then
///           `convolutionsPerBlock` × (conv k×k → LeakyReLU), the last level being the bottleneck;
///   decoder level l = L−2 … 0: conv C_{l+1}→C_l → LeakyReLU at S_{l+1}, upsample ×f_l,
///           add the encoder's level-l output (skip), `convolutionsPerBlock` × (conv → LeakyReLU);
///   output: conv C_0 → 1, linear; optionally normalised by its maximum, y = u / max(maxₖ uₖ, ε),
///           ε = 1e-3 (`normalizeOutput`, for targets defined as a field divided by its maximum).
///
/// Parameters: one flat vector, per convolution in execution order K (Cout, Cin, k, k) then b (Cout)
/// (`tensorSizes`). A batch is row-major rows × S² (one flattened image per row), like the
/// dense networks, so the same `Trainer` trains both.
public struct EncoderDecoderSpec: Sendable, Equatable, CustomStringConvertible {
    /// S (pixels per side of input and output).
    public let size: Int
    /// C_l per level, finest first (e.g. [8, 16, 32, 64]).
    public let channels: [Int]
    /// f_l between level l and l+1 (one fewer than levels); S must be divisible by their product.
    public let poolFactors: [Int]
    public let convolutionsPerBlock: Int
    /// k (odd).
    public let kernel: Int
    /// a of the LeakyReLU.
    public let leakySlope: Double
    /// Divide each output image by its maximum (a parameter-free last layer).
    public let normalizeOutput: Bool

    public init(size: Int, channels: [Int], poolFactors: [Int], convolutionsPerBlock: Int = 2, kernel: Int = 3,
                leakySlope: Double = 0.02, normalizeOutput: Bool = false) throws {
        guard size >= 1 else { throw NeuralNetError.shape("image size must be ≥ 1, got \(size)") }
        guard !channels.isEmpty, channels.allSatisfy({ $0 >= 1 && $0 <= 4096 }) else {
            throw NeuralNetError.shape("channels per level must be a non-empty list of integers in 1…4096, got \(channels)")
        }
        guard poolFactors.count == channels.count - 1, poolFactors.allSatisfy({ $0 >= 2 }) else {
            throw NeuralNetError.shape("\(channels.count) levels need \(channels.count - 1) pooling factors ≥ 2, got \(poolFactors)")
        }
        var s = size
        for f in poolFactors {
            guard s % f == 0 else {
                throw NeuralNetError.shape("image size \(size) is not divisible by the pooling factors \(poolFactors) (at \(s) by \(f))")
            }
            s /= f
        }
        guard convolutionsPerBlock >= 1 else { throw NeuralNetError.shape("convolutions per block must be ≥ 1, got \(convolutionsPerBlock)") }
        guard kernel >= 1, kernel % 2 == 1 else { throw NeuralNetError.shape("kernel size must be odd, got \(kernel)") }
        guard leakySlope >= 0, leakySlope < 1 else { throw NeuralNetError.shape("LeakyReLU slope must lie in [0, 1), got \(leakySlope)") }
        self.size = size
        self.channels = channels
        self.poolFactors = poolFactors
        self.convolutionsPerBlock = convolutionsPerBlock
        self.kernel = kernel
        self.leakySlope = leakySlope
        self.normalizeOutput = normalizeOutput
    }

    public var description: String {
        "encoder–decoder \(size)×\(size), channels \(channels), pooling \(poolFactors), \(convolutionsPerBlock) conv \(kernel)×\(kernel) per block, LeakyReLU(\(leakySlope))\(normalizeOutput ? ", output / max" : "")"
    }

    /// Pixels per image (the batch row width).
    public var pixels: Int { size * size }

    /// The operations in execution order.
    public var plan: EncoderDecoderPlan { EncoderDecoderPlan(self) }
    public var tensorSizes: [Int] { plan.tensorSizes }
    public var parameterCount: Int { plan.parameterCount }
}

/// One step of an encoder–decoder forward pass: tensor t_{i+1} = op(t_i).
public enum EncoderDecoderOp: Sendable, Equatable {
    /// Convolution with parameters at (weights, bias) offsets; LeakyReLU after it unless `linear`.
    case conv(Conv2DShape, weights: Int, bias: Int, linear: Bool)
    case pool(channels: Int, height: Int, width: Int, factor: Int)
    case upsample(channels: Int, height: Int, width: Int, factor: Int)
    /// t_{i+1} = t_i + t_skip.
    case addSkip(tensor: Int)
    /// t_{i+1} = t_i / max(max t_i, ε) per image.
    case normalizeByMax(count: Int)
}

/// The op list and tensor sizes of a spec.
public struct EncoderDecoderPlan: Sendable, Equatable {
    public let ops: [EncoderDecoderOp]
    /// Values per sample of t_0 (the input) … t_m (the output).
    public let tensorCounts: [Int]
    public let tensorSizes: [Int]
    public let parameterCount: Int
    /// Largest Cin·k² · H·W over the convolutions (im2col scratch per sample).
    public let scratchCount: Int

    init(_ spec: EncoderDecoderSpec) {
        var ops: [EncoderDecoderOp] = []
        var counts = [spec.pixels]
        var sizes: [Int] = []
        var offset = 0, scratch = 0
        var (c, s) = (1, spec.size)
        func conv(_ out: Int, linear: Bool = false) {
            let shape = Conv2DShape(inputChannels: c, outputChannels: out, height: s, width: s, kernel: spec.kernel)
            ops.append(.conv(shape, weights: offset, bias: offset + shape.weightCount, linear: linear))
            sizes += [shape.weightCount, out]
            offset += shape.weightCount + out
            scratch = max(scratch, shape.patchSize * shape.pixels)
            c = out
            counts.append(c * s * s)
        }
        let levels = spec.channels.count
        var skips: [Int] = []
        for l in 0..<levels {
            if l > 0 {
                let f = spec.poolFactors[l - 1]
                ops.append(.pool(channels: c, height: s, width: s, factor: f))
                s /= f
                counts.append(c * s * s)
            }
            for _ in 0..<spec.convolutionsPerBlock { conv(spec.channels[l]) }
            if l < levels - 1 { skips.append(counts.count - 1) }
        }
        for l in stride(from: levels - 2, through: 0, by: -1) {
            conv(spec.channels[l])
            let f = spec.poolFactors[l]
            ops.append(.upsample(channels: c, height: s, width: s, factor: f))
            s *= f
            counts.append(c * s * s)
            ops.append(.addSkip(tensor: skips.removeLast()))
            counts.append(c * s * s)
            for _ in 0..<spec.convolutionsPerBlock { conv(spec.channels[l]) }
        }
        conv(1, linear: true)
        if spec.normalizeOutput {
            ops.append(.normalizeByMax(count: s * s))
            counts.append(s * s)
        }
        self.ops = ops
        tensorCounts = counts
        tensorSizes = sizes
        parameterCount = offset
        scratchCount = max(1, scratch)
    }
}

/// Reverse-mode differentiation and inference of an encoder–decoder over batches of at most
/// `capacity` images. Caches every intermediate tensor (capacity × its size); not thread-safe.
public final class EncoderDecoderWorkspace<T: BLASScalar> {
    public let spec: EncoderDecoderSpec
    public let plan: EncoderDecoderPlan
    public let capacity: Int
    @usableFromInline let tensors: [UnsafeMutablePointer<T>]
    @usableFromInline let gradients: [UnsafeMutablePointer<T>]
    @usableFromInline let col: UnsafeMutablePointer<T>
    /// Scratch for ∂L/∂ŷ, capacity × S².
    public let outputGradient: UnsafeMutablePointer<T>
    @usableFromInline let slope: T

    public init(spec: EncoderDecoderSpec, capacity: Int) {
        precondition(capacity > 0, "capacity must be positive")
        self.spec = spec
        plan = spec.plan
        self.capacity = capacity
        func buffer(_ n: Int) -> UnsafeMutablePointer<T> {
            let p = UnsafeMutablePointer<T>.allocate(capacity: n)
            p.initialize(repeating: 0, count: n)
            return p
        }
        tensors = plan.tensorCounts.map { buffer(capacity * $0) }
        gradients = plan.tensorCounts.map { buffer(capacity * $0) }
        col = buffer(plan.scratchCount)
        outputGradient = buffer(capacity * spec.pixels)
        slope = T(spec.leakySlope)
    }

    /// ε of the output normalisation.
    @usableFromInline static var normalizationFloor: T { T(1e-3) }

    @inlinable
    static func maximum(_ x: UnsafePointer<T>, count: Int) -> T {
        var m = x[0]
        var e = 1
        while e < count { if x[e] > m { m = x[e] }; e &+= 1 }
        return m
    }

    deinit {
        for p in tensors { p.deallocate() }
        for p in gradients { p.deallocate() }
        col.deallocate()
        outputGradient.deallocate()
    }

    /// Forward pass of `rows` ≤ capacity images (rows × S²); returns the outputs (rows × S²),
    /// valid until the next `forward`.
    @inlinable
    @discardableResult
    public func forward(parameters: UnsafePointer<T>, inputs: UnsafePointer<T>, rows: Int) -> UnsafeMutablePointer<T> {
        precondition(rows > 0 && rows <= capacity, "batch of \(rows) images exceeds the workspace (\(capacity))")
        let counts = plan.tensorCounts
        tensors[0].update(from: inputs, count: rows &* counts[0])
        for (i, op) in plan.ops.enumerated() {
            let inCount = counts[i], outCount = counts[i &+ 1]
            let x = tensors[i], y = tensors[i &+ 1]
            var r = 0
            while r < rows {
                let xs = UnsafePointer(x + r &* inCount), ys = y + r &* outCount
                switch op {
                case .conv(let shape, let w, let b, let linear):
                    Conv2D.forward(shape, input: xs, weights: parameters + w, bias: parameters + b, output: ys, col: col)
                    if !linear { LeakyReLU.apply(ys, count: outCount, slope: slope) }
                case .pool(let c, let h, let wd, let f):
                    Pooling.averageForward(channels: c, height: h, width: wd, factor: f, input: xs, output: ys)
                case .upsample(let c, let h, let wd, let f):
                    Pooling.upsampleForward(channels: c, height: h, width: wd, factor: f, input: xs, output: ys)
                case .addSkip(let t):
                    let skip = tensors[t] + r &* counts[t]
                    var e = 0
                    while e < outCount { ys[e] = xs[e] + skip[e]; e &+= 1 }
                case .normalizeByMax(let n):
                    let m = Self.maximum(xs, count: n)
                    let inv = 1 / Swift.max(m, Self.normalizationFloor)
                    var e = 0
                    while e < n { ys[e] = xs[e] * inv; e &+= 1 }
                }
                r &+= 1
            }
        }
        return tensors[counts.count &- 1]
    }

    /// Backward pass after `forward` on the same parameters and rows: writes ∂L/∂θ (flat,
    /// `tensorSizes` order) for the output gradient ∂L/∂ŷ (rows × S²).
    @inlinable
    public func backward(parameters: UnsafePointer<T>, outputGradient dY: UnsafePointer<T>, rows: Int,
                         gradient: UnsafeMutablePointer<T>) {
        precondition(rows > 0 && rows <= capacity, "batch of \(rows) images exceeds the workspace (\(capacity))")
        let counts = plan.tensorCounts
        let m = counts.count &- 1
        gradient.update(repeating: 0, count: plan.parameterCount)
        for t in 1..<m { gradients[t].update(repeating: 0, count: rows &* counts[t]) }
        gradients[m].update(from: dY, count: rows &* counts[m])
        var i = plan.ops.count &- 1
        while i >= 0 {
            let inCount = counts[i], outCount = counts[i &+ 1]
            let gy = gradients[i &+ 1]
            var r = 0
            while r < rows {
                let gys = gy + r &* outCount
                let gxs: UnsafeMutablePointer<T>? = i > 0 ? gradients[i] + r &* inCount : nil
                switch plan.ops[i] {
                case .conv(let shape, let w, let b, let linear):
                    if !linear {
                        LeakyReLU.multiplyByDerivative(gys, output: tensors[i &+ 1] + r &* outCount, count: outCount, slope: slope)
                    }
                    Conv2D.backward(shape, input: tensors[i] + r &* inCount, weights: parameters + w, outputGradient: gys,
                                    weightGradient: gradient + w, biasGradient: gradient + b, inputGradient: gxs, col: col)
                case .pool(let c, let h, let wd, let f):
                    if let gxs { Pooling.averageBackwardAdd(channels: c, height: h, width: wd, factor: f, outputGradient: gys, inputGradient: gxs) }
                case .upsample(let c, let h, let wd, let f):
                    if let gxs { Pooling.upsampleBackwardAdd(channels: c, height: h, width: wd, factor: f, outputGradient: gys, inputGradient: gxs) }
                case .addSkip(let t):
                    let gs = gradients[t] + r &* counts[t]
                    var e = 0
                    while e < outCount { gs[e] += gys[e]; e &+= 1 }
                    if let gxs { e = 0; while e < outCount { gxs[e] += gys[e]; e &+= 1 } }
                case .normalizeByMax(let n):
                    // y = u/m, m = max u: ∂L/∂uₖ = gₖ/m − δ(k, argmax) Σⱼ gⱼ yⱼ / m (m frozen at ε below it).
                    guard let gxs else { break }
                    let xs = tensors[i] + r &* inCount, ys = tensors[i &+ 1] + r &* outCount
                    let m = Self.maximum(xs, count: n)
                    let inv = 1 / Swift.max(m, Self.normalizationFloor)
                    var e = 0, argmax = 0
                    var dot: T = 0
                    while e < n {
                        gxs[e] += gys[e] * inv
                        dot += gys[e] * ys[e]
                        if xs[e] > xs[argmax] { argmax = e }
                        e &+= 1
                    }
                    if m > Self.normalizationFloor { gxs[argmax] -= dot * inv }
                }
                r &+= 1
            }
            i &-= 1
        }
    }
}

/// An encoder–decoder with its parameters (for inference and model files).
public struct EncoderDecoder<T: BLASScalar>: Sendable, Equatable {
    public let spec: EncoderDecoderSpec
    public var parameters: [T]

    public init(spec: EncoderDecoderSpec, parameters: [T]) throws {
        guard parameters.count == spec.parameterCount else {
            throw NeuralNetError.shape("\(spec) needs \(spec.parameterCount) parameters, got \(parameters.count)")
        }
        self.spec = spec
        self.parameters = parameters
    }

    /// He-uniform weights (fan_in = Cin·k², per-convolution streams of `seed`), zero biases.
    public static func initialized(spec: EncoderDecoderSpec, seed: UInt64) -> EncoderDecoder<T> {
        var flat: [T] = []
        flat.reserveCapacity(spec.parameterCount)
        var layer = 0
        for op in spec.plan.ops {
            guard case .conv(let shape, _, _, _) = op else { continue }
            var rng = RandomStreams.initialization(seed: seed, layer: layer)
            flat += WeightInitialization.heUniform.weights(inputs: shape.patchSize, outputs: shape.outputChannels, using: &rng).map { T($0) }
            flat += [T](repeating: 0, count: shape.outputChannels)
            layer += 1
        }
        return try! EncoderDecoder(spec: spec, parameters: flat)
    }

    /// Outputs for `rows` images (rows × S²), `batch` images at a time.
    @inlinable
    public func predict(_ inputs: [T], rows: Int, batch: Int = 16) throws -> [T] {
        let p = spec.pixels
        guard rows >= 0, inputs.count == rows * p else {
            throw NeuralNetError.shape("\(inputs.count) values are not \(rows) images of \(spec.size)×\(spec.size)")
        }
        if rows == 0 { return [] }
        let ws = EncoderDecoderWorkspace<T>(spec: spec, capacity: Swift.min(Swift.max(1, batch), rows))
        var out = [T](repeating: 0, count: rows * p)
        parameters.withUnsafeBufferPointer { pb in
            inputs.withUnsafeBufferPointer { xb in
                out.withUnsafeMutableBufferPointer { ob in
                    var first = 0
                    while first < rows {
                        let n = Swift.min(ws.capacity, rows &- first)
                        let y = ws.forward(parameters: pb.baseAddress!, inputs: xb.baseAddress! + first &* p, rows: n)
                        (ob.baseAddress! + first &* p).update(from: y, count: n &* p)
                        first &+= n
                    }
                }
            }
        }
        return out
    }
}

extension EncoderDecoderSpec {
    /// Stores the spec as attributes of `object` (`size`, `channels`, `pool_factors`,
    /// `convolutions_per_block`, `kernel`, `leaky_slope`): checkpoints and model files.
    public func writeAttributes(to object: some HDF5AttributeHolder) throws {
        try object.setAttribute("size", size)
        try object.setAttribute("channels", channels)
        try object.setAttribute("pool_factors", poolFactors)
        try object.setAttribute("convolutions_per_block", convolutionsPerBlock)
        try object.setAttribute("kernel", kernel)
        try object.setAttribute("leaky_slope", leakySlope)
        try object.setAttribute("output_normalization", normalizeOutput ? "max" : "none")
    }

    /// Reads and validates the attributes written by `writeAttributes(to:)`.
    public init(attributesOf object: some HDF5AttributeHolder) throws {
        try self.init(size: try object.intAttribute("size"), channels: try object.intArrayAttribute("channels"),
                      poolFactors: try object.intArrayAttribute("pool_factors"),
                      convolutionsPerBlock: try object.intAttribute("convolutions_per_block"),
                      kernel: try object.intAttribute("kernel"), leakySlope: try object.doubleAttribute("leaky_slope"),
                      normalizeOutput: object.hasAttribute("output_normalization")
                          && (try object.stringAttribute("output_normalization")) == "max")
    }
}
