/// Dense LU with partial pivoting: a small reference solver used to verify the
/// structured solvers (row-major storage, O(n³); not for production sizes).
public enum DenseLU {
    /// Solves A x = b for a row-major n×n matrix A.
    public static func solve(matrix: [Double], rhs: [Double]) throws -> [Double] {
        let n = rhs.count
        guard matrix.count == n * n else {
            throw LinearSolveError.dimensionMismatch("matrix has \(matrix.count) entries, expected \(n * n)")
        }
        var a = matrix
        var x = rhs
        for k in 0..<n {
            var p = k
            var best = abs(a[k * n + k])
            for i in (k + 1)..<max(k + 1, n) where abs(a[i * n + k]) > best {
                best = abs(a[i * n + k]); p = i
            }
            guard best > 0, best.isFinite else { throw LinearSolveError.singularPivot(row: k) }
            if p != k {
                for j in 0..<n { a.swapAt(k * n + j, p * n + j) }
                x.swapAt(k, p)
            }
            for i in (k + 1)..<max(k + 1, n) {
                let f = a[i * n + k] / a[k * n + k]
                if f == 0 { continue }
                for j in k..<n { a[i * n + j] -= f * a[k * n + j] }
                x[i] -= f * x[k]
            }
        }
        for k in stride(from: n - 1, through: 0, by: -1) {
            var s = x[k]
            for j in (k + 1)..<max(k + 1, n) { s -= a[k * n + j] * x[j] }
            x[k] = s / a[k * n + k]
        }
        return x
    }
}
