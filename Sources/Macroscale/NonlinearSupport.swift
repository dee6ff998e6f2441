import Closure
import Numerics

/// Shared pieces of the steady and transient solvers: closure calls and the inner
/// Michaelis–Menten Newton solve with η frozen.
struct ClosureCaller {
    let closure: any EffectivenessClosure
    let op: FiniteVolumeOperator
    var calls = 0
    var seconds = 0.0
    var lastClampedCounts = [Int](repeating: 0, count: EffectivenessFeature.count)
    var maxClampedCounts = [Int](repeating: 0, count: EffectivenessFeature.count)
    var lastClampedOutputs = 0

    init(closure: any EffectivenessClosure, op: FiniteVolumeOperator) {
        self.closure = closure
        self.op = op
    }

    /// η at state c and, if asked and meaningful, its sensitivities to ⟨c⟩/Ka and −r∂x⟨c⟩/Ka.
    mutating func evaluate(_ c: [Double], withSensitivity: Bool)
        throws -> (eta: [Double], sensitivity: FiniteVolumeOperator.EtaSensitivity?)
    {
        let wanted = withSensitivity && closure.dependsOnState
        let watch = Stopwatch()
        let result = try closure.evaluate(op.features(c),
                                          sensitivities: wanted ? [.concentration, .concentrationGradient] : [])
        seconds += watch.seconds
        calls += 1
        lastClampedCounts = result.clampedCounts
        lastClampedOutputs = result.clampedOutputs
        for k in 0..<maxClampedCounts.count { maxClampedCounts[k] = max(maxClampedCounts[k], result.clampedCounts[k]) }
        let s = wanted ? FiniteVolumeOperator.EtaSensitivity(concentration: result.sensitivities[0],
                                                             gradient: result.sensitivities[1]) : nil
        return (result.eta, s)
    }
}

/// Wall-clock stopwatch on the monotonic clock.
struct Stopwatch {
    private let start = ContinuousClock.now

    /// Seconds since creation.
    var seconds: Double {
        let d = start.duration(to: ContinuousClock.now).components
        return Double(d.seconds) + Double(d.attoseconds) * 1e-18
    }
}

/// Solves r(c; η) = 0 with η held fixed: Newton on the Michaelis–Menten uptake with a
/// tridiagonal solve per step, concentrations clipped at 0. No closure calls.
/// Returns the solution and the number of Newton steps.
func solveWithFrozenEta(_ op: FiniteVolumeOperator, start: [Double], eta: [Double],
                        time: FiniteVolumeOperator.TimeTerm?, tolerance: Double, maxIterations: Int,
                        jacobian: inout TridiagonalSystem, scratch: inout [Double]) throws -> (c: [Double], steps: Int)
{
    var c = start
    let scale = op.residualScale
    for step in 0..<maxIterations {
        let r = op.assemble(c, eta: eta, time: time, jacobian: &jacobian)
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
    let r = op.assemble(c, eta: eta, time: time, jacobian: &jacobian)
    let norm = maxNorm(r) / scale
    if norm <= tolerance { return (c, maxIterations) }
    throw MacroscaleError.notConverged(iterations: maxIterations, residual: norm, time: nil)
}
