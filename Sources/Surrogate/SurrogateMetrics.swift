/// Accuracy of predicted normalised fields against the direct solves, with the measures of the
/// surrogate papers (Toledo-Marín et al. 2021, 2023): mean absolute error over the whole
/// lattice, over source pixels (α > 0), and over field pixels whose *target* lies in the bands
/// R1 = [0.2, 1], R2 = [0.1, 0.2), R3 = [0.05, 0.1); the largest pixel error; and the mean of the
/// per-sample maximum error. All in units of the normalised field (c / max c).
public struct SurrogateMetrics: Sendable, Equatable, Codable {
    public var samples: Int
    public var mae: Double
    public var mse: Double
    public var maeSources: Double
    public var maeR1: Double
    public var maeR2: Double
    public var maeR3: Double
    /// Pixel counts behind each band (R1, R2, R3) and behind `maeSources`.
    public var pixelsR1: Int
    public var pixelsR2: Int
    public var pixelsR3: Int
    public var pixelsSources: Int
    public var maxError: Double
    public var meanSampleMaxError: Double

    /// Band limits [lower, upper) of R1, R2, R3 (R1 includes 1).
    public static let bands: [(String, Double, Double)] = [("R1", 0.2, 1), ("R2", 0.1, 0.2), ("R3", 0.05, 0.1)]

    /// Metrics of `predictions` against `targets` (rows × pixels, float32) with source maps `inputs`.
    public init(predictions: [Float], targets: [Float], inputs: [Float], pixels: Int) {
        precondition(predictions.count == targets.count && inputs.count == targets.count && pixels > 0)
        let rows = targets.count / pixels
        var sumAbs = 0.0, sumSq = 0.0, src = 0.0, r1 = 0.0, r2 = 0.0, r3 = 0.0
        var nSrc = 0, n1 = 0, n2 = 0, n3 = 0
        var maxErr = 0.0, sumSampleMax = 0.0
        predictions.withUnsafeBufferPointer { p in
            targets.withUnsafeBufferPointer { t in
                inputs.withUnsafeBufferPointer { a in
                    for r in 0..<rows {
                        var sampleMax = 0.0
                        var k = r &* pixels
                        let end = k &+ pixels
                        while k < end {
                            let y = Double(t[k])
                            let e = Swift.abs(Double(p[k]) - y)
                            sumAbs += e
                            sumSq += e * e
                            if e > sampleMax { sampleMax = e }
                            if a[k] > 0 { src += e; nSrc &+= 1 }
                            if y >= 0.2 { r1 += e; n1 &+= 1 } else if y >= 0.1 { r2 += e; n2 &+= 1 } else if y >= 0.05 { r3 += e; n3 &+= 1 }
                            k &+= 1
                        }
                        sumSampleMax += sampleMax
                        if sampleMax > maxErr { maxErr = sampleMax }
                    }
                }
            }
        }
        func mean(_ s: Double, _ n: Int) -> Double { n > 0 ? s / Double(n) : .nan }
        samples = rows
        mae = mean(sumAbs, targets.count)
        mse = mean(sumSq, targets.count)
        maeSources = mean(src, nSrc)
        maeR1 = mean(r1, n1)
        maeR2 = mean(r2, n2)
        maeR3 = mean(r3, n3)
        pixelsR1 = n1
        pixelsR2 = n2
        pixelsR3 = n3
        pixelsSources = nSrc
        maxError = maxErr
        meanSampleMaxError = mean(sumSampleMax, rows)
    }

    /// (name, value) pairs in report order.
    public var namedValues: [(String, Double)] {
        [("mae", mae), ("mse", mse), ("mae_sources", maeSources), ("mae_r1", maeR1), ("mae_r2", maeR2),
         ("mae_r3", maeR3), ("max_error", maxError), ("mean_sample_max_error", meanSampleMaxError)]
    }
}
