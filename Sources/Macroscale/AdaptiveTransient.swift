import Closure
import Numerics

/// The error-controlled transient solve (`TimeScheme.cvode`): the method of lines
///
///   dc_i/dt = −r_i(c; η(c), cL(t)) / V_i,
///
/// r the operator's steady residual with η from the closure at the current state in every
/// right-hand side, V_i the cell's storage volume, integrated by CVODES (variable-order BDF with
/// local error control), with the Jacobian −(∂r/∂c)/V_i from the operator including η's
/// sensitivities. The integrator restarts at every jump of the inlet concentration (stepped over
/// exactly) and at segment ends: output times at least a tenth of the run apart. Profiles at the
/// other output times come from the method's interpolating polynomial (within the tolerance). A
/// checkpoint, written at a segment end, resumes bit for bit as the uninterrupted run (both restart
/// there); a stop request is honoured at the next segment end. AUC and the inflow, outflow and
/// uptake totals are quadratures under the same error control.
extension TransientSolver {
    /// Segment ends (restarts): inlet jumps, the end time, and output times at least a tenth of the
    /// run after the previous such output time; sorted and distinct.
    func adaptiveSegments() -> [Double] {
        let jumps = settings.inlet?.discontinuities(until: settings.endTime) ?? []
        var marks: [Double] = []
        var last = 0.0
        for t in settings.outputTimes where t < settings.endTime && t - last >= settings.endTime / 10 {
            marks.append(t)
            last = t
        }
        return Set(marks + jumps + [settings.endTime]).sorted()
    }

    /// Why `r` cannot continue this error-controlled run (nil when it can).
    func adaptiveResumeProblem(_ r: TransientState) -> String? {
        let n = op.cells, ends = adaptiveSegments()
        guard r.step >= 0, r.step <= ends.count else { return "segment \(r.step) is outside this run's 0...\(ends.count)" }
        let t = r.step == 0 ? 0 : ends[r.step - 1]
        if r.time != t { return "t = \(r.time) s is not the end of segment \(r.step) (\(t) s): other output times or inputs" }
        if r.concentration.count != n { return "it holds \(r.concentration.count) concentrations, this run has \(n) cells" }
        if r.previous != nil || r.previousStep != 0 { return "it holds a fixed-step (BDF2) history; this run is error-controlled" }
        guard let e = r.exposure, let integrals = r.integrals, r.statistics != nil else {
            return "it holds no exposure integrals (saved by a fixed-step run?)"
        }
        if integrals.count != n + 3 || e.auc.count != n || e.peak.count != n || e.peakTime.count != n || e.thresholdTime.count != n {
            return "its exposure arrays do not have \(n) cells"
        }
        if let problem = recordProblem(r) { return problem }
        let series = [e.inflow.count, e.outflow.count, e.uptake.count, e.storage.count]
        if series.contains(where: { $0 != e.times.count }) { return "its balance series have different lengths" }
        if (integrals + e.peak + e.auc).contains(where: { !$0.isFinite }) { return "non-finite exposure values" }
        // The run's own guard lets negatives through down to its error level (`solveAdaptive`).
        return valueProblem(r, allowance: Self.negativeAllowance * absoluteTolerance)
    }

    /// Negative concentrations a run accepts: this many times atol, the integrator's error level.
    static var negativeAllowance: Double { 10 }

    /// The absolute tolerance of the error control (mol m⁻³).
    var absoluteTolerance: Double {
        settings.absoluteTolerance
            ?? TransientSettings.defaultAbsoluteFraction * max(settings.concentrationScale(inlet: op.inletConcentration), 1e-300)
    }

    func solveAdaptive(closure: any EffectivenessClosure, resume: TransientState?, checkpointEvery: Int,
                       checkpoint: (TransientState) throws -> Void, shouldStop: () -> Bool,
                       progress: (Int, Int) -> Void) throws -> TransientSolution {
        let watch = Stopwatch()
        let atol = absoluteTolerance
        let model = AdaptiveModel(op: op, closure: closure,
                                  inlet: settings.inlet ?? .constant(level: op.inletConcentration))
        let integrator = try makeAdaptiveIntegrator(model, absoluteTolerance: atol)
        var run = try adaptiveStart(model, resume: resume)
        let ends = adaptiveSegments()
        for (k, end) in ends.enumerated() where k >= run.firstSegment {
            try integrator.restart(at: run.t, state: run.c, integrals: run.integrals)
            while run.t < end {
                try advance(&run, integrator, model, toward: end)
                progress(min(AdaptiveProgress.units, Int((run.t / settings.endTime * Double(AdaptiveProgress.units)).rounded(.down))),
                         AdaptiveProgress.units)
            }
            run.t = end
            run.integrals = try integrator.integrals()
            try checkNonNegative(run.c, op: op, time: run.t, allowance: Self.negativeAllowance * atol)
            if k + 1 < ends.count {
                let state = { run.state(segment: k + 1, caller: model.caller, integrator: integrator) }
                if checkpointEvery > 0 && (k + 1) % checkpointEvery == 0 { try checkpoint(state()) }
                if shouldStop() {
                    try checkpoint(state())
                    throw TransientInterrupted(step: k + 1, steps: ends.count, time: run.t)
                }
            }
        }
        return try adaptiveSolution(run, model, integrator, closure: closure, watch: watch)
    }

    /// CVODES on dc/dt = −r(c)/V with the model's Jacobian and the quadratures of the AUC and the
    /// inflow, outflow and uptake.
    func makeAdaptiveIntegrator(_ model: AdaptiveModel<Operator>, absoluteTolerance atol: Double) throws -> AdaptiveBDF {
        let n = op.cells
        return try AdaptiveBDF(
            count: n, bandwidths: model.scratchJacobian.bandwidths, quadratures: n + 3,
            relativeTolerance: settings.relativeTolerance, absoluteTolerance: atol,
            quadratureAbsoluteTolerance: atol * settings.endTime,
            rhs: { t, c in try model.rate(t, c) },
            jacobian: { t, c in try model.rateJacobian(t, c) },
            quadrature: { t, c in model.quadrature(t, c) })
    }

    /// The state to start from: the initial profile, or `resume` (checked) with the closure
    /// caller's counters restored.
    func adaptiveStart(_ model: AdaptiveModel<Operator>, resume: TransientState?) throws -> AdaptiveRun {
        let c = try settings.initialState(cells: op.cells)
        let threshold = settings.exposureThreshold ?? 0.5 * model.inlet.maximum
        var run = AdaptiveRun(c: c, exposure: Exposure(initial: c, threshold: threshold, storage: model.storage(c)))
        if let r = resume {
            if let problem = adaptiveResumeProblem(r) {
                throw MacroscaleError.invalidSettings("the saved state cannot continue this run: \(problem)")
            }
            (run.firstSegment, run.t, run.c, run.times, run.profiles) = (r.step, r.time, r.concentration, r.times, r.profiles)
            run.exposure = r.exposure!
            model.caller.calls = r.closureCalls
            model.caller.maxClampedCounts = r.maxClampedCounts
            run.before = r.statistics!
        }
        run.integrals = resume?.integrals ?? run.exposure.integrals
        run.pending = settings.outputTimes.filter { $0 > run.t }   // output times not reached yet
        if run.pending.last != settings.endTime { run.pending.append(settings.endTime) }
        return run
    }

    /// One integrator step toward `end`: the output times passed inside it, the exposure and any
    /// closure input far outside the training range.
    func advance(_ run: inout AdaptiveRun, _ integrator: AdaptiveBDF, _ model: AdaptiveModel<Operator>,
                 toward end: Double) throws {
        let previous = (run.t, run.c)
        run.t = try integrator.step(toward: end)
        run.c = integrator.state
        let t = run.t, c = run.c
        // Output times passed inside this step: interpolated; the segment's end: the step's own state.
        while let out = run.pending.first, out <= t {
            run.pending.removeFirst()
            let (profile, q) = out == t ? (c, try integrator.integrals()) : try integrator.interpolate(at: out)
            run.times.append(out)
            run.profiles.append(profile)
            run.exposure.record(time: out, integrals: q, storage: model.storage(profile))
        }
        run.exposure.observe(from: previous.0, previous.1, to: t, c)
        if let (e, x) = stateExcursion(c, op: model.operatorAt(t), closure: model.caller.closure) {
            run.excursionSteps += 1
            if run.firstExcursion == nil { run.firstExcursion = (t, x, e) }
        }
    }

    /// The solution at the end: profiles, final η (checked in range), exposure and statistics.
    func adaptiveSolution(_ run: AdaptiveRun, _ model: AdaptiveModel<Operator>, _ integrator: AdaptiveBDF,
                          closure: any EffectivenessClosure, watch: Stopwatch) throws -> TransientSolution {
        var exposure = run.exposure
        exposure.auc = Array(run.integrals[0..<op.cells])
        model.caller.op = model.operatorAt(run.t)
        let eta = try model.caller.evaluate(run.c, withSensitivity: false).eta
        try checkStateInRange(run.c, op: model.caller.op, closure: closure, time: run.t)
        let statistics = run.before.followed(by: integrator.statistics)
        let caller = model.caller
        var solution = TransientSolution(
            x: op.centres, times: run.times, concentration: run.profiles, eta: eta, gradient: caller.op.gradient(run.c),
            steps: statistics.steps, newtonIterations: 0, closureCalls: caller.calls,
            closureSeconds: caller.seconds, wallSeconds: watch.seconds,
            clampedCounts: caller.lastClampedCounts, maxClampedCounts: caller.maxClampedCounts,
            stateExcursionSteps: run.excursionSteps, firstStateExcursion: run.firstExcursion)
        solution.exposure = exposure
        solution.statistics = statistics
        return solution
    }
}

/// The state of an error-controlled run between integrator steps: time, profile, outputs so far,
/// exposure, the integrals at the last segment end and the statistics of earlier (resumed) runs.
struct AdaptiveRun {
    var firstSegment = 0
    var t = 0.0
    var c: [Double]
    var times: [Double]
    var profiles: [[Double]]
    var exposure: Exposure
    var integrals: [Double] = []
    var before = IntegratorStatistics()
    /// Output times not reached yet.
    var pending: [Double] = []
    var excursionSteps = 0
    var firstExcursion: (time: Double, x: Double, excursion: FeatureExcursion)? = nil

    init(c: [Double], exposure: Exposure) {
        self.c = c
        times = [0.0]
        profiles = [c]
        self.exposure = exposure
    }

    /// The checkpoint at the end of segment `segment`.
    func state<Operator>(segment: Int, caller: ClosureCaller<Operator>, integrator: AdaptiveBDF) -> TransientState {
        var s = TransientState(step: segment, time: t, concentration: c, previous: nil, previousStep: 0, times: times,
                               profiles: profiles, newtonIterations: 0, closureCalls: caller.calls,
                               maxClampedCounts: caller.maxClampedCounts)
        s.integrals = integrals
        s.exposure = exposure
        s.statistics = before.followed(by: integrator.statistics)
        return s
    }
}

/// The integrand of an error-controlled run: dc/dt = −r(c; η(c), cL(t))/V with η from the closure
/// at the current state in every right-hand side, its Jacobian with η's sensitivities, and the
/// quadrature integrands (c, inflow, outflow, uptake). A class: the integrator's callbacks and the
/// run share the closure caller (its counters) and the η of the last right-hand side.
final class AdaptiveModel<Operator: UpscaledOperator> {
    let op: Operator
    let inlet: InletSchedule
    let volumes: [Double]
    var caller: ClosureCaller<Operator>
    var lastEta: [Double]
    var scratchJacobian: Operator.Jacobian

    init(op: Operator, closure: any EffectivenessClosure, inlet: InletSchedule) {
        self.op = op
        self.inlet = inlet
        volumes = op.storageVolumes()
        caller = ClosureCaller(closure: closure, op: op)
        lastEta = [Double](repeating: 1, count: op.cells)
        scratchJacobian = op.makeJacobian()
    }

    func operatorAt(_ t: Double) -> Operator { op.withInletConcentration(inlet.concentration(at: t)) }
    func storage(_ c: [Double]) -> Double { zip(volumes, c).reduce(0) { $0 + $1.0 * $1.1 } }

    /// dc/dt = −r/V.
    func rate(_ t: Double, _ c: [Double]) throws -> [Double] {
        let o = operatorAt(t)
        caller.op = o
        let eta = try caller.evaluate(c, withSensitivity: false).eta
        lastEta = eta
        let r = o.assemble(c, eta: eta, sensitivity: nil, time: nil, jacobian: &scratchJacobian)
        return (0..<op.cells).map { -r[$0] / volumes[$0] }
    }

    /// ∂(dc/dt)/∂c = −(∂r/∂c)/V, with η's sensitivities.
    func rateJacobian(_ t: Double, _ c: [Double]) throws -> any UpscaledJacobian {
        let o = operatorAt(t)
        caller.op = o
        let (eta, sensitivity) = try caller.evaluate(c, withSensitivity: true)
        var j = o.makeJacobian()
        _ = o.assemble(c, eta: eta, sensitivity: sensitivity, time: nil, jacobian: &j)
        return ScaledRows(base: j, factors: volumes.map { -1 / $0 })
    }

    /// c and the inflow, outflow and uptake rates, with η of the last right-hand side (within the
    /// step's Newton tolerance of η(c)).
    func quadrature(_ t: Double, _ c: [Double]) -> [Double] {
        let b = operatorAt(t).balance(c, eta: lastEta)
        return c + [b.inflow, b.outflow, b.uptake]
    }
}

/// A Jacobian with each row i multiplied by factors[i] (−1/V_i: from ∂r/∂c to ∂(dc/dt)/∂c).
struct ScaledRows<Base: UpscaledJacobian>: UpscaledJacobian {
    let base: Base
    let factors: [Double]
    var bandwidths: (lower: Int, upper: Int) { base.bandwidths }
    func forEachEntry(_ body: (Int, Int, Double) -> Void) {
        base.forEachEntry { i, j, v in body(i, j, factors[i] * v) }
    }
    mutating func solve(_ rhs: [Double], scratch: inout [Double]) throws -> [Double] {
        var b = base
        return try b.solve(zip(rhs, factors).map { $0 / $1 }, scratch: &scratch)
    }
}
