/// Tridiagonal linear systems  a_i x_{i-1} + b_i x_i + c_i x_{i+1} = d_i,  i = 0..<n
/// (a_0 and c_{n-1} are ignored).

/// Errors raised by the linear solvers.
public enum LinearSolveError: Error, CustomStringConvertible, Equatable {
    /// A pivot vanished (or became non-finite) at row `row`.
    case singularPivot(row: Int)
    /// Array lengths disagree.
    case dimensionMismatch(String)

    public var description: String {
        switch self {
        case .singularPivot(let row): return "tridiagonal solve: zero or non-finite pivot at row \(row)"
        case .dimensionMismatch(let what): return "linear solve: dimension mismatch (\(what))"
        }
    }
}

/// A tridiagonal matrix stored by diagonals, with a reusable Thomas-algorithm workspace.
public struct TridiagonalSystem: Sendable {
    /// Sub-diagonal (a_0 unused).
    public var lower: [Double]
    /// Main diagonal.
    public var diagonal: [Double]
    /// Super-diagonal (c_{n-1} unused).
    public var upper: [Double]

    public var count: Int { diagonal.count }

    public init(count n: Int) {
        lower = [Double](repeating: 0, count: n)
        diagonal = [Double](repeating: 0, count: n)
        upper = [Double](repeating: 0, count: n)
    }

    public init(lower: [Double], diagonal: [Double], upper: [Double]) {
        self.lower = lower
        self.diagonal = diagonal
        self.upper = upper
    }

    /// Calls `body` with mutable pointers to the sub-, main and super-diagonal (for assembly loops).
    public mutating func withUnsafeBands<R>(
        _ body: (UnsafeMutableBufferPointer<Double>, UnsafeMutableBufferPointer<Double>, UnsafeMutableBufferPointer<Double>) throws -> R
    ) rethrows -> R {
        try lower.withUnsafeMutableBufferPointer { lo in
            try diagonal.withUnsafeMutableBufferPointer { di in
                try upper.withUnsafeMutableBufferPointer { up in try body(lo, di, up) }
            }
        }
    }

    /// Solves A x = rhs by the Thomas algorithm (no pivoting; stable for diagonally
    /// dominant matrices, which is what FV convection–diffusion–reaction gives).
    /// `scratch` must have `count` elements; it is overwritten.
    public func solve(_ rhs: [Double], scratch: inout [Double]) throws -> [Double] {
        let n = count
        guard rhs.count == n, lower.count == n, upper.count == n else {
            throw LinearSolveError.dimensionMismatch("n = \(n), rhs \(rhs.count), lower \(lower.count), upper \(upper.count)")
        }
        if scratch.count != n { scratch = [Double](repeating: 0, count: n) }
        var x = rhs
        if n == 0 { return x }
        try lower.withUnsafeBufferPointer { a in
            try diagonal.withUnsafeBufferPointer { b in
                try upper.withUnsafeBufferPointer { c in
                    try scratch.withUnsafeMutableBufferPointer { cp in
                        try x.withUnsafeMutableBufferPointer { d in
                            var pivot = b[0]
                            guard pivot != 0, pivot.isFinite else { throw LinearSolveError.singularPivot(row: 0) }
                            cp[0] = c[0] / pivot
                            d[0] = d[0] / pivot
                            var i = 1
                            while i < n {
                                pivot = b[i] - a[i] * cp[i &- 1]
                                guard pivot != 0, pivot.isFinite else { throw LinearSolveError.singularPivot(row: i) }
                                cp[i] = c[i] / pivot
                                d[i] = (d[i] - a[i] * d[i &- 1]) / pivot
                                i &+= 1
                            }
                            i = n &- 2
                            while i >= 0 {
                                d[i] -= cp[i] * d[i &+ 1]
                                i &-= 1
                            }
                        }
                    }
                }
            }
        }
        return x
    }

    /// Convenience solve that allocates its own workspace.
    public func solve(_ rhs: [Double]) throws -> [Double] {
        var scratch = [Double](repeating: 0, count: count)
        return try solve(rhs, scratch: &scratch)
    }

    /// y = A x.
    public func multiply(_ x: [Double]) -> [Double] {
        let n = count
        var y = [Double](repeating: 0, count: n)
        for i in 0..<n {
            var s = diagonal[i] * x[i]
            if i > 0 { s += lower[i] * x[i - 1] }
            if i < n - 1 { s += upper[i] * x[i + 1] }
            y[i] = s
        }
        return y
    }
}
