import ArgumentParser
import Workflows

/// `tissue dns …`: microscale direct numerical simulation.
struct DNSCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dns", abstract: "Microscale DNS: unit-cell realisations that create training data.",
        subcommands: [UnitCellCommand.self, TissueDNSCommand.self, DNSMergeCommand.self, DNSAuditCommand.self])
}

/// `tissue dns unitcell --inputs TABLE | --samples N --seed S`: run unit-cell realisations, write a `training-set` file.
struct UnitCellCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unitcell",
        abstract: "Run unit-cell realisations (Stokes flow + Michaelis–Menten transport) from an inputs table or sampled; write a training-set file.",
        discussion: """
        Realisations come from a table (--inputs: a CSV with header r,phi2,PL,Dr,cL in SI units, or the \
        reference COMSOL output Comsol_output_…csv, whose η of domains 2–5 is then compared with ours) or \
        are sampled (--samples N --seed S) from the reference distributions: εβ uniform on [0.2737, 0.8255], \
        φ² triangular on [0, 100] with mode 0, Dr uniform on [0.01, 1], cL uniform on [0.1, 10] mol/m³, and \
        PL chosen so that Pe is uniform on [0, --pe-max] (the reference's Pmax(r) is not stated); \
        --porosity-range, --phi2-max and --dr-range narrow or shift them (e.g. a supplement near a tissue's \
        parameters, trained together with the main campaign: `data.file = [MAIN, SUPPLEMENT]`). Realisation \
        k draws from its own random stream keyed by (seed, k), so results do not depend on sharding.

        --geometry chooses the unit cell: the circle row (default), a hexagonal circle lattice, periodic \
        Voronoi tiles (--voronoi-cells per tile, drawn per realisation from its stream, εβ by default on \
        [0.15, 0.6]) or windows of a segmented image (--mask, --pixel-size, --window). For non-circular \
        cells r is r_eff = √(mean cell area/π): φ² = km r_eff²/(Ka Dβ), Pe = r_eff⟨v⟩^β/Dβ and the \
        gradient feature −r_eff ∂x⟨c⟩^β/Ka over one tile. Each row's geometry is recorded in /samples/geometry.

        Against the COMSOL table, an error marked "!" is one where the table's η exceeds the largest η the \
        physics allows at the table's own ⟨c⟩^β: that of an isolated cell bathed at cL (comparison principle, \
        since c ≤ cL everywhere); the summary gives the statistics with and without such entries.

        --shard K/N runs the realisations k with k % N == K−1; join the shard outputs with `tissue dns merge`. \
        Progress is kept in OUTPUT.part.h5 (rewritten atomically every few realisations); --resume continues \
        from it, skipping finished realisations. A realisation whose solve fails is reported and counted \
        (failed_samples) and the campaign goes on.
        """)

    @Option(help: "Inputs table (CSV r,phi2,PL,Dr,cL, or the reference COMSOL table).", completion: .file(extensions: ["csv"]))
    var inputs: String?

    @Option(help: "Comma-separated 0-based data rows of the table to run (default: all).")
    var rows: String?

    @Option(help: "Number of sampled realisations (instead of --inputs).")
    var samples: Int?

    @Option(help: "Seed of the sampled realisations.")
    var seed: UInt64 = 0

    @Option(help: "Upper end of the uniform Pe distribution of sampled realisations.")
    var peMax: Double = 130

    @Option(help: ArgumentHelp("Uniform εβ range of sampled realisations (default per family: circle-row 0.2737:0.8255, the reference's, above 1 − π/4 ≈ 0.2146 where its cells touch; hexagonal 0.12:0.6; voronoi 0.15:0.6).", valueName: "min:max"))
    var porosityRange: String?

    @Option(name: .customLong("phi2-max"), help: "Upper end of the triangular φ² distribution (mode 0) of sampled realisations (reference: 100).")
    var thieleModulusSquaredMax: Double?

    @Option(name: .customLong("dr-range"), help: ArgumentHelp("Uniform Dr range of sampled realisations (reference: 0.01:1).", valueName: "min:max"))
    var diffusivityRatioRange: String?

    @Option(help: "Run part K of N (1-based): realisations k with k % N == K−1, e.g. 2/4.")
    var shard: String?

    @Flag(help: "Continue from OUTPUT.part.h5 of an interrupted run of the same campaign (if OUTPUT is already its complete result, only remove the stale part file).")
    var resume = false

    @Option(help: .hidden)
    var stopAfter: Int?

    @Option(help: "Rewrite OUTPUT.part.h5 after every N finished realisations.")
    var checkpointEvery: Int = 10

    @Option(help: ArgumentHelp("Grid cells along the tile (h = tile length / N; the circle row's tile is 3 µm), or 'auto': 60, refined per realisation to 120 or 240 where the reaction layer r_eff√(Dr/φ²) is thinner than 2.1 cells or the narrowest gap narrower than 5 (Voronoi tiles: also 180, for a layer under 0.6 cells or a gap under 2.75; docs/closures.md).", valueName: "N|auto"))
    var cellsPerTile: String = "auto"

    @Option(name: [.short, .customLong("output")], help: "Training-set file to write.")
    var outputPath: String = "results/unitcell.h5"

    @OptionGroup(title: "Unit-cell geometry") var geometry: GeometryOptions

    @OptionGroup var output: OutputOptions

    /// The options as a workflow request.
    var request: UnitCellWorkflow.Request {
        var r = UnitCellWorkflow.Request()
        r.inputs = inputs
        r.rows = rows
        r.samples = samples
        r.seed = seed
        r.pecletMax = peMax
        r.porosityRange = porosityRange
        r.thieleModulusSquaredMax = thieleModulusSquaredMax
        r.diffusivityRatioRange = diffusivityRatioRange
        r.shard = shard
        r.resume = resume
        r.stopAfter = stopAfter
        r.checkpointEvery = checkpointEvery
        r.cellsPerTile = cellsPerTile
        r.geometry = geometry.request
        r.output = outputPath
        r.policy = output.policy
        return r
    }

    func validate() throws {
        try validating { try request.validate() }
    }

    func run() throws {
        output.show(try UnitCellWorkflow.run(request, reporter: output.reporter()))
    }
}

/// `tissue dns merge OUT PART…`: join training-set files (e.g. shard outputs) deterministically.
struct DNSMergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Join training-set files (e.g. the outputs of --shard runs) into one, rows sorted by (realisation, domain).",
        discussion: """
        A realisation may appear in only one input file. The datasets of the merged file are identical to \
        those of a one-process run of the same campaign; failed_samples is summed.
        """)

    @Argument(help: "Merged training-set file to write.")
    var outputPath: String

    @Argument(help: "Training-set files to join.")
    var parts: [String]

    @Flag(help: "Merge a subset of a campaign's shards (default: every shard 1…N must be given).")
    var allowPartial = false

    @OptionGroup var output: OutputOptions

    func validate() throws {
        guard !parts.isEmpty else { throw ValidationError("give at least one training-set file to merge") }
    }

    func run() throws {
        output.show(try MergeWorkflow.run(output: outputPath, parts: parts, allowPartial: allowPartial, policy: output.policy))
    }
}

/// `tissue dns audit TABLE`: reference η that the physics rules out, found without any DNS.
struct DNSAuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Find the entries of the reference COMSOL table whose η exceeds the physical upper bound.",
        discussion: """
        In the unit-cell row c ≤ cL everywhere, and the uptake increases with c, so no tile can take up more \
        than if every cell were bathed at cL (comparison principle). At the table's own ⟨c⟩^β this bounds η \
        by ⟨c/(Ka+c)⟩ of an isolated cell at cL (a 1-D radial Michaelis–Menten problem, solved to 1e-6) \
        divided by ⟨c⟩^β/(Ka+⟨c⟩^β). Entries above the bound (by more than 0.1 %) are listed, with counts by Dr band.
        """)

    @Argument(help: "The reference COMSOL table (Comsol_output_…csv).", completion: .file(extensions: ["csv"]))
    var table: String

    @Option(help: "How many of the largest violations to list.")
    var show = 10

    @OptionGroup var output: ReportOptions

    func validate() throws {
        guard show >= 0 else { throw ValidationError("--show \(show): expected ≥ 0") }
    }

    func run() throws {
        output.show(try AuditWorkflow.run(table: table, show: show))
    }
}
