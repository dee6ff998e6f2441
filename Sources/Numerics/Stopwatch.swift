/// Wall-clock stopwatch on the monotonic clock (for solver timings stored in outputs).
public struct Stopwatch: Sendable {
    private let start = ContinuousClock.now

    public init() {}

    /// Seconds since creation.
    public var seconds: Double {
        let d = start.duration(to: ContinuousClock.now).components
        return Double(d.seconds) + Double(d.attoseconds) * 1e-18
    }
}
