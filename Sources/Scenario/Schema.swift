import Config

/// The tables and keys of each configuration file kind.
enum Schema {
    /// Keys of a tissue's `[tissue]` table.
    static let tissueKeys = ["name", "length", "effective_radius", "porosity", "peclet", "velocity", "km",
                             "thiele_modulus_squared", "Ka", "cL", "Dr", "D_beta"]
    /// Tissue keys that give the same quantity in other terms (one of each pair).
    static let alternativeTissueKeys = ["peclet": "velocity", "velocity": "peclet",
                                        "km": "thiele_modulus_squared", "thiele_modulus_squared": "km"]
    /// Keys of a tissue's D*(Pe) table.
    static let dispersionTableKeys = ["source", "peclet", "D_star"]

    /// A tissue file (`tissues/*.toml`).
    static let tissueFile: [TableSchema] = [
        TableSchema("tissue", tissueKeys),
        TableSchema("dispersion", dispersionTableKeys),
    ]

    /// A scenario file (`examples/*.toml`). Its `[tissue]` either names a tissue file (`file`) and
    /// overrides some of its keys, or gives the whole tissue inline with `[tissue.dispersion]`.
    static let scenario: [TableSchema] = [
        TableSchema("run", ["mode", "seed"]),
        TableSchema("tissue", ["file"] + tissueKeys, subtables: [TableSchema("dispersion", dispersionTableKeys)]),
        TableSchema("grid", ["cells"]),
        TableSchema("solver", ["convection", "tolerance", "max_iterations"]),
        TableSchema("transient", ["scheme", "end_time", "time_step", "output_times", "output_every", "initial_concentration",
                                  "initial_profile", "rtol", "atol", "threshold"]),
        TableSchema("inlet", ["kind", "concentration", "start", "duration", "time", "decay_time", "period", "file"]),
        TableSchema("closure", ["kind", "eta", "model"]),
        TableSchema("dispersion", ["kind", "value"]),
        TableSchema("heterogeneity", ["kind", "boundaries", "x", "porosity", "km", "effective_radius"]),
        TableSchema("output", ["file"]),
        TableSchema("sweep", ["vary", "file"]),
    ] + tissueStripTables

    /// Tables of a tissue-strip DNS and validation scenario (`tissue dns tissue`, `tissue validate`;
    /// `ValidateScenario.swift`); `tissue run` ignores them.
    static let tissueStripTables: [TableSchema] = [
        TableSchema("dns", ["sample_length", "height", "copies", "grid_spacing", "seeds", "geometry", "mask", "mask_dataset",
                            "pixel_size", "cells_are_dark", "convection", "file"]),
        TableSchema("average", ["window", "window_radii"]),
        TableSchema("compare", ["skip_inlet_radii", "filter_upscaled", "reference", "plot"]),
    ]


    /// Keys read only by some kinds: a `--set T.kind=…` drops the others' keys (`Overrides`).
    static let kindKeys: Overrides.KindKeys = [
        "closure": ["constant": ["eta"], "analytic": [], "mlp": ["model"]],
        "dispersion": ["table": [], "constant": ["value"]],
        "heterogeneity": ["zones": ["boundaries"], "profile": ["x"]],
        "inlet": Dictionary(uniqueKeysWithValues: InletReader.Kind.allCases.map { ($0.rawValue, InletReader.keys[$0]!) }),
    ]
}
