import CSundials
import Numerics

/// Work counters of an error-controlled integration (CVODES), summed over restarts.
public struct IntegratorStatistics: Sendable, Equatable {
    public var steps = 0
    public var rhsEvaluations = 0
    public var jacobianEvaluations = 0
    public var linearSetups = 0
    public var errorTestFailures = 0
    public var convergenceFailures = 0
    /// Order and step size (s) of the last internal step.
    public var lastOrder = 0
    public var lastStep = 0.0
    /// Restarts (at output times and input discontinuities).
    public var restarts = 0

    public init() {}

    /// These counters followed by `later`'s (a restart or a resumed process): sums, and the last
    /// order and step of whichever took the last step.
    public func followed(by later: IntegratorStatistics) -> IntegratorStatistics {
        var s = self
        s.steps += later.steps
        s.rhsEvaluations += later.rhsEvaluations
        s.jacobianEvaluations += later.jacobianEvaluations
        s.linearSetups += later.linearSetups
        s.errorTestFailures += later.errorTestFailures
        s.convergenceFailures += later.convergenceFailures
        s.restarts += later.restarts
        if later.steps > 0 { (s.lastOrder, s.lastStep) = (later.lastOrder, later.lastStep) }
        return s
    }

    /// Name and value of each counter, for files and summaries.
    public var namedValues: [(String, Double)] {
        [("steps", Double(steps)), ("rhs_evaluations", Double(rhsEvaluations)),
         ("jacobian_evaluations", Double(jacobianEvaluations)), ("linear_setups", Double(linearSetups)),
         ("error_test_failures", Double(errorTestFailures)), ("convergence_failures", Double(convergenceFailures)),
         ("last_order", Double(lastOrder)), ("last_step", lastStep), ("restarts", Double(restarts))]
    }
}

/// A failure reported by CVODES (flag < 0), with its name.
public struct IntegratorError: Error, CustomStringConvertible, Sendable {
    public let flag: Int32
    public let time: Double
    public var description: String {
        let name = CVodeGetReturnFlagName(Int(flag)).map { String(cString: $0) } ?? "flag \(flag)"
        return "time integration failed at t = \(time.messageText) s: CVODES \(name) (flag \(flag))"
    }
}

/// dy/dt = f(t, y) with a banded Jacobian, and quadratures q' = g(t, y), integrated by SUNDIALS
/// CVODES: variable-order (1–5) variable-step BDF with local error control |e_i| ≤ rtol |y_i| + atol,
/// Newton iterations with a band direct solver on the user's Jacobian. The quadratures are
/// integrated with the same steps under their own error control.
///
/// The callbacks may throw: the error ends the integration and is rethrown by `step`. A callback that
/// produces non-finite values asks CVODES to retry with a smaller step.
final class AdaptiveBDF {
    typealias RightHandSide = (_ t: Double, _ y: [Double]) throws -> [Double]
    typealias Jacobian = (_ t: Double, _ y: [Double]) throws -> any UpscaledJacobian
    typealias Quadrature = (_ t: Double, _ y: [Double]) throws -> [Double]

    let count: Int
    let quadratureCount: Int
    private let rhs: RightHandSide
    private let jacobian: Jacobian
    private let quadrature: Quadrature
    private var context: SUNContext?
    private var memory: UnsafeMutableRawPointer?
    private var y: N_Vector?
    private var q: N_Vector?
    private var matrix: SUNMatrix?
    private var solver: SUNLinearSolver?
    private var pendingError: Error?
    private var finished = IntegratorStatistics()
    private var started = false
    private(set) var time = 0.0

    init(count: Int, bandwidths: (lower: Int, upper: Int), quadratures: Int, relativeTolerance: Double,
         absoluteTolerance: Double, quadratureAbsoluteTolerance: Double, initialStep: Double? = nil,
         rhs: @escaping RightHandSide, jacobian: @escaping Jacobian, quadrature: @escaping Quadrature) throws {
        self.count = count
        self.quadratureCount = quadratures
        self.rhs = rhs
        self.jacobian = jacobian
        self.quadrature = quadrature
        try check(SUNContext_Create(nil, &context))
        y = N_VNew_Serial(sunindextype(count), context)
        memory = CVodeCreate(CV_BDF, context)
        guard y != nil, memory != nil else { throw IntegratorError(flag: -1, time: 0) }
        N_VConst(0, y)
        try check(CVodeInit(memory, { t, y, ydot, user in
            AdaptiveBDF.from(user).evaluateRHS(t, y, ydot)
        }, 0, y))
        try check(CVodeSetUserData(memory, Unmanaged.passUnretained(self).toOpaque()))
        try check(CVodeSStolerances(memory, relativeTolerance, absoluteTolerance))
        try check(CVodeSetMaxNumSteps(memory, 100_000))
        if let initialStep { try check(CVodeSetInitStep(memory, initialStep)) }
        matrix = SUNBandMatrix(sunindextype(count), sunindextype(bandwidths.upper), sunindextype(bandwidths.lower), context)
        solver = SUNLinSol_Band(y, matrix, context)
        guard matrix != nil, solver != nil else { throw IntegratorError(flag: -1, time: 0) }
        try check(CVodeSetLinearSolver(memory, solver, matrix))
        try check(CVodeSetJacFn(memory, { t, y, _, jac, user, _, _, _ in
            AdaptiveBDF.from(user).evaluateJacobian(t, y, jac)
        }))
        if quadratures > 0 {
            q = N_VNew_Serial(sunindextype(quadratures), context)
            N_VConst(0, q)
            try check(CVodeQuadInit(memory, { t, y, qdot, user in
                AdaptiveBDF.from(user).evaluateQuadrature(t, y, qdot)
            }, q))
            try check(CVodeQuadSStolerances(memory, relativeTolerance, quadratureAbsoluteTolerance))
            try check(CVodeSetQuadErrCon(memory, 1))
        }
    }

    deinit {
        if memory != nil { CVodeFree(&memory) }
        if let solver { SUNLinSolFree(solver) }
        if let matrix { SUNMatDestroy(matrix) }
        if let y { N_VDestroy(y) }
        if let q { N_VDestroy(q) }
        if context != nil { SUNContext_Free(&context) }
    }

    private static func from(_ user: UnsafeMutableRawPointer?) -> AdaptiveBDF {
        Unmanaged<AdaptiveBDF>.fromOpaque(user!).takeUnretainedValue()
    }

    private func check(_ flag: Int32) throws {
        if flag < 0 { throw pendingError ?? IntegratorError(flag: flag, time: time) }
    }

    private static func array(_ v: N_Vector?, _ n: Int) -> [Double] {
        Array(UnsafeBufferPointer(start: N_VGetArrayPointer(v), count: n))
    }

    /// Starts (or restarts) the integration at t0 from `state` and quadrature values `integrals`: the
    /// method's history is discarded, as at a discontinuity of the inputs.
    func restart(at t0: Double, state: [Double], integrals: [Double]) throws {
        precondition(state.count == count && integrals.count == quadratureCount)
        finished = statistics   // CVodeReInit resets the counters
        if started { finished.restarts += 1 }
        started = true
        let p = N_VGetArrayPointer(y)!
        for i in 0..<count { p[i] = state[i] }
        try check(CVodeReInit(memory, t0, y))
        if quadratureCount > 0 {
            let qp = N_VGetArrayPointer(q)!
            for i in 0..<quadratureCount { qp[i] = integrals[i] }
            try check(CVodeQuadReInit(memory, q))
        }
        time = t0
    }

    /// One internal step towards `stop`, never past it; returns the time reached.
    func step(toward stop: Double) throws -> Double {
        try check(CVodeSetStopTime(memory, stop))
        var t = time
        pendingError = nil
        let flag = CVode(memory, stop, y, &t, CV_ONE_STEP)
        if flag < 0 { throw pendingError ?? IntegratorError(flag: flag, time: t) }
        time = t
        return t
    }

    /// The state at the time reached.
    var state: [Double] { Self.array(y, count) }

    /// The quadratures at the time reached.
    func integrals() throws -> [Double] {
        guard quadratureCount > 0 else { return [] }
        var t = time
        try check(CVodeGetQuad(memory, &t, q))
        return Self.array(q, quadratureCount)
    }

    /// The state and quadratures at a time t inside the last step, from the method's interpolating
    /// polynomial (accurate to the local error tolerance).
    func interpolate(at t: Double) throws -> (state: [Double], integrals: [Double]) {
        let v = N_VNew_Serial(sunindextype(count), context)
        defer { N_VDestroy(v) }
        try check(CVodeGetDky(memory, t, 0, v))
        var integrals: [Double] = []
        if quadratureCount > 0 {
            let w = N_VNew_Serial(sunindextype(quadratureCount), context)
            defer { N_VDestroy(w) }
            try check(CVodeGetQuadDky(memory, t, 0, w))
            integrals = Self.array(w, quadratureCount)
        }
        return (Self.array(v, count), integrals)
    }

    /// Counters since the first start, over all restarts.
    var statistics: IntegratorStatistics {
        var current = IntegratorStatistics()
        var order: Int32 = 0
        CVodeGetNumSteps(memory, &current.steps)
        CVodeGetNumRhsEvals(memory, &current.rhsEvaluations)
        CVodeGetNumJacEvals(memory, &current.jacobianEvaluations)
        CVodeGetNumLinSolvSetups(memory, &current.linearSetups)
        CVodeGetNumErrTestFails(memory, &current.errorTestFailures)
        CVodeGetNumNonlinSolvConvFails(memory, &current.convergenceFailures)
        CVodeGetLastOrder(memory, &order)
        CVodeGetLastStep(memory, &current.lastStep)
        current.lastOrder = Int(order)
        return finished.followed(by: current)
    }

    // MARK: Callbacks (return 0 = success, > 0 = retry with a smaller step, < 0 = stop)

    private func evaluateRHS(_ t: Double, _ yv: N_Vector?, _ ydot: N_Vector?) -> Int32 {
        do {
            let f = try rhs(t, Self.array(yv, count))
            guard f.allSatisfy(\.isFinite) else { return 1 }
            let p = N_VGetArrayPointer(ydot)!
            for i in 0..<count { p[i] = f[i] }
            return 0
        } catch {
            pendingError = error
            return -1
        }
    }

    private func evaluateJacobian(_ t: Double, _ yv: N_Vector?, _ jac: SUNMatrix?) -> Int32 {
        do {
            let j = try jacobian(t, Self.array(yv, count))
            SUNMatZero(jac)
            var finite = true
            j.forEachEntry { row, column, value in
                if !value.isFinite { finite = false }
                SUNBandMatrix_Column(jac, sunindextype(column))![row - column] = value
            }
            return finite ? 0 : 1
        } catch {
            pendingError = error
            return -1
        }
    }

    private func evaluateQuadrature(_ t: Double, _ yv: N_Vector?, _ qdot: N_Vector?) -> Int32 {
        do {
            let g = try quadrature(t, Self.array(yv, count))
            guard g.allSatisfy(\.isFinite) else { return 1 }
            let p = N_VGetArrayPointer(qdot)!
            for i in 0..<quadratureCount { p[i] = g[i] }
            return 0
        } catch {
            pendingError = error
            return -1
        }
    }
}
