import Closure
import Numerics

/// Settings of the transient upscaled solve.
public struct TransientSettings: Sendable, Equatable {
    public var scheme: TimeScheme
    /// Final time (s).
    public var endTime: Double
    /// Fixed-step schemes: nominal step Δt (s); steps are shortened to land exactly on output times.
    /// Unused by `.cvode` (0 allowed).
    public var timeStep: Double
    /// Times (s) at which the profile is stored, increasing, in (0, endTime].
    public var outputTimes: [Double]
    /// Uniform initial concentration (mol m⁻³), unless `initialProfile` is given.
    public var initialConcentration: Double
    /// Initial concentration per cell (mol m⁻³), e.g. the steady state for a washout.
    public var initialProfile: [Double]? = nil
    /// Fixed-step schemes: per-step tolerance of the inner Newton solve (relative residual).
    public var tolerance: Double
    /// `.cvode`: local error control |e_i| ≤ rtol |c_i| + atol.
    public var relativeTolerance: Double = TransientSettings.defaultRelativeTolerance
    /// Absolute tolerance (mol m⁻³); nil: `defaultAbsoluteFraction` × the largest inlet or initial concentration.
    public var absoluteTolerance: Double? = nil
    /// cL(t); nil: the problem's constant cL.
    public var inlet: InletSchedule? = nil
    /// Exposure threshold (mol m⁻³) for the time to reach it; nil: half the largest inlet concentration.
    public var exposureThreshold: Double? = nil

    /// Defaults that meet the brain-transient bar (1e-4 cL against a tight solution, docs/transient.md).
    public static let defaultRelativeTolerance = 1e-5
    public static let defaultAbsoluteFraction = 1e-8

    public init(scheme: TimeScheme, endTime: Double, timeStep: Double, outputTimes: [Double],
                initialConcentration: Double, tolerance: Double = 1e-10) {
        self.scheme = scheme
        self.endTime = endTime
        self.timeStep = timeStep
        self.outputTimes = outputTimes
        self.initialConcentration = initialConcentration
        self.tolerance = tolerance
    }

    /// The largest concentration the run can reach (maximum principle): inlet, initial value or profile.
    func concentrationScale(inlet cL: Double) -> Double {
        max(inlet?.maximum ?? cL, initialConcentration, initialProfile?.max() ?? 0)
    }

    /// The initial state on `cells` cells.
    func initialState(cells: Int) throws -> [Double] {
        guard let p = initialProfile else { return [Double](repeating: initialConcentration, count: cells) }
        guard p.count == cells else {
            throw MacroscaleError.invalidSettings("the initial profile has \(p.count) values, the grid \(cells) cells")
        }
        return p
    }

    func validate() throws {
        guard endTime > 0, endTime.isFinite else { throw MacroscaleError.invalidSettings("end time \(endTime) s must be > 0") }
        if scheme.isFixedStep {
            guard timeStep > 0, timeStep <= endTime else {
                throw MacroscaleError.invalidSettings("time step \(timeStep) s must lie in (0, end time \(endTime) s]")
            }
        } else {
            guard relativeTolerance > 0, relativeTolerance < 1 else {
                throw MacroscaleError.invalidSettings("rtol = \(relativeTolerance) must lie in (0, 1)")
            }
            if let a = absoluteTolerance, !(a > 0 && a.isFinite) {
                throw MacroscaleError.invalidSettings("atol = \(a) mol/m³ must be > 0")
            }
        }
        if let p = initialProfile, let bad = p.first(where: { !($0 >= 0 && $0.isFinite) }) {
            throw MacroscaleError.invalidSettings("initial profile value \(bad) mol/m³ must be ≥ 0")
        }
        try inlet?.validate()
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
    /// Steps (of this process: a resumed run counts from its checkpoint) after which a state
    /// feature lay far outside the closure's range, and the first of them: t, x, feature, value.
    /// A front passing through does this for a few steps; the final state must not (it is an error).
    public var stateExcursionSteps: Int = 0
    public var firstStateExcursion: (time: Double, x: Double, excursion: FeatureExcursion)? = nil
    /// Error-controlled runs: exposure outputs and integrator counters.
    public var exposure: Exposure? = nil
    public var statistics: IntegratorStatistics? = nil
}

/// Implicit time stepping of the upscaled equation: backward Euler or variable-step BDF2
/// (started by one backward-Euler step). The closure is evaluated once per step at the
/// extrapolated state c* = c_n + ω (c_n − c_{n−1}) (c_n for backward Euler), so the lag in
/// η is of the scheme's order; the Michaelis–Menten term is then solved by Newton to the
/// tolerance. At steady state c* = c and the fixed point is the steady solution.
public struct TransientSolver<Operator: UpscaledOperator>: Sendable {
    public let op: Operator
    public let settings: TransientSettings

    public init(operator op: Operator, settings: TransientSettings) throws {
        try settings.validate()
        self.op = op
        self.settings = settings
    }

    /// Number of progress units the run reports: time steps, or per mille of the end time for `.cvode`.
    public var plannedSteps: Int { settings.scheme.isFixedStep ? stepEnds().count : AdaptiveProgress.units }

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

    /// Why `state` cannot continue this run (nil when it can): sizes that differ from the grid or the
    /// closure's features, a step outside the run or a time that is not the end of that step, a
    /// BDF2 history (previous state and step length) that is not this run's, non-finite or
    /// negative values. (A damaged or foreign file would otherwise trap or poison
    /// the rest of the run.)
    public func resumeProblem(_ r: TransientState) -> String? {
        if !settings.scheme.isFixedStep { return adaptiveResumeProblem(r) }
        if r.integrals != nil || r.exposure != nil { return "it was saved by an error-controlled (cvode) run" }
        let n = op.cells, ends = stepEnds()
        if r.concentration.count != n { return "it holds \(r.concentration.count) concentrations, this run has \(n) cells" }
        if let p = r.previous, p.count != n { return "it holds \(p.count) previous concentrations, this run has \(n) cells" }
        guard r.step >= 0, r.step <= ends.count else { return "step \(r.step) is outside this run's 0...\(ends.count)" }
        if r.step > 0, r.time != ends[r.step - 1] {
            return "t = \(r.time) s is not the end of step \(r.step) (\(ends[r.step - 1]) s): another time step or end time"
        }
        if r.step == 0, r.time != 0 { return "t = \(r.time) s at step 0" }
        if let problem = recordProblem(r) { return problem }
        // The BDF2 history is that of this run's own steps: none before the first step, else the
        // state one step earlier and that step's length, bit for bit as the run computed it
        // (dt / previous_step sets the BDF2 coefficients; a foreign ratio makes them overflow).
        if r.step == 0 {
            if r.previous != nil || r.previousStep != 0 {
                return "step 0 holds a previous state (previous_step = \(r.previousStep) s): there is none before the first step"
            }
        } else {
            let length = ends[r.step - 1] - (r.step >= 2 ? ends[r.step - 2] : 0)
            if r.previous == nil { return "step \(r.step) holds no previous concentration (the BDF2 history)" }
            if r.previousStep != length {
                return "previous_step = \(r.previousStep) s is not the length of step \(r.step) (\(length) s): another time step"
            }
        }
        return valueProblem(r, allowance: 0)
    }

    /// The checks both kinds of saved state share: the output record (profiles of this grid at
    /// times within the run) and the counters.
    func recordProblem(_ r: TransientState) -> String? {
        let n = op.cells
        if r.profiles.count != r.times.count { return "\(r.profiles.count) profiles for \(r.times.count) output times" }
        if r.times.count > settings.outputTimes.count + 2 || r.times.contains(where: { !($0 >= 0 && $0 <= r.time) }) {
            return "output times \(r.times) do not lie in [0, \(r.time)] s"
        }
        if let k = r.profiles.firstIndex(where: { $0.count != n }) { return "profile \(k) holds \(r.profiles[k].count) values, expected \(n)" }
        if r.maxClampedCounts.count != EffectivenessFeature.count {
            return "max_clamped_counts holds \(r.maxClampedCounts.count) values, expected \(EffectivenessFeature.count)"
        }
        // Counters go on counting from these (2^53: more than any run makes, far from overflow).
        let counters = [r.newtonIterations, r.closureCalls] + r.maxClampedCounts
        if counters.contains(where: { $0 < 0 || $0 > 1 << 53 }) {
            return "counters out of range (newton_iterations \(r.newtonIterations), closure_calls \(r.closureCalls), max_clamped_counts \(r.maxClampedCounts))"
        }
        return nil
    }

    /// Maximum principle: with c = cL at the inlet, c0 inside and non-negative uptake, every state of
    /// the run lies in [0, max(cL, c0)] up to round-off and `allowance` (what the run's own
    /// non-negativity guard lets through). Twice the upper bound leaves room for any overshoot.
    func valueProblem(_ r: TransientState, allowance: Double) -> String? {
        let ceiling = settings.concentrationScale(inlet: op.inletConcentration)
        func outOfRange(_ name: String, _ values: [Double]) -> String? {
            values.firstIndex { !$0.isFinite }.map { "\(name)[\($0)] = \(values[$0]) is not finite" }
                ?? values.firstIndex { $0 < -(1e-9 * ceiling + allowance) || $0 > 2 * ceiling }.map {
                    "\(name)[\($0)] = \(values[$0]) mol/m^3 lies outside the range this run can reach, [0, \(ceiling)] mol/m^3 (the inlet or initial concentration)"
                }
        }
        return outOfRange("concentration", r.concentration) ?? r.previous.flatMap { outOfRange("previous", $0) }
            ?? r.profiles.lazy.compactMap { outOfRange("profile", $0) }.first
    }

    /// Runs to the end time; `progress(step, steps)` is called after every step.
    ///
    /// Restartable: `resume` continues from a saved `TransientState` (the rest of the run is bit
    /// for bit that of an uninterrupted one); `checkpoint(state)` is called every
    /// `checkpointEvery` steps (0 = never); `shouldStop()` is checked after every step, and a true
    /// answer writes a checkpoint and throws `TransientInterrupted`.
    public func solve(closure: any EffectivenessClosure, resume: TransientState? = nil,
                      checkpointEvery: Int = 0, checkpoint: (TransientState) throws -> Void = { _ in },
                      shouldStop: () -> Bool = { false },
                      progress: (Int, Int) -> Void = { _, _ in }) throws -> TransientSolution {
        if !settings.scheme.isFixedStep {
            return try solveAdaptive(closure: closure, resume: resume, checkpointEvery: checkpointEvery,
                                     checkpoint: checkpoint, shouldStop: shouldStop, progress: progress)
        }
        let watch = Stopwatch()
        let n = op.cells
        var caller = ClosureCaller(closure: closure, op: op)
        var jacobian = op.makeJacobian()
        var scratch = [Double](repeating: 0, count: n)
        var c = try settings.initialState(cells: n)
        var cOld: [Double]? = nil
        var dtOld = 0.0
        var t = 0.0
        var times = [0.0]
        var profiles = [c]
        let outputs = Set(settings.outputTimes)
        var newtonIterations = 0
        var excursionSteps = 0
        var firstExcursion: (time: Double, x: Double, excursion: FeatureExcursion)? = nil
        var eta: [Double] = []
        let ends = stepEnds()
        var first = 0
        if let r = resume {
            if let problem = resumeProblem(r) {
                throw MacroscaleError.invalidSettings("the saved state cannot continue this run: \(problem)")
            }
            (first, t, c, cOld, dtOld, times, profiles) = (r.step, r.time, r.concentration, r.previous, r.previousStep, r.times, r.profiles)
            newtonIterations = r.newtonIterations
            caller.calls = r.closureCalls
            caller.maxClampedCounts = r.maxClampedCounts
        }
        func state(_ step: Int) -> TransientState {
            TransientState(step: step, time: t, concentration: c, previous: cOld, previousStep: dtOld, times: times,
                           profiles: profiles, newtonIterations: newtonIterations, closureCalls: caller.calls,
                           maxClampedCounts: caller.maxClampedCounts)
        }
        for (step, tNext) in ends.enumerated() where step >= first {
            let dt = tNext - t
            let time: TimeTerm
            var estimate = c
            if settings.scheme == .bdf2, let previous = cOld {
                let w = dt / dtOld
                let a0 = (1 + 2 * w) / (1 + w), a1 = 1 + w, a2 = w * w / (1 + w)
                time = .init(coefficient: a0 / dt, history: (0..<n).map { (a1 * c[$0] - a2 * previous[$0]) / dt })
                for i in 0..<n { estimate[i] = max(c[i] + w * (c[i] - previous[i]), 0) }
            } else {
                time = .init(coefficient: 1 / dt, history: c.map { $0 / dt })
            }
            // Time-dependent inlet: the implicit step sees cL at the step's end.
            let stepOperator = settings.inlet.map { op.withInletConcentration($0.concentration(at: tNext)) } ?? op
            caller.op = stepOperator
            eta = try caller.evaluate(estimate, withSensitivity: false).eta
            let solved: (c: [Double], steps: Int)
            do {
                solved = try solveWithFrozenEta(stepOperator, start: c, eta: eta, time: time, tolerance: settings.tolerance,
                                                maxIterations: 50, jacobian: &jacobian, scratch: &scratch)
            } catch MacroscaleError.notConverged(let it, let res, _) {
                throw MacroscaleError.notConverged(iterations: it, residual: res, time: tNext)
            }
            newtonIterations += solved.steps
            if let bad = solved.c.firstIndex(where: { !$0.isFinite }) {
                throw MacroscaleError.nonFinite(cell: bad, x: op.position(of: bad), time: tNext)
            }
            try checkNonNegative(solved.c, op: op, time: tNext)
            if let (e, x) = stateExcursion(solved.c, op: op, closure: closure) {
                excursionSteps += 1
                if firstExcursion == nil { firstExcursion = (tNext, x, e) }
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
            if step + 1 < ends.count {
                if checkpointEvery > 0 && (step + 1) % checkpointEvery == 0 { try checkpoint(state(step + 1)) }
                if shouldStop() {
                    try checkpoint(state(step + 1))
                    throw TransientInterrupted(step: step + 1, steps: ends.count, time: t)
                }
            }
        }
        eta = try caller.evaluate(c, withSensitivity: false).eta
        try checkStateInRange(c, op: op, closure: closure, time: t)
        return TransientSolution(
            x: op.centres, times: times, concentration: profiles, eta: eta, gradient: op.gradient(c),
            steps: ends.count, newtonIterations: newtonIterations, closureCalls: caller.calls,
            closureSeconds: caller.seconds, wallSeconds: watch.seconds,
            clampedCounts: caller.lastClampedCounts, maxClampedCounts: caller.maxClampedCounts,
            stateExcursionSteps: excursionSteps, firstStateExcursion: firstExcursion)
    }
}

/// Everything the rest of a transient run depends on, after `step` completed steps.
public struct TransientState: Sendable, Equatable {
    public var step: Int
    /// t (s) after `step` steps.
    public var time: Double
    /// c at t (mol m⁻³) and at the step before (BDF2 history; nil after the first step).
    public var concentration: [Double]
    public var previous: [Double]?
    /// The previous step length (s).
    public var previousStep: Double
    /// Output times reached so far (s) and their profiles.
    public var times: [Double]
    public var profiles: [[Double]]
    public var newtonIterations: Int
    public var closureCalls: Int
    public var maxClampedCounts: [Int]
    /// Error-controlled runs (`step` counts segments): the quadratures [AUC_i…, inflow, outflow,
    /// uptake], the exposure record and the integrator counters so far.
    public var integrals: [Double]? = nil
    public var exposure: Exposure? = nil
    public var statistics: IntegratorStatistics? = nil

    public init(step: Int, time: Double, concentration: [Double], previous: [Double]?, previousStep: Double,
                times: [Double], profiles: [[Double]], newtonIterations: Int, closureCalls: Int, maxClampedCounts: [Int]) {
        self.step = step
        self.time = time
        self.concentration = concentration
        self.previous = previous
        self.previousStep = previousStep
        self.times = times
        self.profiles = profiles
        self.newtonIterations = newtonIterations
        self.closureCalls = closureCalls
        self.maxClampedCounts = maxClampedCounts
    }
}

/// A transient run stopped on request after `step` of `steps` steps (its state was checkpointed).
public struct TransientInterrupted: Error, CustomStringConvertible {
    public let step: Int
    public let steps: Int
    public let time: Double
    public var description: String { "transient run stopped after step \(step) of \(steps) (t = \(time.messageText) s)" }
}
