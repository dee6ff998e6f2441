import Closure
import Numerics

/// Settings of the transient upscaled solve.
public struct TransientSettings: Sendable, Equatable {
    public var scheme: TimeScheme
    /// Final time (s).
    public var endTime: Double
    /// Nominal step Δt (s); steps are shortened to land exactly on output times.
    public var timeStep: Double
    /// Times (s) at which the profile is stored, increasing, in (0, endTime].
    public var outputTimes: [Double]
    /// Uniform initial concentration (mol m⁻³).
    public var initialConcentration: Double
    /// Per-step tolerance of the inner Newton solve (relative residual).
    public var tolerance: Double

    public init(scheme: TimeScheme, endTime: Double, timeStep: Double, outputTimes: [Double],
                initialConcentration: Double, tolerance: Double = 1e-10) {
        self.scheme = scheme
        self.endTime = endTime
        self.timeStep = timeStep
        self.outputTimes = outputTimes
        self.initialConcentration = initialConcentration
        self.tolerance = tolerance
    }

    func validate() throws {
        guard endTime > 0, endTime.isFinite else { throw MacroscaleError.invalidSettings("end time \(endTime) s must be > 0") }
        guard timeStep > 0, timeStep <= endTime else {
            throw MacroscaleError.invalidSettings("time step \(timeStep) s must lie in (0, end time \(endTime) s]")
        }
        guard initialConcentration >= 0, initialConcentration.isFinite else {
            throw MacroscaleError.invalidSettings("initial concentration \(initialConcentration) must be ≥ 0")
        }
        for (k, t) in outputTimes.enumerated() {
            guard t > 0, t <= endTime * (1 + 1e-12), k == 0 || t > outputTimes[k - 1] else {
                throw MacroscaleError.invalidSettings("output times must increase within (0, \(endTime)] s; got \(outputTimes)")
            }
        }
    }
}

/// Profiles at the output times.
public struct TransientSolution: Sendable {
    public var x: [Double]
    /// Output times (s); the first entry is t = 0 (the initial state).
    public var times: [Double]
    /// Concentration at each output time, row k = times[k].
    public var concentration: [[Double]]
    /// η and ∂x c at the final time.
    public var eta: [Double]
    public var gradient: [Double]
    public var steps: Int
    public var newtonIterations: Int
    public var closureCalls: Int
    public var closureSeconds: Double
    public var wallSeconds: Double
    public var clampedCounts: [Int]
    public var maxClampedCounts: [Int]
}

/// Implicit time stepping of the upscaled equation: backward Euler or variable-step BDF2
/// (started by one backward-Euler step). The closure is evaluated once per step at the
/// extrapolated state c* = c_n + ω (c_n − c_{n−1}) (c_n for backward Euler), so the lag in
/// η is of the scheme's order; the Michaelis–Menten term is then solved by Newton to the
/// tolerance. At steady state c* = c and the fixed point is the steady solution.
public struct TransientSolver: Sendable {
    public let op: FiniteVolumeOperator
    public let settings: TransientSettings

    public init(operator op: FiniteVolumeOperator, settings: TransientSettings) throws {
        try settings.validate()
        self.op = op
        self.settings = settings
    }

    /// Number of steps the run will take (for progress reporting).
    public var plannedSteps: Int { stepEnds().count }

    /// Step end times: uniform steps, shortened to hit every output time and the end.
    func stepEnds() -> [Double] {
        var ends: [Double] = []
        var t = 0.0
        var targets = settings.outputTimes.filter { $0 < settings.endTime }
        targets.append(settings.endTime)
        var k = 0
        while t < settings.endTime * (1 - 1e-14) {
            var next = t + settings.timeStep
            while k < targets.count && targets[k] <= t * (1 + 1e-14) { k += 1 }
            if k < targets.count && next >= targets[k] * (1 - 1e-9) { next = targets[k] }
            ends.append(next)
            t = next
        }
        return ends
    }

    /// Runs to the end time; `progress(step, steps)` is called after every step.
    public func solve(closure: any EffectivenessClosure,
                      progress: (Int, Int) -> Void = { _, _ in }) throws -> TransientSolution {
        let watch = Stopwatch()
        let n = op.cells
        var caller = ClosureCaller(closure: closure, op: op)
        var jacobian = TridiagonalSystem(count: n)
        var scratch = [Double](repeating: 0, count: n)
        var c = [Double](repeating: settings.initialConcentration, count: n)
        var cOld: [Double]? = nil
        var dtOld = 0.0
        var t = 0.0
        var times = [0.0]
        var profiles = [c]
        let outputs = Set(settings.outputTimes)
        var newtonIterations = 0
        var eta: [Double] = []
        let ends = stepEnds()
        for (step, tNext) in ends.enumerated() {
            let dt = tNext - t
            let time: FiniteVolumeOperator.TimeTerm
            var estimate = c
            if settings.scheme == .bdf2, let previous = cOld {
                let w = dt / dtOld
                let a0 = (1 + 2 * w) / (1 + w), a1 = 1 + w, a2 = w * w / (1 + w)
                time = .init(coefficient: a0 / dt, history: (0..<n).map { (a1 * c[$0] - a2 * previous[$0]) / dt })
                for i in 0..<n { estimate[i] = max(c[i] + w * (c[i] - previous[i]), 0) }
            } else {
                time = .init(coefficient: 1 / dt, history: c.map { $0 / dt })
            }
            eta = try caller.evaluate(estimate, withSensitivity: false).eta
            let solved: (c: [Double], steps: Int)
            do {
                solved = try solveWithFrozenEta(op, start: c, eta: eta, time: time, tolerance: settings.tolerance,
                                                maxIterations: 50, jacobian: &jacobian, scratch: &scratch)
            } catch MacroscaleError.notConverged(let it, let res, _) {
                throw MacroscaleError.notConverged(iterations: it, residual: res, time: tNext)
            }
            newtonIterations += solved.steps
            if let bad = solved.c.firstIndex(where: { !$0.isFinite }) {
                throw MacroscaleError.nonFinite(cell: bad, x: op.grid.centres[bad], time: tNext)
            }
            cOld = c
            dtOld = dt
            c = solved.c
            t = tNext
            if outputs.contains(tNext) || step == ends.count - 1 && !times.contains(tNext) {
                times.append(tNext)
                profiles.append(c)
            }
            progress(step + 1, ends.count)
        }
        eta = try caller.evaluate(c, withSensitivity: false).eta
        return TransientSolution(
            x: op.grid.centres, times: times, concentration: profiles, eta: eta, gradient: op.gradient(c),
            steps: ends.count, newtonIterations: newtonIterations, closureCalls: caller.calls,
            closureSeconds: caller.seconds, wallSeconds: watch.seconds,
            clampedCounts: caller.lastClampedCounts, maxClampedCounts: caller.maxClampedCounts)
    }
}
