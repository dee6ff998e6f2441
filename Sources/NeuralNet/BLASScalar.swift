import CBLAS

/// A floating-point type with an OpenBLAS GEMM: Float (sgemm) and Double (dgemm).
public protocol BLASScalar: BinaryFloatingPoint, Sendable {
    /// C ← α A Bᵀ + β C for row-major A (m×k), B (n×k), C (m×n).
    static func gemmABt(m: Int, n: Int, k: Int, alpha: Self,
                        a: UnsafePointer<Self>, b: UnsafePointer<Self>,
                        beta: Self, c: UnsafeMutablePointer<Self>)
    /// C ← α A B + β C for row-major A (m×k), B (k×n), C (m×n).
    static func gemmAB(m: Int, n: Int, k: Int, alpha: Self,
                       a: UnsafePointer<Self>, b: UnsafePointer<Self>,
                       beta: Self, c: UnsafeMutablePointer<Self>)
    /// C ← α Aᵀ B + β C for row-major A (k×m), B (k×n), C (m×n).
    static func gemmAtB(m: Int, n: Int, k: Int, alpha: Self,
                        a: UnsafePointer<Self>, b: UnsafePointer<Self>,
                        beta: Self, c: UnsafeMutablePointer<Self>)
    /// Name of the precision ("float32", "float64").
    static var precisionName: String { get }
}

extension Float: BLASScalar {
    public static func gemmABt(m: Int, n: Int, k: Int, alpha: Float, a: UnsafePointer<Float>,
                               b: UnsafePointer<Float>, beta: Float, c: UnsafeMutablePointer<Float>) {
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(m), Int32(n), Int32(k),
                    alpha, a, Int32(k), b, Int32(k), beta, c, Int32(n))
    }
    public static func gemmAB(m: Int, n: Int, k: Int, alpha: Float, a: UnsafePointer<Float>,
                              b: UnsafePointer<Float>, beta: Float, c: UnsafeMutablePointer<Float>) {
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(m), Int32(n), Int32(k),
                    alpha, a, Int32(k), b, Int32(n), beta, c, Int32(n))
    }
    public static func gemmAtB(m: Int, n: Int, k: Int, alpha: Float, a: UnsafePointer<Float>,
                               b: UnsafePointer<Float>, beta: Float, c: UnsafeMutablePointer<Float>) {
        cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, Int32(m), Int32(n), Int32(k),
                    alpha, a, Int32(m), b, Int32(n), beta, c, Int32(n))
    }
    public static var precisionName: String { "float32" }
}

extension Double: BLASScalar {
    public static func gemmABt(m: Int, n: Int, k: Int, alpha: Double, a: UnsafePointer<Double>,
                               b: UnsafePointer<Double>, beta: Double, c: UnsafeMutablePointer<Double>) {
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(m), Int32(n), Int32(k),
                    alpha, a, Int32(k), b, Int32(k), beta, c, Int32(n))
    }
    public static func gemmAB(m: Int, n: Int, k: Int, alpha: Double, a: UnsafePointer<Double>,
                              b: UnsafePointer<Double>, beta: Double, c: UnsafeMutablePointer<Double>) {
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(m), Int32(n), Int32(k),
                    alpha, a, Int32(k), b, Int32(n), beta, c, Int32(n))
    }
    public static func gemmAtB(m: Int, n: Int, k: Int, alpha: Double, a: UnsafePointer<Double>,
                               b: UnsafePointer<Double>, beta: Double, c: UnsafeMutablePointer<Double>) {
        cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, Int32(m), Int32(n), Int32(k),
                    alpha, a, Int32(m), b, Int32(n), beta, c, Int32(n))
    }
    public static var precisionName: String { "float64" }
}

/// Sets the number of OpenBLAS threads (call with 1 when parallelising at a higher level).
public func setBLASThreads(_ n: Int) {
    openblas_set_num_threads(Int32(max(1, n)))
}
