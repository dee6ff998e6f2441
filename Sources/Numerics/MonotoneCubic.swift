/// Monotone piecewise-cubic Hermite interpolation (Fritsch–Carlson 1980, the PCHIP
/// slope rule of Fritsch & Butland 1984): preserves monotonicity of the data, C¹,
/// no overshoot. Outside the table the end values are held constant.
public struct MonotoneCubicInterpolator: Sendable, Equatable {
    public let x: [Double]
    public let y: [Double]
    /// Hermite slopes dy/dx at the nodes.
    public let slopes: [Double]

    public enum Problem: Error, CustomStringConvertible, Equatable {
        case tooFewPoints(Int)
        case lengthMismatch(Int, Int)
        case notIncreasing(index: Int)
        case nonFinite(index: Int)

        public var description: String {
            switch self {
            case .tooFewPoints(let n): return "interpolation table needs at least 2 points, got \(n)"
            case .lengthMismatch(let a, let b): return "interpolation table: \(a) abscissae but \(b) values"
            case .notIncreasing(let i): return "interpolation table: abscissae must increase strictly (at index \(i))"
            case .nonFinite(let i): return "interpolation table: non-finite entry at index \(i)"
            }
        }
    }

    public init(x: [Double], y: [Double]) throws {
        guard x.count == y.count else { throw Problem.lengthMismatch(x.count, y.count) }
        guard x.count >= 2 else { throw Problem.tooFewPoints(x.count) }
        for i in 0..<x.count where !x[i].isFinite || !y[i].isFinite { throw Problem.nonFinite(index: i) }
        for i in 1..<x.count where !(x[i] > x[i - 1]) { throw Problem.notIncreasing(index: i) }
        self.x = x
        self.y = y
        let n = x.count
        var h = [Double](repeating: 0, count: n - 1)
        var delta = [Double](repeating: 0, count: n - 1)
        for k in 0..<(n - 1) {
            h[k] = x[k + 1] - x[k]
            delta[k] = (y[k + 1] - y[k]) / h[k]
        }
        var m = [Double](repeating: 0, count: n)
        if n == 2 {
            m = [delta[0], delta[0]]
        } else {
            for k in 1..<(n - 1) {
                if delta[k - 1] * delta[k] <= 0 {
                    m[k] = 0
                } else {
                    // Weighted harmonic mean (Fritsch–Butland).
                    let w1 = 2 * h[k] + h[k - 1], w2 = h[k] + 2 * h[k - 1]
                    m[k] = (w1 + w2) / (w1 / delta[k - 1] + w2 / delta[k])
                }
            }
            m[0] = Self.endSlope(h0: h[0], h1: h[1], d0: delta[0], d1: delta[1])
            m[n - 1] = Self.endSlope(h0: h[n - 2], h1: h[n - 3], d0: delta[n - 2], d1: delta[n - 3])
        }
        slopes = m
    }

    /// Three-point, shape-preserving end slope (as in SciPy's PchipInterpolator).
    private static func endSlope(h0: Double, h1: Double, d0: Double, d1: Double) -> Double {
        var d = ((2 * h0 + h1) * d0 - h0 * d1) / (h0 + h1)
        if d.sign != d0.sign || d0 == 0 {
            d = 0
        } else if d0.sign != d1.sign && abs(d) > abs(3 * d0) {
            d = 3 * d0
        }
        return d
    }

    /// Interpolated value at `t` (clamped to the table's range).
    public func callAsFunction(_ t: Double) -> Double {
        let n = x.count
        if t <= x[0] { return y[0] }
        if t >= x[n - 1] { return y[n - 1] }
        var lo = 0, hi = n - 1
        while hi - lo > 1 {
            let mid = (lo + hi) / 2
            if x[mid] <= t { lo = mid } else { hi = mid }
        }
        let h = x[hi] - x[lo]
        let s = (t - x[lo]) / h
        let s2 = s * s, s3 = s2 * s
        let h00 = 2 * s3 - 3 * s2 + 1, h10 = s3 - 2 * s2 + s
        let h01 = -2 * s3 + 3 * s2, h11 = s3 - s2
        return h00 * y[lo] + h10 * h * slopes[lo] + h01 * y[hi] + h11 * h * slopes[hi]
    }
}
