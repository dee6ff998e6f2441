import Config

/// The reference of every configuration file kind, written from `Schema` (docs/config-keys.md,
/// `tissue keys`).
public enum ConfigReference {
    /// The file kinds with a key reference.
    public enum Kind: String, CaseIterable, Sendable {
        case scenario, tissue, train, surrogate
    }

    public static func markdown(_ kind: Kind) -> String {
        switch kind {
        case .scenario:
            return KeyReference.markdown(title: "Scenario files (`tissue run`, `validate`, `dns tissue`, `sweep`, `check`)", intro: """
                A scenario names a tissue file in `[tissue] file` and may override any of its keys in `[tissue]`, \
                or gives every tissue key inline with `[tissue.dispersion]`. File names are relative to the scenario's \
                directory, output files to the working directory.
                """, tables: Schema.scenario)
        case .tissue:
            return KeyReference.markdown(title: "Tissue files (`tissues/*.toml`)", intro: """
                Give either `velocity` or `peclet`, and either `km` or `thiele_modulus_squared`; the other of each pair \
                is derived (Pe = r ⟨v⟩^β / Dβ, km = φ² Ka Dβ / r²). `tissues/template.toml` is a commented start.
                """, tables: Schema.tissueFile)
        case .train:
            return KeyReference.markdown(title: "Training configs (`tissue train`)", intro: """
                The η network and its optimiser. `data.file` is relative to the config's directory, outputs to the \
                working directory.
                """, tables: Schema.training)
        case .surrogate:
            return KeyReference.markdown(title: "Surrogate configs (`tissue surrogate …`)", intro: """
                The CNN surrogate for steady diffusion–decay fields, in lattice units.
                """, tables: Schema.surrogate)
        }
    }

    /// The whole reference: every kind, under a header that says how it is made.
    public static var document: String {
        """
        # Configuration keys

        Every key of every configuration file, written from the declarations in `Sources/Scenario/Schema.swift` \
        (`tissue keys KIND` prints one kind). Physical values are SI numbers or strings with units \
        ("20 um", "1e-10 m^2/s"). A misspelled key or table is an error; a known key or table that the \
        chosen mode or kind does not read is a warning naming its line. `--set section.key=value` overrides \
        any key, `--unset section.key` removes one, and a `--set` of a `kind` drops the keys only other kinds read.

        """ + Kind.allCases.map { "\n" + markdown($0) }.joined()
    }
}

extension ConfigReference.Kind {
    /// The kind of the configuration file at `path`, from its tables and keys: only `[tissue]` and
    /// `[dispersion]` (no `tissue.file`) a tissue file; `[problem]`, `[learning_curve]` or a surrogate
    /// `[data]` key a surrogate config; `[network]`, `[training]` or `[data]` a training config; anything
    /// else a scenario.
    public static func of(path: String) throws -> ConfigReference.Kind {
        let text = try Paths.read(path, what: "the config file", reportAs: path)
        let document = try TOMLParser.parse(text, file: path)
        let tables = Set(document.entries.map(\.key))
        if !tables.isEmpty, tables.isSubset(of: ["tissue", "dispersion"]), document[path: ["tissue", "file"]] == nil {
            return .tissue
        }
        let surrogateData = ["samples", "train", "test", "test_samples", "test_seed", "block_size"]
        if !tables.isDisjoint(with: ["problem", "learning_curve"])
            || surrogateData.contains(where: { document[path: ["data", $0]] != nil }) { return .surrogate }
        if !tables.isDisjoint(with: ["network", "training", "data"]) { return .train }
        return .scenario
    }
}
