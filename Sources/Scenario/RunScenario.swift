import Config
/// The typed, validated result of loading a scenario: everything a run needs, in SI units.
import Macroscale
import Numerics

/// Parameters of one tissue strip (a `tissues/*.toml` file, possibly with overrides), SI units.
public struct TissueParameters: Sendable, Equatable {
    public var name: String
    /// Strip length L, m.
    public var length: Double
    /// Effective cell radius r, m.
    public var effectiveRadius: Double
    /// β-phase (extracellular) volume fraction εβ, 1.
    public var porosity: Double
    /// Pe = r ⟨v⟩^β / Dβ, 1.
    public var peclet: Double
    /// Michaelis–Menten maximum uptake rate km, mol m-3 s-1.
    public var km: Double
    /// Michaelis–Menten half-saturation concentration Ka, mol m-3.
    public var Ka: Double
    /// Inlet concentration cL, mol m-3.
    public var inletConcentration: Double
    /// Diffusivity ratio Dσ/Dβ, 1.
    public var Dr: Double
    /// β-phase molecular diffusivity Dβ, m2 s-1.
    public var diffusivityBeta: Double
    /// Péclet numbers of the D*(Pe) table, strictly increasing, 1.
    public var dispersionPeclet: [Double]
    /// Longitudinal effective dispersion D* at `dispersionPeclet`, m2 s-1.
    public var dispersionCoefficient: [Double]
    /// Where the D*(Pe) table comes from.
    public var dispersionSource: String

    public init(name: String, length: Double, effectiveRadius: Double, porosity: Double, peclet: Double,
                km: Double, Ka: Double, inletConcentration: Double, Dr: Double, diffusivityBeta: Double,
                dispersionPeclet: [Double], dispersionCoefficient: [Double], dispersionSource: String) {
        self.name = name
        self.length = length
        self.effectiveRadius = effectiveRadius
        self.porosity = porosity
        self.peclet = peclet
        self.km = km
        self.Ka = Ka
        self.inletConcentration = inletConcentration
        self.Dr = Dr
        self.diffusivityBeta = diffusivityBeta
        self.dispersionPeclet = dispersionPeclet
        self.dispersionCoefficient = dispersionCoefficient
        self.dispersionSource = dispersionSource
    }

    /// Intrinsic mean velocity ⟨v⟩^β = Pe Dβ / r, m s-1.
    public var intrinsicVelocity: Double { peclet * diffusivityBeta / effectiveRadius }
    /// Thiele modulus squared φ² = km r² / (Ka Dβ), 1.
    public var thieleModulusSquared: Double { km * effectiveRadius * effectiveRadius / (Ka * diffusivityBeta) }
}

/// Steady state or time-dependent solve.
public enum RunMode: String, Sendable, CaseIterable {
    case steady, transient
}

/// Which effectiveness-factor closure η provides.
public enum ClosureChoice: Sendable, Equatable {
    /// η fixed, in (0, 1].
    case constant(eta: Double)
    /// Analytic formula (for tests).
    case analytic
    /// Trained network; the path is usable from the working directory (resolved against the config's directory).
    case mlp(modelPath: String)
}

/// Where the longitudinal dispersion D* comes from.
public enum DispersionChoice: Sendable, Equatable {
    /// Interpolate the tissue's D*(Pe) table at the tissue's Pe.
    case table
    /// A fixed D*, m2 s-1.
    case constant(Double)
}

/// A validated upscaled-run scenario.
public struct RunScenario: Sendable, Equatable {
    /// The scenario file as given to the loader.
    public var configPath: String
    public var mode: RunMode
    public var seed: UInt64
    public var tissue: TissueParameters
    /// Number of finite-volume cells along the strip.
    public var cells: Int
    public var convection: ConvectionScheme
    /// Relative residual tolerance of the nonlinear solve.
    public var tolerance: Double
    public var maxIterations: Int
    /// Non-nil iff `mode == .transient`.
    /// Time stepping (Macroscale.TransientSettings; its tolerance is the solver tolerance).
    public var transient: TransientSettings?
    public var closure: ClosureChoice
    public var dispersion: DispersionChoice
    /// Notes for the user from loading (e.g. keys dropped when `--set` switched a table's kind).
    public var notes: [String] = []
    /// Tables and keys of the file that this run does not read (`ConfigSections.unusedWarnings`).
    public var warnings: [String] = []
    /// Properties that change along the strip (nil: a homogeneous strip).
    public var heterogeneity: Heterogeneity? = nil
    /// Transient runs: an `upscaled` file whose final profile is the initial state (read by the run).
    public var initialProfilePath: String? = nil
    /// Output file, relative to the working directory.
    public var outputPath: String
    /// The whole resolved configuration as canonical TOML (tissue inlined, overrides applied,
    /// SI values); loading it as a scenario from `configPath` gives back this same scenario.
    public var resolvedTOML: String

    public init(configPath: String, mode: RunMode, seed: UInt64, tissue: TissueParameters, cells: Int,
                convection: ConvectionScheme, tolerance: Double, maxIterations: Int, transient: TransientSettings?,
                closure: ClosureChoice, dispersion: DispersionChoice, outputPath: String, resolvedTOML: String) {
        self.configPath = configPath
        self.mode = mode
        self.seed = seed
        self.tissue = tissue
        self.cells = cells
        self.convection = convection
        self.tolerance = tolerance
        self.maxIterations = maxIterations
        self.transient = transient
        self.closure = closure
        self.dispersion = dispersion
        self.outputPath = outputPath
        self.resolvedTOML = resolvedTOML
    }
}
