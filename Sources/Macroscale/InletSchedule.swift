import Foundation
import Numerics

/// The inlet concentration cL(t) of a transient run (mol m⁻³), with the times where it jumps: the
/// integrator stops and restarts there, so a discontinuity is stepped over exactly.
public enum InletSchedule: Sendable, Equatable {
    /// cL(t) = level.
    case constant(level: Double)
    /// cL = before for t < time, after from `time` on.
    case step(before: Double, after: Double, time: Double)
    /// A rectangular bolus: cL = level for start ≤ t < start + duration, 0 otherwise.
    case bolus(level: Double, start: Double, duration: Double)
    /// Plasma clearance: cL = level e^{−t/decayTime}.
    case exponential(level: Double, decayTime: Double)
    /// A periodic dose: cL = level during the first `duration` of every `period`, 0 in between.
    case periodic(level: Double, period: Double, duration: Double)
    /// A tabulated cL(t) (times `x` strictly increasing, levels `y`), interpolated monotonically
    /// (Fritsch–Carlson cubic, no overshoot), held at its end values outside the table.
    case table(MonotoneCubicInterpolator)

    /// A table schedule from (t, cL) columns; refuses times that do not increase strictly.
    public static func table(times: [Double], levels: [Double]) throws -> InletSchedule {
        guard times.count >= 2, times.count == levels.count else {
            throw MacroscaleError.invalidSettings("inlet: a table needs at least 2 rows with a time and a concentration each")
        }
        for k in times.indices.dropFirst() where !(times[k] > times[k - 1]) {
            throw MacroscaleError.invalidSettings("inlet: table times must increase strictly: \(times[k]) s follows \(times[k - 1]) s")
        }
        return .table(try MonotoneCubicInterpolator(x: times, y: levels))
    }

    /// cL at time t (right-continuous at jumps).
    public func concentration(at t: Double) -> Double {
        switch self {
        case .constant(let c): return c
        case .step(let before, let after, let time): return t < time ? before : after
        case .bolus(let c, let start, let duration): return t >= start && t < start + duration ? c : 0
        case .exponential(let c, let tau): return c * exp(-t / tau)
        case .periodic(let c, let period, let duration):
            let phase = t - (t / period).rounded(.down) * period
            return phase < duration ? c : 0
        case .table(let spline): return spline(t)
        }
    }

    /// Times in (0, end) where cL jumps (sorted): the integrator restarts there.
    public func discontinuities(until end: Double) -> [Double] {
        var times: [Double]
        switch self {
        case .constant, .exponential, .table: times = []
        case .step(_, _, let time): times = [time]
        case .bolus(_, let start, let duration): times = [start, start + duration]
        case .periodic(_, let period, let duration):
            times = []
            var k = 0.0
            while k * period < end {
                times += [k * period, k * period + duration]
                k += 1
            }
        }
        return times.filter { $0 > 0 && $0 < end }.sorted()
    }

    /// The largest cL the schedule reaches (mol m⁻³).
    public var maximum: Double {
        switch self {
        case .constant(let c), .bolus(let c, _, _), .exponential(let c, _), .periodic(let c, _, _): return c
        case .step(let a, let b, _): return max(a, b)
        case .table(let spline): return spline.y.max() ?? 0
        }
    }

    /// Checks the schedule's values; names the first bad one.
    public func validate() throws {
        func check(_ ok: Bool, _ what: String) throws { if !ok { throw MacroscaleError.invalidSettings("inlet: \(what)") } }
        func level(_ c: Double) throws { try check(c >= 0 && c.isFinite, "concentration \(c) mol/m³ must be ≥ 0") }
        switch self {
        case .constant(let c): try level(c)
        case .step(let a, let b, let t):
            try level(a); try level(b)
            try check(t >= 0 && t.isFinite, "step time \(t) s must be ≥ 0")
        case .bolus(let c, let start, let tau):
            try level(c)
            try check(start >= 0 && start.isFinite, "bolus start \(start) s must be ≥ 0")
            try check(tau > 0 && tau.isFinite, "bolus duration τ = \(tau) s must be > 0")
        case .exponential(let c, let tau):
            try level(c)
            try check(tau > 0 && tau.isFinite, "decay time τ = \(tau) s must be > 0")
        case .periodic(let c, let period, let tau):
            try level(c)
            try check(period > 0 && period.isFinite, "period \(period) s must be > 0")
            try check(tau > 0 && tau <= period, "dose duration τ = \(tau) s must lie in (0, period = \(period) s]")
        case .table(let spline):
            for c in spline.y { try level(c) }
        }
    }
}
