import Closure
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

    /// The result of a steady or transient solve.
    public enum Outcome {
        case steady(SteadySolution)
        case transient(TransientSolution)
    }

    public init(scenario: RunScenario) throws {
        self.scenario = scenario
        let t = scenario.tissue
        let dStar: Double
        switch scenario.dispersion {
        case .constant(let d): dStar = d
        case .table: dStar = try EffectiveDispersion.table(peclet: t.dispersionPeclet, coefficient: t.dispersionCoefficient)
            .coefficient(atPeclet: t.peclet)
        }
        problem = UpscaledProblem(
            length: t.length, porosity: t.porosity, velocity: t.intrinsicVelocity, dispersion: dStar,
            km: t.km, Ka: t.Ka, inletConcentration: t.cL, cellRadius: t.effectiveRadius,
            thieleModulusSquared: t.thieleModulusSquared, peclet: t.peclet, diffusivityRatio: t.Dr)
        switch scenario.closure {
        case .constant(let eta): closure = ConstantClosure(eta: eta)
        case .analytic: closure = CylinderClosure()
        case .mlp(let path): closure = try MLPClosure(path: path)
        }
        op = try FiniteVolumeOperator(problem: problem, cells: scenario.cells, convection: scenario.convection)
    }

    var steadySettings: SteadySettings {
        SteadySettings(tolerance: scenario.tolerance, maxIterations: scenario.maxIterations)
    }

    var transientSettings: TransientSettings? { scenario.transient }

    /// Number of progress units the run reports (time steps; 1 for a steady solve).
    public func plannedSteps() throws -> Int {
        guard let settings = transientSettings else { return 1 }
        return try TransientSolver(operator: op, settings: settings).plannedSteps
    }

    /// Solves; `progress(done, total)` is called after each time step (once for steady runs).
    public func solve(progress: (Int, Int) -> Void = { _, _ in }) throws -> Outcome {
        if let settings = transientSettings {
            return .transient(try TransientSolver(operator: op, settings: settings).solve(closure: closure, progress: progress))
        }
        let solution = try SteadySolver(operator: op, settings: steadySettings).solve(closure: closure)
        progress(1, 1)
        return .steady(solution)
    }

    /// Writes the `upscaled` file atomically (`path.partial`, then rename).
    public func write(_ outcome: Outcome, to path: String) throws {
        try AtomicWrite.hdf5(to: path) { file in
            try FileHeader(kind: UpscaledFile.kind, programVersion: programVersion,
                           config: scenario.resolvedTOML, seed: scenario.seed).write(to: file)
            switch outcome {
            case .steady(let s):
                try UpscaledFile.write(s, problem: problem, closure: closure.summary, settings: steadySettings, to: file)
            case .transient(let s):
                try UpscaledFile.write(s, problem: problem, closure: closure.summary, settings: transientSettings!, to: file)
            }
        }
    }
}
