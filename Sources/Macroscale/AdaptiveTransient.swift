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
        let n = op.cells
        let volumes = op.storageVolumes()
        let atol = absoluteTolerance
        let inlet = settings.inlet ?? .constant(level: op.inletConcentration)
        let threshold = settings.exposureThreshold ?? 0.5 * inlet.maximum
        var caller = ClosureCaller(closure: closure, op: op)
        var lastEta = [Double](repeating: 1, count: n)
        var scratchJacobian = op.makeJacobian()

        func operatorAt(_ t: Double) -> Operator { op.withInletConcentration(inlet.concentration(at: t)) }
        func storage(_ c: [Double]) -> Double { zip(volumes, c).reduce(0) { $0 + $1.0 * $1.1 } }

        let integrator = try AdaptiveBDF(
            count: n, bandwidths: scratchJacobian.bandwidths, quadratures: n + 3,
            relativeTolerance: settings.relativeTolerance, absoluteTolerance: atol,
            quadratureAbsoluteTolerance: atol * settings.endTime,
            rhs: { t, c in
                let o = operatorAt(t)
                caller.op = o
                let eta = try caller.evaluate(c, withSensitivity: false).eta
                lastEta = eta
                let r = o.assemble(c, eta: eta, sensitivity: nil, time: nil, jacobian: &scratchJacobian)
                return (0..<n).map { -r[$0] / volumes[$0] }
            },
            jacobian: { t, c in
                let o = operatorAt(t)
                caller.op = o
                let (eta, sensitivity) = try caller.evaluate(c, withSensitivity: true)
                var j = o.makeJacobian()
                _ = o.assemble(c, eta: eta, sensitivity: sensitivity, time: nil, jacobian: &j)
                return ScaledRows(base: j, factors: volumes.map { -1 / $0 })
            },
            quadrature: { t, c in
                // η of the last right-hand side (within the step's Newton tolerance of η(c)).
                let b = operatorAt(t).balance(c, eta: lastEta)
                return c + [b.inflow, b.outflow, b.uptake]
            })

        var c = try settings.initialState(cells: n)
        var t = 0.0
        var times = [0.0], profiles = [c]
        var exposure = Exposure(initial: c, threshold: threshold, storage: storage(c))
        var excursionSteps = 0
        var firstExcursion: (time: Double, x: Double, excursion: FeatureExcursion)? = nil
        var first = 0
        var before = IntegratorStatistics()
        if let r = resume {
            if let problem = adaptiveResumeProblem(r) {
                throw MacroscaleError.invalidSettings("the saved state cannot continue this run: \(problem)")
            }
            (first, t, c, times, profiles) = (r.step, r.time, r.concentration, r.times, r.profiles)
            exposure = r.exposure!
            caller.calls = r.closureCalls
            caller.maxClampedCounts = r.maxClampedCounts
            before = r.statistics!
        }
        var integrals = resume?.integrals ?? exposure.integrals
        func statistics() -> IntegratorStatistics { before.followed(by: integrator.statistics) }
        func state(_ segment: Int) -> TransientState {
            var s = TransientState(step: segment, time: t, concentration: c, previous: nil, previousStep: 0, times: times,
                                   profiles: profiles, newtonIterations: 0, closureCalls: caller.calls,
                                   maxClampedCounts: caller.maxClampedCounts)
            s.integrals = integrals
            s.exposure = exposure
            s.statistics = statistics()
            return s
        }
        let ends = adaptiveSegments()
        var pending = settings.outputTimes.filter { $0 > t }   // output times not reached yet
        if pending.last != settings.endTime { pending.append(settings.endTime) }
        for (k, end) in ends.enumerated() where k >= first {
            try integrator.restart(at: t, state: c, integrals: integrals)
            while t < end {
                let previous = (t, c)
                t = try integrator.step(toward: end)
                c = integrator.state
                // Output times passed inside this step: interpolated; the segment's end: the step's own state.
                while let out = pending.first, out <= t {
                    pending.removeFirst()
                    let (profile, q) = out == t ? (c, try integrator.integrals()) : try integrator.interpolate(at: out)
                    times.append(out)
                    profiles.append(profile)
                    exposure.record(time: out, integrals: q, storage: storage(profile))
                }
                exposure.observe(from: previous.0, previous.1, to: t, c)
                if let (e, x) = stateExcursion(c, op: operatorAt(t), closure: closure) {
                    excursionSteps += 1
                    if firstExcursion == nil { firstExcursion = (t, x, e) }
                }
                progress(min(AdaptiveProgress.units, Int((t / settings.endTime * Double(AdaptiveProgress.units)).rounded(.down))),
                         AdaptiveProgress.units)
            }
            t = end
            integrals = try integrator.integrals()
            try checkNonNegative(c, op: op, time: t, allowance: Self.negativeAllowance * atol)
            if k + 1 < ends.count {
                if checkpointEvery > 0 && (k + 1) % checkpointEvery == 0 { try checkpoint(state(k + 1)) }
                if shouldStop() {
                    try checkpoint(state(k + 1))
                    throw TransientInterrupted(step: k + 1, steps: ends.count, time: t)
                }
            }
        }
        exposure.auc = Array(integrals[0..<n])
        caller.op = operatorAt(t)
        let eta = try caller.evaluate(c, withSensitivity: false).eta
        try checkStateInRange(c, op: caller.op, closure: closure, time: t)
        var solution = TransientSolution(
            x: op.centres, times: times, concentration: profiles, eta: eta, gradient: caller.op.gradient(c),
            steps: statistics().steps, newtonIterations: 0, closureCalls: caller.calls,
            closureSeconds: caller.seconds, wallSeconds: watch.seconds,
            clampedCounts: caller.lastClampedCounts, maxClampedCounts: caller.maxClampedCounts,
            stateExcursionSteps: excursionSteps, firstStateExcursion: firstExcursion)
        solution.exposure = exposure
        solution.statistics = statistics()
        return solution
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
