import Closure
import Numerics

/// Shared pieces of the steady and transient solvers: closure calls and the inner
/// Michaelis–Menten Newton solve with η frozen.
struct ClosureCaller<Operator: UpscaledOperator> {
    let closure: any EffectivenessClosure
    /// The operator whose features the closure sees (with a time-dependent inlet: the current cL).
    var op: Operator
    var calls = 0
    var seconds = 0.0
    var lastClampedCounts = [Int](repeating: 0, count: EffectivenessFeature.count)
    var maxClampedCounts = [Int](repeating: 0, count: EffectivenessFeature.count)
    var lastClampedOutputs = 0

    init(closure: any EffectivenessClosure, op: Operator) {
        self.closure = closure
        self.op = op
    }

    /// η at state c and, if asked and meaningful, its sensitivities to ⟨c⟩/Ka and −r∂x⟨c⟩/Ka.
    mutating func evaluate(_ c: [Double], withSensitivity: Bool)
        throws -> (eta: [Double], sensitivity: EtaSensitivity?)
    {
        let wanted = withSensitivity && closure.dependsOnState
        let watch = Stopwatch()
        let result: ClosureEvaluation
        do {
            result = try closure.evaluate(op.features(c), sensitivities: wanted ? [.concentration, .concentrationGradient] : [])
        } catch ClosureError.farOutsideTrainingRange(let row, let feature, let value, let lo, let hi) {
            throw MacroscaleError.featureOutOfRange(feature: feature.name, value: value, cell: row, x: op.position(of: row),
                                                    minimum: lo, maximum: hi)
        }
        seconds += watch.seconds
        calls += 1
        lastClampedCounts = result.clampedCounts
        lastClampedOutputs = result.clampedOutputs
        for k in 0..<maxClampedCounts.count { maxClampedCounts[k] = max(maxClampedCounts[k], result.clampedCounts[k]) }
        let s = wanted ? EtaSensitivity(concentration: result.sensitivities[0],
                                                             gradient: result.sensitivities[1]) : nil
        return (result.eta, s)
    }
}


/// Solves r(c; η) = 0 with η held fixed: Newton on the Michaelis–Menten uptake with a
/// tridiagonal solve per step, concentrations clipped at 0. No closure calls.
/// Returns the solution and the number of Newton steps.
func solveWithFrozenEta<Operator: UpscaledOperator>(
    _ op: Operator, start: [Double], eta: [Double], time: TimeTerm?, tolerance: Double, maxIterations: Int,
    jacobian: inout Operator.Jacobian, scratch: inout [Double]) throws -> (c: [Double], steps: Int)
{
    var c = start
    let scale = op.residualScale
    for step in 0..<maxIterations {
        let r = op.assemble(c, eta: eta, sensitivity: nil, time: time, jacobian: &jacobian)
        let norm = maxNorm(r) / scale
        if norm <= tolerance { return (c, step) }
        guard norm.isFinite else { throw MacroscaleError.notConverged(iterations: step, residual: norm, time: nil) }
        let delta: [Double]
        do { delta = try jacobian.solve(r.map { -$0 }, scratch: &scratch) } catch {
            throw MacroscaleError.linearSolve("\(error)")
        }
        var change = 0.0, size = 0.0
        for i in 0..<c.count {
            let next = max(c[i] + delta[i], 0)
            change = max(change, abs(next - c[i]))
            size = max(size, abs(next))
            c[i] = next
        }
        // Round-off floor: the update no longer changes the iterate.
        if change <= 1e-14 * max(size, 1e-300) { return (c, step + 1) }
    }
    let r = op.assemble(c, eta: eta, sensitivity: nil, time: time, jacobian: &jacobian)
    let norm = maxNorm(r) / scale
    if norm <= tolerance { return (c, maxIterations) }
    throw MacroscaleError.notConverged(iterations: maxIterations, residual: norm, time: nil)
}

/// Anderson acceleration of a fixed-point map x ↦ G(x) (Walker & Ni, SIAM J. Numer. Anal. 2011):
/// with residuals f = G(x) − x of the last m + 1 steps, x⁺ = G(x) − Σ γ_j ΔG_j where γ minimises
/// ‖f − Σ γ_j Δf_j‖₂ (normal equations, m ≤ 2). Falls back to x⁺ = G(x) when the least-squares
/// problem is singular. Iterates are clipped at 0 (concentrations).
struct AndersonMixing {
    let depth: Int
    private var mapped: [[Double]] = []     // G(x_k), newest last
    private var residuals: [[Double]] = []  // f_k, newest last

    init(depth: Int) { self.depth = max(0, min(depth, 2)) }

    mutating func next(input x: [Double], mapped g: [Double]) -> [Double] {
        guard depth > 0 else { return g }
        let f = zip(g, x).map { $0 - $1 }
        mapped.append(g)
        residuals.append(f)
        if mapped.count > depth + 1 { mapped.removeFirst(); residuals.removeFirst() }
        let m = residuals.count - 1
        guard m >= 1 else { return g }
        // Δf_j = f_{k−j+1} − f_{k−j}, ΔG_j likewise, j = 1…m (newest first).
        let dF = (1...m).map { j in zip(residuals[m - j + 1], residuals[m - j]).map { $0 - $1 } }
        let dG = (1...m).map { j in zip(mapped[m - j + 1], mapped[m - j]).map { $0 - $1 } }
        func dot(_ a: [Double], _ b: [Double]) -> Double { zip(a, b).reduce(0) { $0 + $1.0 * $1.1 } }
        var gamma = [Double](repeating: 0, count: m)
        if m == 1 {
            let d = dot(dF[0], dF[0])
            guard d > 0 else { return g }
            gamma[0] = dot(dF[0], f) / d
        } else {
            let a11 = dot(dF[0], dF[0]), a12 = dot(dF[0], dF[1]), a22 = dot(dF[1], dF[1])
            let b1 = dot(dF[0], f), b2 = dot(dF[1], f)
            let det = a11 * a22 - a12 * a12
            guard det > 1e-14 * a11 * a22, det.isFinite else { return g }
            gamma = [(b1 * a22 - b2 * a12) / det, (a11 * b2 - a12 * b1) / det]
        }
        var out = g
        for j in 0..<m { for i in 0..<out.count { out[i] -= gamma[j] * dG[j][i] } }
        for i in 0..<out.count { out[i] = max(out[i], 0) }
        return out
    }
}

/// The first state feature (⟨c⟩/Ka, gradient) of `c` that lies far outside the closure's valid
/// range, with the cell and x where it happens.
func stateExcursion(_ c: [Double], op: some UpscaledOperator, closure: any EffectivenessClosure) -> (FeatureExcursion, x: Double)? {
    guard closure.dependsOnState,
          let e = closure.farOutsideValidRange(op.features(c), features: EffectivenessFeature.allCases.filter(\.isState)) else { return nil }
    return (e, op.position(of: e.row))
}

/// Numerical guard: η of the answer must not rest on a state far outside the closure's range.
func checkStateInRange(_ c: [Double], op: some UpscaledOperator, closure: any EffectivenessClosure, time: Double?) throws {
    if let (e, x) = stateExcursion(c, op: op, closure: closure) {
        throw MacroscaleError.stateOutOfRange(feature: e.feature.name, value: e.value, cell: e.row, x: x,
                                              minimum: e.minimum, maximum: e.maximum, time: time)
    }
}

/// Numerical guard: a concentration below −(1e-9 × the largest value in magnitude + `allowance`)
/// (beyond round-off, and beyond the integration tolerance of an error-controlled run) ends the
/// run with the cell, x and time where it happened.
func checkNonNegative(_ c: [Double], op: some UpscaledOperator, time: Double?, allowance: Double = 0) throws {
    var scale = op.inletConcentration
    for v in c { scale = max(scale, abs(v)) }
    if let k = c.indices.min(by: { c[$0] < c[$1] }), c[k] < -(1e-9 * scale + allowance) {
        throw MacroscaleError.negativeConcentration(cell: k, x: op.position(of: k), value: c[k], time: time)
    }
}
