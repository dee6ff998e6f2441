/// What a pharmacologist reads off a transient run, per cell and in total:
/// - the area under the curve AUC_i = ∫₀ᵗ c_i dt (mol m⁻³ s), integrated by the time integrator
///   under error control;
/// - the peak c_max,i and its time, and the first time c_i reaches `threshold` (NaN if never),
///   both from the accepted steps, interpolated linearly within a step;
/// - running totals since t = 0 of the inflow ∫F(0) dt, outflow ∫F(L) dt and uptake ∫Σ V k η m dt,
///   the stored amount Σ V_i c_i, and at each output time the mass balance residual
///   inflow − outflow − uptake − (storage − initial storage). Amounts are per unit β-phase
///   cross-section at the inlet (mol m⁻²).
public struct Exposure: Sendable, Equatable {
    public var threshold: Double
    public var auc: [Double]
    public var peak: [Double]
    public var peakTime: [Double]
    public var thresholdTime: [Double]
    public var initialStorage: Double
    /// At the output times (and t = 0).
    public var times: [Double]
    public var inflow: [Double]
    public var outflow: [Double]
    public var uptake: [Double]
    public var storage: [Double]

    public init(initial c: [Double], threshold: Double, storage: Double) {
        self.threshold = threshold
        auc = [Double](repeating: 0, count: c.count)
        peak = c
        peakTime = [Double](repeating: 0, count: c.count)
        thresholdTime = c.map { $0 >= threshold ? 0 : .nan }
        initialStorage = storage
        times = [0]
        inflow = [0]
        outflow = [0]
        uptake = [0]
        self.storage = [storage]
    }

    /// Mass balance residual at each recorded time (mol m⁻²).
    public var balanceResidual: [Double] {
        (0..<times.count).map { inflow[$0] - outflow[$0] - uptake[$0] - (storage[$0] - initialStorage) }
    }

    /// Peaks and threshold crossings over an accepted step from (t0, c0) to (t1, c1).
    mutating func observe(from t0: Double, _ c0: [Double], to t1: Double, _ c1: [Double]) {
        for i in c1.indices {
            if c1[i] > peak[i] {
                peak[i] = c1[i]
                peakTime[i] = t1
            }
            if thresholdTime[i].isNaN, c1[i] >= threshold {
                let w = c1[i] > c0[i] ? (threshold - c0[i]) / (c1[i] - c0[i]) : 1
                thresholdTime[i] = t0 + min(max(w, 0), 1) * (t1 - t0)
            }
        }
    }

    /// Records the integrals at time t: `integrals` = [AUC_0 … AUC_{n−1}, inflow, outflow, uptake].
    mutating func record(time t: Double, integrals: [Double], storage amount: Double) {
        let n = auc.count
        auc = Array(integrals[0..<n])
        times.append(t)
        inflow.append(integrals[n])
        outflow.append(integrals[n + 1])
        uptake.append(integrals[n + 2])
        storage.append(amount)
    }

    /// The integrals as last recorded (the integrator's restart values).
    var integrals: [Double] { auc + [inflow.last!, outflow.last!, uptake.last!] }
}

/// Progress of an error-controlled run is reported in per mille of the end time.
enum AdaptiveProgress {
    static let units = 1000
}
