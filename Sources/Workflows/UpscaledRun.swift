import Scenario
import Closure
import Config
import Foundation
import HDF5Kit
import Macroscale

/// Version stamped into every output file (`program_version`).
public let programVersion = "0.1.0"

/// A scenario turned into a solvable upscaled problem: the physical problem, the closure,
/// and the solver settings; runs it and writes the `upscaled` file.
public struct UpscaledRun {
    public let scenario: RunScenario
    public let problem: UpscaledProblem
    public let closure: any EffectivenessClosure
    public let op: FiniteVolumeOperator
    /// Transient runs: the settings, with the initial profile read from its file.
    public let transientSettings: TransientSettings?

    /// The result of a steady or transient solve.
    public enum Outcome {
        case steady(SteadySolution)
        case transient(TransientSolution)
    }

    public init(scenario: RunScenario) throws {
        self.scenario = scenario
        let t = scenario.tissue
        let dispersion: EffectiveDispersion
        switch scenario.dispersion {
        case .constant(let d): dispersion = .constant(d)
        case .table: dispersion = try EffectiveDispersion.table(peclet: t.dispersionPeclet, coefficient: t.dispersionCoefficient)
        }
        problem = UpscaledProblem(
            length: t.length, porosity: t.porosity, velocity: t.intrinsicVelocity,
            dispersion: dispersion.coefficient(atPeclet: t.peclet),
            km: t.km, Ka: t.Ka, inletConcentration: t.inletConcentration, cellRadius: t.effectiveRadius,
            thieleModulusSquared: t.thieleModulusSquared, peclet: t.peclet, diffusivityRatio: t.Dr)
        switch scenario.closure {
        case .constant(let eta): closure = ConstantClosure(eta: eta)
        case .analytic: closure = CylinderClosure()
        case .mlp(let path): closure = try MLPClosure(path: path)
        }
        if let h = scenario.heterogeneity {
            try problem.validate()
            let medium = try UpscaledMedium(base: problem, cells: scenario.cells, diffusivityBeta: t.diffusivityBeta,
                                            dispersion: dispersion) { x in
                UpscaledMedium.LocalTissue(porosity: h.value(h.porosity, at: x, fallback: t.porosity),
                                           km: h.value(h.km, at: x, fallback: t.km),
                                           cellRadius: h.value(h.effectiveRadius, at: x, fallback: t.effectiveRadius))
            }
            op = try FiniteVolumeOperator(problem: problem, medium: medium, convection: scenario.convection)
        } else {
            op = try FiniteVolumeOperator(problem: problem, cells: scenario.cells, convection: scenario.convection)
        }
        var transient = scenario.transient
        if let path = scenario.initialProfilePath {
            transient?.initialProfile = try Self.initialProfile(path: path, cells: scenario.cells, config: scenario.configPath)
        }
        transientSettings = transient
    }

    /// The final profile of an `upscaled` file, as the initial state of a run on `cells` cells.
    static func initialProfile(path: String, cells: Int, config: String) throws -> [Double] {
        guard FileManager.default.fileExists(atPath: path) else {
            throw ScenarioError(file: config, key: "transient.initial_profile", message: "initial profile '\(path)' does not exist")
        }
        let file = try HDF5File.open(path)
        defer { try? file.close() }
        let profile = try UpscaledFile.readProfile(from: file)
        guard profile.c.count == cells else {
            throw ScenarioError(file: config, key: "transient.initial_profile",
                                message: "initial profile '\(path)' has \(profile.c.count) cells, this run's grid \(cells): run it with grid.cells = \(profile.c.count)")
        }
        return profile.c
    }

    var steadySettings: SteadySettings {
        SteadySettings(tolerance: scenario.tolerance, maxIterations: scenario.maxIterations)
    }

    /// Number of progress units the run reports (time steps; 1 for a steady solve).
    public func plannedSteps() throws -> Int {
        guard let settings = transientSettings else { return 1 }
        return try TransientSolver(operator: op, settings: settings).plannedSteps
    }

    /// Solves; `progress(done, total)` is called after each time step (once for steady runs).
    ///
    /// Transient runs are restartable: with a `checkpointPath` the state is saved there every
    /// `checkpointEvery` steps and when `shouldStop()` turns true (then `TransientInterrupted` is
    /// thrown); `resume` continues from that file (refused if it belongs to another config).
    public func solve(checkpointPath: String? = nil, checkpointEvery: Int = 0, resume: Bool = false,
                      shouldStop: @escaping () -> Bool = { false },
                      progress: (Int, Int) -> Void = { _, _ in }) throws -> Outcome {
        if let settings = transientSettings {
            let start = try resume ? checkpointPath.map { try readCheckpoint($0) } : nil
            let solver = try TransientSolver(operator: op, settings: settings)
            let solution = try solver.solve(
                closure: closure, resume: start, checkpointEvery: checkpointPath == nil ? 0 : checkpointEvery,
                checkpoint: { state in if let path = checkpointPath { try writeCheckpoint(state, to: path) } },
                shouldStop: shouldStop, progress: progress)
            return .transient(solution)
        }
        let solution = try SteadySolver(operator: op, settings: steadySettings).solve(closure: closure)
        progress(1, 1)
        return .steady(solution)
    }

    /// File kind of a transient run's saved state.
    public static let checkpointKind = "transient-checkpoint"

    /// Saves a transient state atomically, with this run's config as its identity.
    public func writeCheckpoint(_ state: TransientState, to path: String) throws {
        let n = op.cells
        try AtomicWrite.hdf5(to: path) { file in
            try FileHeader(kind: Self.checkpointKind, programVersion: programVersion,
                           config: scenario.resolvedTOML, seed: scenario.seed).write(to: file)
            let g = try file.root.createGroup("state")
            try g.write("concentration", state.concentration, units: "mol m-3", longName: "concentration after the last completed step")
            if let previous = state.previous {
                try g.write("previous", previous, units: "mol m-3", longName: "concentration one step earlier (BDF2 history)")
            }
            try g.write("times", state.times, units: "s", longName: "output times reached")
            try g.write("profiles", state.profiles.flatMap { $0 }, shape: [state.profiles.count, n], units: "mol m-3",
                        longName: "concentration at the output times reached")
            try g.setAttribute("step", state.step)
            try g.setAttribute("time", state.time)
            try g.setAttribute("previous_step", state.previousStep)
            try g.setAttribute("newton_iterations", state.newtonIterations)
            try g.setAttribute("closure_calls", state.closureCalls)
            try g.setAttribute("max_clamped_counts", state.maxClampedCounts)
            if let integrals = state.integrals, let e = state.exposure, let s = state.statistics {
                try Self.writeAdaptive(integrals: integrals, exposure: e, statistics: s, to: g)
            }
        }
    }

    /// Reads a saved transient state; refuses one written for another config.
    public func readCheckpoint(_ path: String) throws -> TransientState {
        let file = try HDF5File.open(path)
        defer { try? file.close() }
        let header = try FileHeader.read(from: file, expecting: Self.checkpointKind, hint: "a saved transient state")
        guard header.config == scenario.resolvedTOML else {
            throw HDF5Error(file: path, message: "was saved by a run of another config; start without --resume")
        }
        let g = try file.root.group("state")
        let n = op.cells
        let times = try g.dataset("times").read(Double.self)
        let flat = try g.dataset("profiles").read(Double.self)
        guard flat.count == times.count * n else {
            throw HDF5Error(file: path, message: "/state/profiles holds \(flat.count) values, expected \(times.count) × \(n)")
        }
        var state = TransientState(
            step: try g.intAttribute("step"), time: try g.doubleAttribute("time"),
            concentration: try g.dataset("concentration").read(Double.self),
            previous: g.contains("previous") ? try g.dataset("previous").read(Double.self) : nil,
            previousStep: try g.doubleAttribute("previous_step"), times: times,
            profiles: (0..<times.count).map { Array(flat[($0 * n)..<(($0 + 1) * n)]) },
            newtonIterations: try g.intAttribute("newton_iterations"), closureCalls: try g.intAttribute("closure_calls"),
            maxClampedCounts: try g.intArrayAttribute("max_clamped_counts"))
        if g.contains("exposure") { try Self.readAdaptive(into: &state, from: g, path: path) }
        if let settings = transientSettings, let problem = try TransientSolver(operator: op, settings: settings).resumeProblem(state) {
            throw HDF5Error(file: path, message: "cannot resume from this saved state: \(problem)")
        }
        return state
    }

    /// The error-controlled run's part of a saved state: quadratures, exposure record, counters.
    static func writeAdaptive(integrals: [Double], exposure e: Exposure, statistics s: IntegratorStatistics,
                              to g: HDF5Group) throws {
        try g.write("integrals", integrals, units: "1", longName: "quadratures: AUC per cell (mol m-3 s), inflow, outflow, uptake (mol m-2)")
        let x = try g.createGroup("exposure")
        try x.setAttribute("threshold", e.threshold)
        try x.setAttribute("initial_storage", e.initialStorage)
        for (name, values) in [("auc", e.auc), ("peak", e.peak), ("peak_time", e.peakTime), ("threshold_time", e.thresholdTime),
                               ("times", e.times), ("inflow", e.inflow), ("outflow", e.outflow), ("uptake", e.uptake),
                               ("storage", e.storage)] {
            try x.write(name, values, units: "1", longName: "exposure record: \(name)")
        }
        let counters = try g.createGroup("integrator")
        for (name, value) in s.namedValues { try counters.setAttribute(name, value) }
    }

    static func readAdaptive(into state: inout TransientState, from g: HDF5Group, path: String) throws {
        let x = try g.group("exposure")
        func read(_ name: String) throws -> [Double] { try x.dataset(name).read(Double.self) }
        var e = Exposure(initial: [], threshold: try x.doubleAttribute("threshold"), storage: try x.doubleAttribute("initial_storage"))
        (e.auc, e.peak, e.peakTime, e.thresholdTime) = (try read("auc"), try read("peak"), try read("peak_time"), try read("threshold_time"))
        (e.times, e.inflow, e.outflow, e.uptake, e.storage) = (try read("times"), try read("inflow"), try read("outflow"),
                                                               try read("uptake"), try read("storage"))
        let c = try g.group("integrator")
        var s = IntegratorStatistics()
        func count(_ name: String) throws -> Int {
            let v = try c.doubleAttribute(name)
            guard v >= 0, v <= Double(1 << 53) else { throw HDF5Error(file: path, message: "integrator counter \(name) = \(v) is out of range") }
            return Int(v)
        }
        (s.steps, s.rhsEvaluations, s.jacobianEvaluations) = (try count("steps"), try count("rhs_evaluations"), try count("jacobian_evaluations"))
        (s.linearSetups, s.errorTestFailures, s.convergenceFailures) = (try count("linear_setups"), try count("error_test_failures"),
                                                                        try count("convergence_failures"))
        (s.lastOrder, s.lastStep, s.restarts) = (try count("last_order"), try c.doubleAttribute("last_step"), try count("restarts"))
        state.integrals = try g.dataset("integrals").read(Double.self)
        state.exposure = e
        state.statistics = s
    }

    /// Writes the `upscaled` file atomically (`path.partial`, then rename).
    public func write(_ outcome: Outcome, to path: String) throws {
        try AtomicWrite.hdf5(to: path) { file in
            try FileHeader(kind: UpscaledFile.kind, programVersion: programVersion,
                           config: scenario.resolvedTOML, seed: scenario.seed).write(to: file)
            switch outcome {
            case .steady(let s):
                try UpscaledFile.write(s, problem: problem, medium: op.medium, closure: closure.summary, settings: steadySettings, to: file)
            case .transient(let s):
                try UpscaledFile.write(s, problem: problem, medium: op.medium, closure: closure.summary, settings: transientSettings!, to: file)
            }
            if let mlp = closure as? MLPClosure { try Self.writeModelProvenance(mlp, to: file) }
        }
    }

    /// `/macro/closure_model`: the network's file, its SHA-256 and its training provenance (the data's
    /// file and hash, seed, test metrics), so an output names exactly the model that made it.
    static func writeModelProvenance(_ mlp: MLPClosure, to file: HDF5File) throws {
        let g = try file.root.group("macro").createGroup("closure_model")
        try g.setAttribute("path", mlp.path)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: mlp.path))
        try g.setAttribute("sha256", SHA256.hex([UInt8](bytes)))
        for (key, value) in mlp.model.trainingAttributes.sorted(by: { $0.key < $1.key }) { try g.setAttribute("training_" + key, value) }
        for (key, value) in mlp.model.trainingNumbers.sorted(by: { $0.key < $1.key }) { try g.setAttribute("training_" + key, value) }
    }
}
