import Foundation

/// Accuracy of predicted against true effectiveness factors, overall and per band of true η.
///
/// MAPE = 100 · mean(|η̂ − η| / η) (%), MAE = mean |η̂ − η|, max absolute error, and the signed
/// mean error mean(η̂ − η) (bias). Bands are [0, 0.1), [0.1, 0.2), …, [0.9, 1] by true η
/// (values above 1 count in the last band).
public struct EtaMetrics: Sendable, Equatable {
    public struct Band: Sendable, Equatable {
        public var lower: Double
        public var upper: Double
        public var count: Int
        public var mape: Double
        public var mae: Double
    }

    public var count: Int
    public var mape: Double
    public var mae: Double
    public var maxAbsoluteError: Double
    public var meanSignedError: Double
    public var bands: [Band]

    public init(predicted: [Double], actual: [Double]) {
        precondition(predicted.count == actual.count, "predictions and targets differ in length")
        let n = actual.count
        var sumRel = 0.0, sumAbs = 0.0, sumSigned = 0.0, maxAbs = 0.0
        var bandCount = [Int](repeating: 0, count: 10)
        var bandRel = [Double](repeating: 0, count: 10), bandAbs = [Double](repeating: 0, count: 10)
        for i in 0..<n {
            let e = predicted[i] - actual[i]
            let a = abs(e)
            sumRel += a / abs(actual[i])
            sumAbs += a
            sumSigned += e
            maxAbs = max(maxAbs, a)
            let b = min(max(Int((actual[i] * 10).rounded(.down)), 0), 9)
            bandCount[b] += 1
            bandRel[b] += a / abs(actual[i])
            bandAbs[b] += a
        }
        let d = Double(max(n, 1))
        count = n
        mape = 100 * sumRel / d
        mae = sumAbs / d
        maxAbsoluteError = maxAbs
        meanSignedError = sumSigned / d
        bands = (0..<10).map { b in
            let c = Double(max(bandCount[b], 1))
            return Band(lower: Double(b) / 10, upper: Double(b + 1) / 10, count: bandCount[b],
                        mape: bandCount[b] == 0 ? .nan : 100 * bandRel[b] / c,
                        mae: bandCount[b] == 0 ? .nan : bandAbs[b] / c)
        }
    }

    /// Flat key → value summary (for JSON output and `/model/training` attributes).
    public func summary(prefix: String) -> [String: Double] {
        var s: [String: Double] = ["\(prefix)_count": Double(count), "\(prefix)_mape_percent": mape, "\(prefix)_mae": mae,
                                   "\(prefix)_max_abs_error": maxAbsoluteError, "\(prefix)_mean_signed_error": meanSignedError]
        for b in bands where b.count > 0 {
            let tag = String(format: "%.1f_%.1f", b.lower, b.upper)
            s["\(prefix)_band_\(tag)_mape_percent"] = b.mape
            s["\(prefix)_band_\(tag)_count"] = Double(b.count)
        }
        return s
    }
}
