import Config
import Averaging
import Macroscale
import NeuralNet
import Numerics
import Surrogate

/// Every table and key of each configuration file kind, declared once: type and unit, allowed
/// range, default, meaning, and which `kind` reads it. The loaders read keys by name and take all
/// of that from here; the key reference (`docs/config-keys.md`, `KeyReference`) and the "not used
/// by this run" warnings come from the same declarations.
enum Schema {
    /// The declaration of a dotted key ("tissue.peclet", "tissue.dispersion.peclet").
    static func spec(ofKey dotted: String, in schema: [TableSchema]) -> KeySpec? {
        for (path, table) in TableSchema.flatten(schema).reversed() where dotted.hasPrefix(path + ".") {
            if let spec = table.keys.first(where: { $0.name == String(dotted.dropFirst(path.count + 1)) }) { return spec }
        }
        return nil
    }

    // MARK: Tissue

    /// Keys of a tissue (a tissue file's `[tissue]`, or a scenario's inline `[tissue]`).
    static let tissueKeys: [KeySpec] = [
        .string("name", "tissue name, used in messages and outputs"),
        .quantity("length", .length, .positive, "length L of the strip (inlet at x = 0, outlet at x = L)")
            .plausible(1e-7...1e-1, "0.1 µm to 10 cm"),
        .quantity("effective_radius", .length, .positive,
                  "effective cell radius r = √(cell area / π); Pe, φ² and D* are based on it")
            .plausible(1e-8...1e-3, "10 nm to 1 mm"),
        .quantity("porosity", .dimensionless, .unitInterval, "fluid (β) volume fraction εβ"),
        .quantity("peclet", .dimensionless, .nonNegative, "Pe = r ⟨v⟩^β / Dβ (give this or `velocity`)"),
        .quantity("velocity", .velocity, .nonNegative, "intrinsic fluid velocity ⟨v⟩^β (give this or `peclet`)")
            .plausible(0...1e-1, "up to 10 cm/s"),
        .quantity("km", .reactionRate, .nonNegative,
                  "maximum Michaelis–Menten uptake rate of the cells (give this or `thiele_modulus_squared`)"),
        .quantity("thiele_modulus_squared", .dimensionless, .nonNegative, "φ² = km r² / (Ka Dβ) (give this or `km`)"),
        .quantity("Ka", .concentration, .positive, "Michaelis–Menten half-saturation concentration"),
        .quantity("cL", .concentration, .nonNegative, "inlet concentration at x = 0"),
        .quantity("Dr", .dimensionless, .positive, "diffusivity ratio Dσ / Dβ (cells over fluid)"),
        .quantity("D_beta", .diffusivity, .positive, "molecular diffusivity Dβ in the fluid")
            .plausible(1e-14...1e-7, "1e-14 to 1e-7 m2/s"),
    ]
    /// Tissue keys that give the same quantity in other terms (one of each pair).
    static let alternativeTissueKeys = ["peclet": "velocity", "velocity": "peclet",
                                        "km": "thiele_modulus_squared", "thiele_modulus_squared": "km"]
    /// Keys of a tissue's D*(Pe) table.
    static let dispersionTableKeys: [KeySpec] = [
        .string("source", default: "", "where the table comes from (the command that made it, or a citation)"),
        .quantities("peclet", .dimensionless, .nonNegative, "Pe of each point, strictly increasing, at least 2 points"),
        .quantities("D_star", .diffusivity, .positive, "longitudinal dispersion D* at each Pe (monotone cubic in between)"),
    ]
    static let dispersionTable = TableSchema("dispersion", dispersionTableKeys, readWhen: "dispersion.kind = \"table\"",
                                             "the tissue's D*(Pe) table")

    /// A tissue file (`tissues/*.toml`).
    static let tissueFile: [TableSchema] = [
        TableSchema("tissue", tissueKeys, "the tissue's parameters, in SI units or strings with units"),
        dispersionTable,
    ]

    // MARK: Scenario

    /// A scenario file (`examples/*.toml`). Its `[tissue]` either names a tissue file (`file`) and
    /// overrides some of its keys, or gives the whole tissue inline with `[tissue.dispersion]`.
    static let scenario: [TableSchema] = [
        TableSchema("run", [
            .choice("mode", RunMode.self, "steady: the steady profile; transient: the profile in time"),
            .integer("seed", atLeast: 0, default: 0, "seed recorded in the outputs"),
        ], "what to solve"),
        TableSchema("tissue", [.path("file", defaultText: "none: every tissue key inline",
                                     "tissue file whose keys the other keys of this table override")] + tissueKeys,
                    subtables: [dispersionTable], "the tissue: a tissue file and overrides, or every key inline"),
        TableSchema("grid", [
            .integer("cells", atLeast: 3, atMost: ScenarioLoader.maxCells, default: 1000, "finite-volume cells along the strip"),
        ], "the 1-D finite-volume grid"),
        TableSchema("solver", [
            .choice("convection", ConvectionScheme.self, default: .central, only: [.central, .upwind],
                    "face interpolation of the convective flux"),
            .quantity("tolerance", .dimensionless, .unitInterval, default: 1e-10,
                      "Newton tolerance on the scaled residual (also each implicit step's)"),
            .integer("max_iterations", atLeast: 1, default: 50, "most Newton iterations per solve"),
        ], "the nonlinear solver"),
        TableSchema("transient", [
            .choice("scheme", TimeScheme.self, defaultText: "\"cvode\"; \"bdf2\" when time_step is given",
                    "time integrator: error-controlled CVODES BDF, or fixed-step BDF2 / backward Euler"),
            .quantity("end_time", .time, .positive, "simulated time"),
            .quantity("time_step", .time, .positive, kinds: ["bdf2", "backward-euler"], "fixed time step (at most end_time)"),
            .quantity("rtol", .dimensionless, AllowedRange(lower: 0, upper: 1), default: TransientSettings.defaultRelativeTolerance,
                      kinds: ["cvode"], "relative tolerance of the error control"),
            .quantity("atol", .concentration, .positive, defaultText: "1e-8 × the largest inlet or initial concentration",
                      kinds: ["cvode"], "absolute tolerance of the error control"),
            .quantities("output_times", .time, AllowedRange(lower: 0, upper: nil),
                        "times at which the profile is stored, strictly increasing, in (0, end_time]; default: 10 evenly spaced"),
            .quantity("output_every", .time, .positive, "spacing of stored profiles (instead of output_times)"),
            .quantity("initial_concentration", .concentration, .nonNegative, default: 0, "uniform initial concentration"),
            .path("initial_profile", defaultText: "none",
                  "an `upscaled` file of the same grid whose profile is the initial state (instead of initial_concentration)"),
            .quantity("threshold", .concentration, .nonNegative, defaultText: "none",
                      "exposure threshold: the time each cell first reaches it is stored"),
        ], readWhen: "run.mode = \"transient\"", selector: "scheme", "time integration"),
        TableSchema("inlet", [
            .choice("kind", InletReader.Kind.self, "the inlet concentration in time"),
            .quantity("concentration", .concentration, .nonNegative, defaultText: "tissue.cL",
                      kinds: ["constant", "step", "bolus", "exponential", "periodic"], "inlet level"),
            .quantity("time", .time, .nonNegative, kinds: ["step"], "time of the step from 0 to the level"),
            .quantity("start", .time, .nonNegative, default: 0, kinds: ["bolus"], "start of the bolus"),
            .quantity("duration", .time, .positive, kinds: ["bolus", "periodic"], "length of the bolus or of each dose"),
            .quantity("decay_time", .time, .positive, kinds: ["exponential"], "e-folding time of the decay"),
            .quantity("period", .time, .positive, kinds: ["periodic"], "time between dose starts (at least the duration)"),
            .path("file", kinds: ["table"], "CSV of t (s), c (mol m-3) rows, strictly increasing in t"),
        ], readWhen: "run.mode = \"transient\"", "the inlet schedule; without it, a constant inlet at tissue.cL"),
        TableSchema("closure", [
            .choice("kind", ClosureKind.self, "η from a trained network (mlp), the isolated-cell formula, or a constant"),
            .quantity("eta", .dimensionless, .unitIntervalClosedAbove, kinds: ["constant"], "the constant effectiveness factor"),
            .path("model", kinds: ["mlp"], "trained η network (`model` HDF5 file)"),
        ], "the effectiveness-factor closure"),
        TableSchema("dispersion", [
            .choice("kind", DispersionKind.self, default: .table, "D* from the tissue's D*(Pe) table, or a constant"),
            .quantity("value", .diffusivity, .positive, kinds: ["constant"], "the constant D*"),
        ], "the longitudinal dispersion"),
        TableSchema("heterogeneity", [
            .choice("kind", Heterogeneity.Kind.self, "piecewise-constant zones, or a profile interpolated linearly"),
            .quantities("boundaries", .length, .nonNegative, kinds: ["zones"],
                        "zone boundaries in (0, L), strictly increasing (n boundaries, n + 1 zones)"),
            .quantities("x", .length, .nonNegative, kinds: ["profile"], "profile points in [0, L], strictly increasing"),
            .quantities("porosity", .dimensionless, .unitInterval, "εβ per zone or point"),
            .quantities("km", .reactionRate, .nonNegative, "km per zone or point"),
            .quantities("effective_radius", .length, .positive, "r per zone or point"),
        ], "tissue properties that vary along x (optional)"),
        TableSchema("output", [
            .string("file", defaultText: "results/<config name>.h5", "the output file, relative to the working directory"),
        ], "where the result goes"),
        TableSchema("sweep", [
            .other("vary", "array of strings \"section.key=v1,v2,…\" or \"section.key=lo:hi:n[:log]\"",
                   "the axes of the sweep (grid product, the first varies slowest); --vary replaces them"),
            .string("file", defaultText: "results/<config name>-sweep.h5", "the sweep file, relative to the working directory"),
        ], readWhen: "tissue sweep runs the scenario", "a parameter study of the scenario (`tissue sweep`)"),
    ] + tissueStripTables

    /// Tables of a tissue-strip DNS and validation scenario (`tissue dns tissue`, `tissue validate`;
    /// `ValidateScenario.swift`); `tissue run` does not read them.
    static let tissueStripTables: [TableSchema] = [
        TableSchema("dns", [
            .quantity("sample_length", .length, .positive, defaultText: "tissue.length / copies", "length of one tissue sample"),
            .quantity("height", .length, .positive, defaultText: "sample_length", "height of the strip"),
            .integer("copies", atLeast: 1, default: 4, "samples placed end to end along the strip"),
            .quantity("grid_spacing", .length, .positive, defaultText: "effective_radius / 24", "DNS grid spacing"),
            .other("seeds", "array of integers ≥ 0", defaultText: "[run.seed]", "geometry seeds, one strip DNS each"),
            .choice("geometry", StripGeometryKind.self, default: .voronoi, "Voronoi cells like the tissue's, or a segmented image"),
            .quantity("cell_area_spread", .dimensionless, AllowedRange(lower: 0, lowerInclusive: true, upper: 2, upperInclusive: true),
                      default: 0, kinds: ["voronoi"],
                      "cells of different sizes: the coefficient of variation of their areas (0: the plain recipe, whose own spread is about 0.1)"),
            .path("mask", kinds: ["mask"], "segmented image (HDF5 uint8, PGM or PNG)"),
            .string("mask_dataset", default: "mask", kinds: ["mask"], "dataset of an HDF5 mask"),
            .quantity("pixel_size", .length, .positive, kinds: ["mask"], "edge length of a mask pixel"),
            KeySpec("cells_are_dark", .boolean, default: TOMLValue(.boolean(false)), kinds: ["mask"],
                    "whether cells are the dark pixels of the mask"),
            .choice("convection", ConvectionScheme.self, default: .quick, "convection scheme of the DNS transport"),
            .string("file", defaultText: "results/<config name>-dns.h5", "the DNS output file"),
        ], readWhen: "tissue dns tissue or tissue validate runs the scenario", selector: "geometry", "the tissue-strip DNS"),
        TableSchema("average", [
            .quantity("window", .length, .positive, defaultText: "window_radii × effective_radius", "averaging window width"),
            .quantity("window_radii", .dimensionless, .positive, default: AveragingModule.defaultWindowRadii,
                      "averaging window width in effective radii (instead of window)"),
        ], readWhen: "tissue dns tissue or tissue validate runs the scenario", "the a-posteriori averaging"),
        TableSchema("compare", [
            .quantity("skip_inlet_radii", .dimensionless, .nonNegative, default: 1.0 / 3.0,
                      "inlet zone left out of the metrics, in effective radii"),
            .boolean("filter_upscaled", default: true, "average the upscaled profile with the same window before comparing"),
            .path("reference", defaultText: "none", "published profile CSV to compare with as well (a missing file is a warning)"),
            .string("plot", defaultText: "<output file>.svg", "the comparison plot"),
        ], readWhen: "tissue validate runs the scenario", "the upscaled-against-DNS comparison"),
    ]

    // MARK: Training

    /// A `tissue train` configuration.
    static let training: [TableSchema] = [
        TableSchema("run", [.integer("seed", atLeast: 0, default: 0, "seed of the initial weights, split and shuffles")], "the run"),
        TableSchema("data", [
            .other("file", "file name or array of file names",
                   "training set(s): `training-set` HDF5 files or the published CSV, relative to the config; several are one set"),
            .quantity("validation_fraction", .dimensionless, AllowedRange(lower: 0, upper: 0.5, upperInclusive: true), default: 0.05,
                      "fraction of the training split held out for early stopping"),
        ], "the training data"),
        TableSchema("network", [
            .other("features", "array of feature names", defaultText: "all six", "network inputs"),
            .other("hidden", "array of layer widths (integers 1…16384)", default: TOMLValue(.array([1024, 512, 256, 64, 16].map {
                TOMLValue(.integer($0)) })), "hidden layer widths"),
            .choice("activation", Activation.self, default: .relu, "hidden-layer activation"),
            .choice("initialization", WeightInitialization.self, default: .glorotUniform, "initial weights"),
        ], "the η network"),
        TableSchema("training", [
            .integer("epochs", atLeast: 1, default: 300, "most epochs"),
            .integer("batch_size", atLeast: 1, default: 256, "samples per step"),
            .choice("loss", Loss.self, default: .mape, "training loss"),
            .quantity("learning_rate", .dimensionless, .unitIntervalClosedAbove, default: 1e-3, "Adam learning rate"),
            .quantity("decay", .dimensionless, .unitIntervalClosedAbove, default: 1, "per-epoch learning-rate factor (1 = constant)"),
            .integer("patience", atLeast: 0, default: 40, "epochs without improvement before stopping (0 = never)"),
            .integer("checkpoint_every", atLeast: 0, default: 5, "epochs between checkpoints (0 = only when stopped)"),
        ], "the optimiser"),
        TableSchema("output", [
            .string("model", defaultText: "models/<config name>.h5", "the trained model, relative to the working directory"),
            .string("checkpoint", defaultText: "results/<config name>.checkpoint.h5", "the resume file"),
        ], "where the model goes"),
    ]

    // MARK: Surrogate

    /// A `tissue surrogate` configuration.
    static let surrogate: [TableSchema] = [
        TableSchema("run", [.integer("seed", atLeast: 0, default: 1, "seed of the training data and weights")], "the run"),
        TableSchema("problem", [
            .integer("lattice_size", atLeast: 4, default: 100, "n of the n × n lattice"),
            .quantity("diffusivity", .dimensionless, .positive, default: 1, "D in lattice units"),
            .quantity("decay_rate", .dimensionless, .positive, default: 1.0 / 400, "first-order decay rate in lattice units"),
            .quantity("source_radius", .dimensionless, .positive, default: 5, "radius of each disk source in lattice cells"),
            .integer("sources_min", atLeast: 1, default: 2, "fewest sources per field"),
            .integer("sources_max", atLeast: 1, default: 2, "most sources per field (at least sources_min)"),
            .quantity("strength_min", .dimensionless, .unitIntervalClosedAbove, default: 0.1, "weakest source strength (the strongest is 1)"),
        ], "the steady diffusion–decay problem"),
        TableSchema("data", [
            .string("train", default: "results/surrogate/train.h5", "training data set"),
            .integer("samples", atLeast: 2, default: 20000, "training fields"),
            .string("test", default: "results/surrogate/test.h5", "test data set"),
            .integer("test_samples", atLeast: 1, default: 1000, "test fields"),
            .integer("test_seed", atLeast: 0, defaultText: "run.seed + 1000", "seed of the test fields"),
            .integer("block_size", atLeast: 1, default: 500, "fields per resumable block"),
        ], "the generated data sets"),
        TableSchema("network", [
            .other("channels", "array of integers 1…1024", default: TOMLValue(.array([8, 16, 32, 64].map { TOMLValue(.integer($0)) })),
                   "channels per level of the encoder"),
            .other("pool_factors", "array of integers 2…64", default: TOMLValue(.array([2, 2, 5].map { TOMLValue(.integer($0)) })),
                   "pooling factor between levels"),
            .integer("convolutions_per_block", atLeast: 1, default: 2, "convolutions per level"),
            .integer("kernel", atLeast: 1, default: 3, "convolution kernel size"),
            .quantity("leaky_slope", .dimensionless, AllowedRange(lower: 0, lowerInclusive: true, upper: 1), default: 0.02,
                      "negative slope of the leaky ReLU"),
            .choice("output", SurrogateOutput.self, default: .linear, "output layer"),
        ], "the CNN"),
        TableSchema("training", [
            .integer("epochs", atLeast: 1, default: 10, "most epochs"),
            .integer("batch_size", atLeast: 1, default: 16, "fields per step"),
            .choice("loss", SurrogateLoss.self, default: .mae, "training loss"),
            .quantity("source_weight", .dimensionless, .nonNegative, default: 10, "weight of source cells in the source-weighted loss"),
            .quantity("learning_rate", .dimensionless, .unitIntervalClosedAbove, default: 1e-3, "Adam learning rate"),
            .quantity("decay", .dimensionless, .unitIntervalClosedAbove, default: 1, "per-epoch learning-rate factor"),
            .integer("patience", atLeast: 0, default: 0, "epochs without improvement before stopping (0 = never)"),
            .integer("checkpoint_every", atLeast: 0, default: 1, "epochs between checkpoints"),
            .quantity("validation_fraction", .dimensionless, AllowedRange(lower: 0, upper: 0.5, upperInclusive: true), default: 0.05,
                      "fraction held out for early stopping"),
            .integer("training_samples", atLeast: 0, default: 0, "fields used for training (0 = all)"),
            .quantity("time_limit_minutes", .dimensionless, .nonNegative, default: 0, "wall-time limit (0 = none)"),
        ], "the optimiser"),
        TableSchema("learning_curve", [
            .quantities("fractions", .dimensionless, .unitIntervalClosedAbove, "fractions of the training data"),
            .other("seeds", "array of integers ≥ 0", default: TOMLValue(.array([1, 2, 3].map { TOMLValue(.integer($0)) })),
                   "seeds per fraction"),
            .integer("epochs", atLeast: 1, default: 4, "epochs per run"),
            .string("output", default: "results/surrogate/curve", "output stem"),
        ], "`tissue surrogate learning-curve`"),
        TableSchema("output", [
            .string("model", default: "results/surrogate/model.h5", "the trained surrogate"),
            .string("checkpoint", default: "results/surrogate/model.checkpoint.h5", "the resume file"),
        ], "where the model goes"),
    ]
}
