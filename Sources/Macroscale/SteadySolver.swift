import Closure
import Numerics

/// Settings of the steady nonlinear solve.
public struct SteadySettings: Sendable, Equatable {
    /// Stop when ‖r‖∞ / (v cL + D* cL / L) ≤ tolerance.
    public var tolerance: Double
    /// Upper bound on outer iterations (each one closure call).
    public var maxIterations: Int
    /// Picard steps continue while they contract the residual at least this fast
    /// (ratio of successive residuals); slower contraction switches to Newton, whose
    /// closure calls also carry η's sensitivities and cost about three plain calls.
    public var picardContraction: Double
    /// With a state-dependent closure, a residual that stops falling below this level is
    /// accepted as the closure's noise floor (float32 networks carry ~1e-7 relative noise).
    public var noiseFloor: Double
    /// Anderson acceleration of the Picard steps: number of earlier steps mixed in (0 = plain Picard).
    public var andersonDepth: Int

    public init(tolerance: Double = 1e-10, maxIterations: Int = 50, picardContraction: Double = 0.3,
                noiseFloor: Double = 1e-6, andersonDepth: Int = 2) {
        self.tolerance = tolerance
        self.maxIterations = maxIterations
        self.picardContraction = picardContraction
        self.noiseFloor = noiseFloor
        self.andersonDepth = andersonDepth
    }
}

/// Why the nonlinear iteration stopped.
public enum StopCriterion: String, Sendable {
    /// Relative residual ≤ tolerance.
    case residual
    /// Residual stagnated below the closure's noise floor (above the tolerance).
    case noiseFloor = "noise-floor"
}

/// What a steady solve returns: the profile and a record of how it was obtained.
public struct SteadySolution: Sendable {
    public var x: [Double]
    public var concentration: [Double]
    public var eta: [Double]
    public var gradient: [Double]
    public var iterations: Int
    /// Relative residual after each closure call (the last entry is the final residual).
    public var residualHistory: [Double]
    /// Iteration kind per entry of `residualHistory` ("picard" / "newton").
    public var iterationKinds: [String]
    public var criterion: StopCriterion
    public var closureCalls: Int
    public var closureSeconds: Double
    public var wallSeconds: Double
    /// Clamped closure inputs per feature at the final evaluation, and the maximum over the solve.
    public var clampedCounts: [Int]
    public var maxClampedCounts: [Int]
    public var clampedOutputs: Int
    /// Global balance (mol m⁻² s⁻¹): inflow at x = 0, outflow at x = L, total uptake.
    public var inflow: Double
    public var outflow: Double
    public var uptake: Double
}

/// Steady upscaled solve, few closure calls, each batched over all cells:
/// 1. Picard: η frozen at the last iterate, the Michaelis–Menten problem solved exactly by an
///    inner Newton iteration (tridiagonal solves, no closure calls); one closure call per step;
///    the steps are Anderson-accelerated (Walker & Ni 2011) when η depends on the state.
/// 2. If Picard contracts slowly (state-dependent η), damped Newton on the full residual, with
///    ∂η/∂⟨c⟩ and ∂η/∂(∂x⟨c⟩) from the closure in the tridiagonal Jacobian. When the quadratic
///    rate predicts convergence, the next call skips the sensitivities (it only confirms).
/// Concentrations are kept ≥ 0; a Newton step that raises the residual is halved (up to 4 times).
public struct SteadySolver<Operator: UpscaledOperator>: Sendable {
    public let op: Operator
    public let settings: SteadySettings

    public init(operator op: Operator, settings: SteadySettings = SteadySettings()) throws {
        guard settings.tolerance > 0, settings.maxIterations >= 1 else {
            throw MacroscaleError.invalidSettings("tolerance must be > 0 and max iterations ≥ 1")
        }
        self.op = op
        self.settings = settings
    }

    public func solve(closure: any EffectivenessClosure, initial: [Double]? = nil) throws -> SteadySolution {
        let watch = Stopwatch()
        let n = op.cells
        let start = initial ?? [Double](repeating: op.inletConcentration, count: n)
        guard start.count == n else { throw MacroscaleError.invalidSettings("initial profile has \(start.count) values for \(n) cells") }
        var caller = ClosureCaller(closure: closure, op: op)
        var jacobian = op.makeJacobian()
        var s = SteadyIterate(c: start, anderson: AndersonMixing(depth: closure.dependsOnState ? settings.andersonDepth : 0))
        let scale = op.residualScale
        var history: [Double] = []
        var kinds: [String] = []
        var criterion: StopCriterion? = nil
        var eta: [Double] = []

        var iteration = 0
        while iteration < settings.maxIterations {
            iteration += 1
            let (e, sens) = try caller.evaluate(s.c, withSensitivity: s.wantSensitivity)
            eta = e
            let r = op.assemble(s.c, eta: eta, sensitivity: sens, time: nil, jacobian: &jacobian)
            let norm = maxNorm(r) / scale
            guard norm.isFinite else {
                let bad = s.c.firstIndex { !$0.isFinite } ?? 0
                throw MacroscaleError.nonFinite(cell: bad, x: op.position(of: bad), time: nil)
            }
            let previousNorm = history.last
            history.append(norm)
            kinds.append(s.newtonMode ? "newton" : "picard")
            if norm <= settings.tolerance { criterion = .residual; break }
            // Stagnation above the tolerance but below the closure's noise floor.
            if s.stalls(norm: norm, previous: previousNorm, noiseFloor: settings.noiseFloor,
                        dependsOnState: closure.dependsOnState) {
                criterion = .noiseFloor
                break
            }
            if s.newtonMode {
                try newtonStep(&s, residual: r, norm: norm, hasSensitivity: sens != nil, jacobian: &jacobian)
            } else {
                try picardStep(&s, eta: eta, norm: norm, previous: previousNorm,
                               dependsOnState: closure.dependsOnState, jacobian: &jacobian)
            }
        }
        guard let stop = criterion else {
            throw MacroscaleError.notConverged(iterations: iteration, residual: history.last ?? .nan, time: nil)
        }
        let c = s.c
        try checkNonNegative(c, op: op, time: nil)
        try checkStateInRange(c, op: op, closure: closure, time: nil)
        let b = op.balance(c, eta: eta)
        return SteadySolution(
            x: op.centres, concentration: c, eta: eta, gradient: op.gradient(c),
            iterations: iteration, residualHistory: history, iterationKinds: kinds, criterion: stop,
            closureCalls: caller.calls, closureSeconds: caller.seconds, wallSeconds: watch.seconds,
            clampedCounts: caller.lastClampedCounts, maxClampedCounts: caller.maxClampedCounts,
            clampedOutputs: caller.lastClampedOutputs,
            inflow: b.inflow, outflow: b.outflow, uptake: b.uptake)
    }

    /// One damped Newton step on the full residual `r`: halve the last step if it raised the
    /// residual, ask for the sensitivities if this call had none, else solve and take the step
    /// (concentrations kept ≥ 0).
    func newtonStep(_ s: inout SteadyIterate, residual r: [Double], norm: Double, hasSensitivity: Bool,
                    jacobian: inout Operator.Jacobian) throws {
        if let step = s.lastStep, norm > step.norm, step.lambda > 1.0 / 16 {
            // The full step raised the residual: halve it and re-evaluate.
            let lambda = step.lambda / 2
            s.c = zip(step.c, step.delta).map { max($0 + lambda * $1, 0) }
            s.lastStep = (step.c, step.delta, step.norm, lambda)
            s.wantSensitivity = true
            return
        }
        if !hasSensitivity {
            // A confirming call found the residual still above tolerance: Newton again.
            s.wantSensitivity = true
            return
        }
        let delta: [Double]
        do { delta = try jacobian.solve(r.map { -$0 }, scratch: &s.scratch) } catch {
            throw MacroscaleError.linearSolve("\(error)")
        }
        // Quadratic convergence: next residual ≈ (norm/previous²)·norm².
        if let step = s.lastStep, step.norm > 0 {
            let predicted = norm * norm * norm / (step.norm * step.norm)
            s.wantSensitivity = !(predicted < 0.1 * settings.tolerance)
        } else {
            s.wantSensitivity = true
        }
        s.lastStep = (s.c, delta, norm, 1)
        for i in 0..<s.c.count { s.c[i] = max(s.c[i] + delta[i], 0) }
    }

    /// One Anderson-accelerated Picard step (η frozen, the Michaelis–Menten problem solved exactly);
    /// switches to Newton when it contracts slowly on a state-dependent closure.
    func picardStep(_ s: inout SteadyIterate, eta: [Double], norm: Double, previous: Double?, dependsOnState: Bool,
                    jacobian: inout Operator.Jacobian) throws {
        let mapped = try solveWithFrozenEta(op, start: s.c, eta: eta, time: nil,
                                            tolerance: settings.tolerance * 0.1, maxIterations: 100,
                                            jacobian: &jacobian, scratch: &s.scratch).c
        s.c = s.anderson.next(input: s.c, mapped: mapped)
        if dependsOnState, let p = previous, norm > settings.picardContraction * p {
            s.newtonMode = true
            s.wantSensitivity = true
        }
    }
}

/// The state of the steady iteration between closure calls.
struct SteadyIterate {
    var c: [Double]
    var scratch: [Double]
    var newtonMode = false
    var wantSensitivity = false
    /// The last Newton step: its start, direction, residual norm at the start and damping.
    var lastStep: (c: [Double], delta: [Double], norm: Double, lambda: Double)? = nil
    /// Consecutive iterations stalled at the noise floor.
    var stalled = 0
    var anderson: AndersonMixing

    init(c: [Double], anderson: AndersonMixing) {
        self.c = c
        scratch = [Double](repeating: 0, count: c.count)
        self.anderson = anderson
    }

    /// Whether the residual has stagnated twice in a row above the tolerance but below the
    /// closure's noise floor (a state-dependent closure only).
    mutating func stalls(norm: Double, previous: Double?, noiseFloor: Double, dependsOnState: Bool) -> Bool {
        if dependsOnState, let p = previous, norm <= noiseFloor, norm > 0.5 * p {
            stalled += 1
            return stalled >= 2
        }
        stalled = 0
        return false
    }
}
