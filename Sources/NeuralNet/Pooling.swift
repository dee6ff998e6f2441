/// Average pooling and nearest-neighbour upsampling by an integer factor f, per sample,
/// channels first (C, H, W) with H and W divisible by f for pooling:
///
///   pool:      Y[c, Y, X] = (1/f²) Σ_{0 ≤ u, v < f} X[c, fY + u, fX + v]      (C, H/f, W/f)
///   upsample:  Y[c, y, x] = X[c, ⌊y/f⌋, ⌊x/f⌋]                              (C, fH, fW)
///
/// Each backward is the adjoint: pooling spreads G/f² over the block, upsampling sums G over it.
public enum Pooling {
    /// Average pooling of a (channels, height, width) tensor.
    @inlinable
    public static func averageForward<T: BLASScalar>(channels: Int, height: Int, width: Int, factor f: Int,
                                                     input: UnsafePointer<T>, output: UnsafeMutablePointer<T>) {
        let oh = height / f, ow = width / f
        let scale = 1 / T(f &* f)
        var c = 0
        while c < channels {
            let src = input + c &* height &* width, dst = output + c &* oh &* ow
            var Y = 0
            while Y < oh {
                let row = dst + Y &* ow
                var X = 0
                while X < ow { row[X] = 0; X &+= 1 }
                var u = 0
                while u < f {
                    let line = src + (Y &* f &+ u) &* width
                    X = 0
                    while X < ow {
                        var acc: T = 0
                        var v = 0
                        while v < f { acc += line[X &* f &+ v]; v &+= 1 }
                        row[X] += acc
                        X &+= 1
                    }
                    u &+= 1
                }
                X = 0
                while X < ow { row[X] *= scale; X &+= 1 }
                Y &+= 1
            }
            c &+= 1
        }
    }

    /// dX += spread(G)/f² (adjoint of `averageForward`); `height`, `width` are the input's.
    @inlinable
    public static func averageBackwardAdd<T: BLASScalar>(channels: Int, height: Int, width: Int, factor f: Int,
                                                         outputGradient: UnsafePointer<T>, inputGradient: UnsafeMutablePointer<T>) {
        let oh = height / f, ow = width / f
        let scale = 1 / T(f &* f)
        var c = 0
        while c < channels {
            let g = outputGradient + c &* oh &* ow, dst = inputGradient + c &* height &* width
            var y = 0
            while y < height {
                let grow = g + (y / f) &* ow
                let line = dst + y &* width
                var x = 0
                while x < width { line[x] += scale * grow[x / f]; x &+= 1 }
                y &+= 1
            }
            c &+= 1
        }
    }

    /// Nearest-neighbour upsampling; `height`, `width` are the input's.
    @inlinable
    public static func upsampleForward<T: BLASScalar>(channels: Int, height: Int, width: Int, factor f: Int,
                                                      input: UnsafePointer<T>, output: UnsafeMutablePointer<T>) {
        let oh = height &* f, ow = width &* f
        var c = 0
        while c < channels {
            let src = input + c &* height &* width, dst = output + c &* oh &* ow
            var y = 0
            while y < oh {
                let srow = src + (y / f) &* width
                let line = dst + y &* ow
                var x = 0
                while x < ow { line[x] = srow[x / f]; x &+= 1 }
                y &+= 1
            }
            c &+= 1
        }
    }

    /// dX += block sums of G (adjoint of `upsampleForward`); `height`, `width` are the input's.
    @inlinable
    public static func upsampleBackwardAdd<T: BLASScalar>(channels: Int, height: Int, width: Int, factor f: Int,
                                                          outputGradient: UnsafePointer<T>, inputGradient: UnsafeMutablePointer<T>) {
        let oh = height &* f, ow = width &* f
        var c = 0
        while c < channels {
            let g = outputGradient + c &* oh &* ow, dst = inputGradient + c &* height &* width
            var y = 0
            while y < oh {
                let line = g + y &* ow
                let drow = dst + (y / f) &* width
                var x = 0
                while x < ow { drow[x / f] += line[x]; x &+= 1 }
                y &+= 1
            }
            c &+= 1
        }
    }
}
