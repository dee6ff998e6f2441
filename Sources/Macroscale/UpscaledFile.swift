import Closure
import HDF5Kit

/// The `upscaled` output file (DESIGN §5): `/macro/x`, `/macro/c`, `/macro/eta`, `/macro/dcdx`,
/// transient runs add `/macro/t` and `/macro/c_t` (nt × nx); `/macro/solver` records how the
/// answer was obtained and `/macro/parameters` the physical inputs, each with units.
public enum UpscaledFile {
    public static let kind = "upscaled"

    /// Writes the profile datasets shared by steady and transient runs and the parameters.
    static func writeProfile(x: [Double], c: [Double], eta: [Double], gradient: [Double], problem: UpscaledProblem,
                             medium: UpscaledMedium?, closure: String, to file: HDF5File) throws -> HDF5Group {
        let macro = try writeProfileDatasets(x: x, c: c, eta: eta, closure: closure, to: file)
        try macro.write("dcdx", gradient, units: "mol m-4", longName: "cell-centre gradient of <c>^beta")
        let p = try macro.createGroup("parameters")
        let entries: [(String, Double, String, String)] = [
            ("length", problem.length, "m", "strip length L"),
            ("porosity", problem.porosity, "1", "beta-phase volume fraction"),
            ("velocity", problem.velocity, "m s-1", "intrinsic mean velocity <v>^beta"),
            ("dispersion", problem.dispersion, "m2 s-1", "effective dispersion D*"),
            ("km", problem.km, "mol m-3 s-1", "maximum uptake rate"),
            ("Ka", problem.Ka, "mol m-3", "Michaelis constant"),
            ("inlet_concentration", problem.inletConcentration, "mol m-3", "inlet concentration cL"),
            ("cell_radius", problem.cellRadius, "m", "effective cell radius r"),
            ("thiele_modulus_squared", problem.thieleModulusSquared, "1", "phi^2 = km r^2/(Ka D_beta)"),
            ("peclet", problem.peclet, "1", "Pe = r <v>^beta / D_beta"),
            ("diffusivity_ratio", problem.diffusivityRatio, "1", "D_sigma / D_beta"),
        ]
        for (name, value, units, longName) in entries {
            try p.write(name, [value], units: units, longName: longName)
        }
        if let medium { try writeMedium(medium, to: macro) }
        return macro
    }

    /// `/macro/x`, `/macro/c`, `/macro/eta` and the closure attribute: the upscaled profile, also
    /// as carried by a `tissue validate` comparison file.
    @discardableResult
    public static func writeProfileDatasets(x: [Double], c: [Double], eta: [Double], closure: String,
                                            to file: HDF5File) throws -> HDF5Group {
        let macro = try file.root.createGroup("macro")
        try macro.write("x", x, units: "m", longName: "cell-centre position along the strip")
        try macro.write("c", c, units: "mol m-3", longName: "beta-intrinsic average concentration <c>^beta")
        try macro.write("eta", eta, units: "1", longName: "effectiveness factor from the closure")
        try macro.setAttribute("closure", closure)
        return macro
    }

    /// The profile of an `upscaled` file, with the strip length and cell radius of its parameters.
    public struct Profile: Sendable {
        public var x: [Double]
        public var c: [Double]
        public var eta: [Double]
        public var cellRadius: Double?
        public var length: Double?
    }

    /// Reads the profile of an open `upscaled` file (its kind checked).
    public static func readProfile(from file: HDF5File) throws -> Profile {
        try FileHeader.read(from: file, expecting: kind)
        let macro = try file.root.group("macro")
        let p = try macro.group("parameters")
        return Profile(x: try macro.dataset("x").read(Double.self), c: try macro.dataset("c").read(Double.self),
                       eta: try macro.dataset("eta").read(Double.self),
                       cellRadius: try p.dataset("cell_radius").read(Double.self).first,
                       length: try p.dataset("length").read(Double.self).first)
    }

    /// The profiles of a transient `upscaled` file at its output times (`/macro/t`, `/macro/c_t`);
    /// nil for a steady file.
    public static func readHistory(from file: HDF5File) throws -> (times: [Double], concentration: [[Double]])? {
        try FileHeader.read(from: file, expecting: kind)
        let macro = try file.root.group("macro")
        guard macro.contains("t"), macro.contains("c_t") else { return nil }
        let t = try macro.dataset("t").read(Double.self)
        let c = try macro.dataset("c_t").read(Double.self)
        guard !t.isEmpty, c.count % t.count == 0 else {
            throw HDF5Error(file: file.path, object: "/macro/c_t", message: "expected \(t.count) rows, one per output time")
        }
        let n = c.count / t.count
        return (t, (0..<t.count).map { Array(c[($0 * n)..<(($0 + 1) * n)]) })
    }

    /// `/macro/exposure` (per cell: AUC, peak and its time, time to the threshold) and
    /// `/macro/balance` (running totals at the output times and the mass balance residual).
    static func writeExposure(_ e: Exposure, to macro: HDF5Group) throws {
        let g = try macro.createGroup("exposure")
        try g.write("auc", e.auc, units: "mol m-3 s", longName: "area under the curve: integral of <c>^beta over time, per cell")
        try g.write("c_max", e.peak, units: "mol m-3", longName: "largest <c>^beta over the run, per cell")
        try g.write("t_max", e.peakTime, units: "s", longName: "time of c_max, per cell")
        try g.write("t_threshold", e.thresholdTime, units: "s",
                    longName: "first time <c>^beta reaches the threshold, per cell (NaN: never)")
        try g.setAttribute("threshold", e.threshold)
        try g.setAttribute("threshold_units", "mol m-3")
        let b = try macro.createGroup("balance")
        try b.write("t", e.times, units: "s", longName: "times of the running totals (t = 0 and the output times)")
        try b.write("inflow", e.inflow, units: "mol m-2", longName: "amount that entered at x = 0 since t = 0")
        try b.write("outflow", e.outflow, units: "mol m-2", longName: "amount that left at x = L since t = 0")
        try b.write("uptake", e.uptake, units: "mol m-2", longName: "amount taken up by the cells since t = 0")
        try b.write("storage", e.storage, units: "mol m-2", longName: "amount in the strip")
        try b.write("residual", e.balanceResidual, units: "mol m-2",
                    longName: "mass balance residual: inflow - outflow - uptake - (storage - initial storage)")
        try b.setAttribute("per", "unit beta-phase cross-section at the inlet")
    }

    /// `/macro/medium`: the tissue properties of each cell (constant for a homogeneous strip).
    static func writeMedium(_ m: UpscaledMedium, to macro: HDF5Group) throws {
        let g = try macro.createGroup("medium")
        try g.setAttribute("homogeneous", m.isHomogeneous ? 1 : 0)
        let entries: [(String, [Double], String, String)] = [
            ("porosity", m.porosity, "1", "beta-phase volume fraction per cell"),
            ("velocity", m.velocity, "m s-1", "intrinsic mean velocity <v>^beta per cell (superficial velocity conserved)"),
            ("dispersion", m.dispersion, "m2 s-1", "effective dispersion D* per cell"),
            ("km", m.km, "mol m-3 s-1", "maximum uptake rate per cell"),
            ("cell_radius", m.cellRadius, "m", "effective cell radius r per cell"),
            ("thiele_modulus_squared", m.thieleModulusSquared, "1", "phi^2 = km r^2/(Ka D_beta) per cell"),
            ("peclet", m.peclet, "1", "Pe = r <v>^beta / D_beta per cell"),
        ]
        for (name, values, units, longName) in entries {
            try g.write(name, values, units: units, longName: longName)
        }
    }

    static func writeClamping(_ counts: [Int], maximum: [Int], outputs: Int, to solver: HDF5Group) throws {
        try solver.write("clamped_inputs", counts.map(Int64.init), units: "1",
                         longName: "closure inputs clamped to the training range at the final evaluation, per feature")
        try solver.write("clamped_inputs_max", maximum.map(Int64.init), units: "1",
                         longName: "largest number of clamped closure inputs in any evaluation, per feature")
        try solver.writeStrings("feature_names", EffectivenessFeature.names, longName: "closure features, in order")
        try solver.setAttribute("clamped_outputs", outputs)
    }

    /// Writes a steady solution.
    public static func write(_ s: SteadySolution, problem: UpscaledProblem, medium: UpscaledMedium? = nil, closure: String,
                             settings: SteadySettings, to file: HDF5File) throws {
        let macro = try writeProfile(x: s.x, c: s.concentration, eta: s.eta, gradient: s.gradient, problem: problem,
                                     medium: medium, closure: closure, to: file)
        try macro.setAttribute("mode", "steady")
        let solver = try macro.createGroup("solver")
        try solver.setAttribute("method", "Picard start, then damped Newton; tridiagonal (Thomas) solves")
        try solver.setAttribute("iterations", s.iterations)
        try solver.setAttribute("stop_criterion", s.criterion.rawValue)
        try solver.setAttribute("tolerance", settings.tolerance)
        try solver.setAttribute("closure_calls", s.closureCalls)
        try solver.setAttribute("closure_seconds", s.closureSeconds)
        try solver.setAttribute("wall_seconds", s.wallSeconds)
        try solver.write("residual_history", s.residualHistory, units: "1",
                         longName: "relative residual |r|_inf / (v cL + D* cL / L) after each closure call")
        try solver.writeStrings("iteration_kinds", s.iterationKinds, longName: "picard or newton, per iteration")
        try solver.write("inflow", [s.inflow], units: "mol m-2 s-1", longName: "flux into the strip at x = 0")
        try solver.write("outflow", [s.outflow], units: "mol m-2 s-1", longName: "flux out of the strip at x = L")
        try solver.write("uptake", [s.uptake], units: "mol m-2 s-1", longName: "total uptake per unit cross-section")
        try writeClamping(s.clampedCounts, maximum: s.maxClampedCounts, outputs: s.clampedOutputs, to: solver)
    }

    /// Writes a transient solution (final profile under `/macro/c`, history under `/macro/c_t`).
    public static func write(_ s: TransientSolution, problem: UpscaledProblem, medium: UpscaledMedium? = nil, closure: String,
                             settings: TransientSettings, to file: HDF5File) throws {
        let macro = try writeProfile(x: s.x, c: s.concentration.last ?? [], eta: s.eta, gradient: s.gradient,
                                     problem: problem, medium: medium, closure: closure, to: file)
        try macro.setAttribute("mode", "transient")
        try macro.write("t", s.times, units: "s", longName: "output times")
        try macro.write("c_t", s.concentration.flatMap { $0 }, shape: [s.times.count, s.x.count], units: "mol m-3",
                        longName: "beta-intrinsic average concentration at the output times (nt x nx)")
        let solver = try macro.createGroup("solver")
        if let stats = s.statistics {
            try solver.setAttribute("method", "cvode: SUNDIALS CVODES variable-order BDF with local error control |e_i| <= rtol |c_i| + atol, closure at the current state in every right-hand side, band Jacobian with the closure's sensitivities; restarted at inlet jumps and at output times a tenth of the run apart, other outputs interpolated")
            try solver.setAttribute("rtol", settings.relativeTolerance)
            if let a = settings.absoluteTolerance { try solver.setAttribute("atol", a) }
            for (name, value) in stats.namedValues where name != "last_step" { try solver.setAttribute(name, Int(value)) }
            try solver.setAttribute("last_step", stats.lastStep)
        } else {
            try solver.setAttribute("method", "\(settings.scheme.rawValue), closure once per step at the extrapolated state, Newton on the uptake")
            try solver.setAttribute("steps", s.steps)
            try solver.setAttribute("newton_iterations", s.newtonIterations)
            try solver.setAttribute("time_step", settings.timeStep)
            try solver.setAttribute("tolerance", settings.tolerance)
        }
        if let e = s.exposure { try writeExposure(e, to: macro) }
        try solver.setAttribute("closure_calls", s.closureCalls)
        try solver.setAttribute("closure_seconds", s.closureSeconds)
        try solver.setAttribute("wall_seconds", s.wallSeconds)
        try writeClamping(s.clampedCounts, maximum: s.maxClampedCounts, outputs: 0, to: solver)
    }
}
