/// 2-D convolution, "same" zero padding, stride 1, by im2col + GEMM (OpenBLAS), one sample at a time.
///
/// Shapes (per sample, row-major, channels first): input X (Cin, H, W), output Y (Cout, H, W),
/// weights K (Cout, Cin, k, k) = a (Cout × Cin·k²) matrix, bias b (Cout), k odd, padding p = k/2:
///
///   Y[o, y, x] = b[o] + Σ_{c, u, v} K[o, c, u, v] · X[c, y + u − p, x + v − p]   (X = 0 outside),
///
/// i.e. Y = K · col(X) with col(X) the (Cin·k² × H·W) matrix of shifted copies of X (im2col).
/// Backward for an output gradient G = ∂L/∂Y (Cout × H·W):
///
///   ∂L/∂K += G · col(X)ᵀ,  ∂L/∂b += Σ_{y,x} G,  ∂L/∂X += col⁻¹(Kᵀ G)  (col2im: adds each shifted copy back).
public struct Conv2DShape: Sendable, Equatable {
    public let inputChannels: Int
    public let outputChannels: Int
    public let height: Int
    public let width: Int
    /// k (odd).
    public let kernel: Int

    public init(inputChannels: Int, outputChannels: Int, height: Int, width: Int, kernel: Int = 3) {
        precondition(inputChannels > 0 && outputChannels > 0 && height > 0 && width > 0 && kernel > 0 && kernel % 2 == 1,
                     "invalid convolution \(inputChannels)→\(outputChannels) on \(height)×\(width), kernel \(kernel)")
        self.inputChannels = inputChannels
        self.outputChannels = outputChannels
        self.height = height
        self.width = width
        self.kernel = kernel
    }

    /// Cin·k²: rows of col(X), columns of K.
    public var patchSize: Int { inputChannels * kernel * kernel }
    public var pixels: Int { height * width }
    public var weightCount: Int { outputChannels * patchSize }
    public var inputCount: Int { inputChannels * pixels }
    public var outputCount: Int { outputChannels * pixels }
}

public enum Conv2D {
    /// col(X): (Cin·k² × H·W); row (c, u, v) holds X shifted by (u − p, v − p), zeros outside.
    @inlinable
    public static func im2col<T: BLASScalar>(_ s: Conv2DShape, input: UnsafePointer<T>, col: UnsafeMutablePointer<T>) {
        let h = s.height, w = s.width, k = s.kernel, p = k / 2, hw = h &* w
        var c = 0
        while c < s.inputChannels {
            let plane = input + c &* hw
            var u = 0
            while u < k {
                var v = 0
                while v < k {
                    let row = col + ((c &* k &+ u) &* k &+ v) &* hw
                    let dy = u &- p, dx = v &- p
                    let x0 = Swift.max(0, -dx), x1 = Swift.min(w, w &- dx)   // valid x: 0 ≤ x + dx < w
                    var y = 0
                    while y < h {
                        let out = row + y &* w
                        let sy = y &+ dy
                        if sy < 0 || sy >= h {
                            out.update(repeating: 0, count: w)
                        } else {
                            var x = 0
                            while x < x0 { out[x] = 0; x &+= 1 }
                            if x1 > x0 { (out + x0).update(from: plane + (sy &* w &+ x0 &+ dx), count: x1 &- x0) }
                            x = Swift.max(x1, x0)
                            while x < w { out[x] = 0; x &+= 1 }
                        }
                        y &+= 1
                    }
                    v &+= 1
                }
                u &+= 1
            }
            c &+= 1
        }
    }

    /// dX += col⁻¹(dCol): the adjoint of `im2col`.
    @inlinable
    public static func col2imAdd<T: BLASScalar>(_ s: Conv2DShape, col: UnsafePointer<T>, input: UnsafeMutablePointer<T>) {
        let h = s.height, w = s.width, k = s.kernel, p = k / 2, hw = h &* w
        var c = 0
        while c < s.inputChannels {
            let plane = input + c &* hw
            var u = 0
            while u < k {
                var v = 0
                while v < k {
                    let row = col + ((c &* k &+ u) &* k &+ v) &* hw
                    let dy = u &- p, dx = v &- p
                    let x0 = Swift.max(0, -dx), x1 = Swift.min(w, w &- dx)
                    var y = Swift.max(0, -dy)
                    let yEnd = Swift.min(h, h &- dy)
                    while y < yEnd {
                        let src = row + y &* w
                        let dst = plane + ((y &+ dy) &* w &+ dx)
                        var x = x0
                        while x < x1 { dst[x] += src[x]; x &+= 1 }
                        y &+= 1
                    }
                    v &+= 1
                }
                u &+= 1
            }
            c &+= 1
        }
    }

    /// Y = K col(X) + b for one sample; `col` is scratch of Cin·k² × H·W values.
    @inlinable
    public static func forward<T: BLASScalar>(_ s: Conv2DShape, input: UnsafePointer<T>, weights: UnsafePointer<T>,
                                              bias: UnsafePointer<T>, output: UnsafeMutablePointer<T>,
                                              col: UnsafeMutablePointer<T>) {
        let hw = s.pixels
        var o = 0
        while o < s.outputChannels { (output + o &* hw).update(repeating: bias[o], count: hw); o &+= 1 }
        if s.kernel == 1 {
            T.gemmAB(m: s.outputChannels, n: hw, k: s.inputChannels, alpha: 1, a: weights, b: input, beta: 1, c: output)
            return
        }
        im2col(s, input: input, col: col)
        T.gemmAB(m: s.outputChannels, n: hw, k: s.patchSize, alpha: 1, a: weights, b: UnsafePointer(col), beta: 1, c: output)
    }

    /// Accumulates ∂L/∂K and ∂L/∂b, and (if `inputGradient` is non-nil) adds ∂L/∂X, for one sample.
    @inlinable
    public static func backward<T: BLASScalar>(_ s: Conv2DShape, input: UnsafePointer<T>, weights: UnsafePointer<T>,
                                               outputGradient g: UnsafePointer<T>,
                                               weightGradient: UnsafeMutablePointer<T>, biasGradient: UnsafeMutablePointer<T>,
                                               inputGradient: UnsafeMutablePointer<T>?, col: UnsafeMutablePointer<T>) {
        let hw = s.pixels
        var o = 0
        while o < s.outputChannels {
            let row = g + o &* hw
            var acc: T = 0
            var i = 0
            while i < hw { acc += row[i]; i &+= 1 }
            biasGradient[o] += acc
            o &+= 1
        }
        if s.kernel == 1 {
            T.gemmABt(m: s.outputChannels, n: s.inputChannels, k: hw, alpha: 1, a: g, b: input, beta: 1, c: weightGradient)
            if let inputGradient {
                T.gemmAtB(m: s.inputChannels, n: hw, k: s.outputChannels, alpha: 1, a: weights, b: g, beta: 1, c: inputGradient)
            }
            return
        }
        im2col(s, input: input, col: col)
        T.gemmABt(m: s.outputChannels, n: s.patchSize, k: hw, alpha: 1, a: g, b: UnsafePointer(col), beta: 1, c: weightGradient)
        if let inputGradient {
            T.gemmAtB(m: s.patchSize, n: hw, k: s.outputChannels, alpha: 1, a: weights, b: g, beta: 0, c: col)
            col2imAdd(s, col: UnsafePointer(col), input: inputGradient)
        }
    }
}

/// Leaky ReLU, σ(z) = z for z > 0, a·z otherwise (a = 0.02 in the surrogate papers); since a > 0,
/// σ'(z) can be read off the output's sign.
public enum LeakyReLU {
    @inlinable
    public static func apply<T: BLASScalar>(_ z: UnsafeMutablePointer<T>, count: Int, slope: T) {
        var i = 0
        while i < count { let v = z[i]; z[i] = v > 0 ? v : slope * v; i &+= 1 }
    }

    /// G ← G ∘ σ'(Z), written through Y = σ(Z).
    @inlinable
    public static func multiplyByDerivative<T: BLASScalar>(_ g: UnsafeMutablePointer<T>, output y: UnsafePointer<T>,
                                                           count: Int, slope: T) {
        var i = 0
        while i < count { let gi = g[i]; g[i] = y[i] > 0 ? gi : slope * gi; i &+= 1 }
    }
}
