import ArgumentParser
import Workflows

/// `tissue dispersion --radius R --cells-per-tile N`: D*(Pe) from the β-phase closure problem on the
/// reference unit cell, optionally beside the reference table.
struct DispersionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dispersion",
        abstract: "Longitudinal effective dispersion D*(Pe) from the closure problem on the periodic unit cell.",
        discussion: """
        Solves v·∇b − Dβ∇²b = −ṽx in β, −n·∇b = nx on the cell walls, ⟨b⟩ = 0, on one 3 µm tile (centre \
        circle + four quarter circles of radius R, staircase mask), and prints D*/Dβ = 1 + ⟨∂b/∂x⟩ − ⟨ṽx b⟩/Dβ \
        at each Pe = ℓ⟨v⟩β/Dβ (ℓ = R unless --peclet-length). `--lattice inline` turns the same square \
        lattice (one circle per 4.5 µm²) so that a lattice axis is along the flow: one centred circle per \
        √4.5 µm tile. With --reference FILE (the effective_dispersion_…csv table) the reference D*/Dβ is \
        interpolated at the same Pe as the upscaled solver does (monotone cubic in Pe).

        --geometry hexagonal|voronoi|mask solves the same problem on another unit cell (with --porosity, \
        --seeds), so that a tissue gets its D*(Pe) from its own geometry; Pe then uses ℓ = r_eff. With \
        several seeds D* is the mean over their tiles (an ensemble of the same recipe), with min and max.
        """)

    @Option(help: "Cell radius of the circle row (m), e.g. 1e-6.")
    var radius: Double?

    @Option(help: "εβ of the unit cell (the circle row's radius follows from it; required for hexagonal and voronoi).")
    var porosity: Double?

    @Option(help: ArgumentHelp("Geometry seeds of Voronoi tiles or mask windows, comma-separated: D* is their mean, with the spread shown.", valueName: "S,S,…"))
    var seeds: String = "1"

    @OptionGroup(title: "Unit-cell geometry") var geometry: GeometryOptions

    @Option(help: "Grid cells along each side of the tile (3 µm staggered, 2.121 µm inline).")
    var cellsPerTile: Int = 60

    @Option(help: ArgumentHelp("Lattice orientation to the flow: staggered (the reference unit cell, 45°) or inline."))
    var lattice: String = "staggered"

    @Option(help: ArgumentHelp("Comma-separated Péclet numbers (default: the reference table's).", valueName: "Pe,Pe,…"))
    var peclet: PecletList = PecletList(values: DispersionWorkflow.referencePeclets)

    @Option(help: "Length ℓ (m) in Pe = ℓ⟨v⟩β/Dβ (default: the radius).")
    var pecletLength: Double?

    @Option(help: "Molecular diffusivity Dβ (m²/s).")
    var diffusivity: Double = 1e-10

    @Option(help: "Convection scheme: quick, central or upwind.")
    var scheme: String = "quick"

    @Option(help: "Reference table effective_dispersion_…csv to compare with.", completion: .file(extensions: ["csv"]))
    var reference: String?

    @Option(name: .shortAndLong, help: "Write the table as CSV here.")
    var output: String?

    @OptionGroup var options: OutputOptions

    func run() throws {
        var request = DispersionWorkflow.Request(radius: radius)
        request.porosity = porosity
        request.seeds = try seeds.split(separator: ",").map { part in
            guard let s = UInt64(part.trimmingCharacters(in: .whitespaces)) else {
                throw ValidationError("--seeds: '\(part)' is not a seed (a non-negative integer)")
            }
            return s
        }
        request.geometry = geometry.request
        request.cellsPerTile = cellsPerTile
        request.lattice = lattice
        request.peclets = peclet.values
        request.pecletLength = pecletLength
        request.diffusivity = diffusivity
        request.scheme = scheme
        request.reference = reference
        request.output = output
        request.policy = options.policy
        options.show(try DispersionWorkflow.run(request, reporter: options.reporter()))
    }
}

/// `--peclet 0.01,1,8`: non-negative Péclet numbers, comma-separated.
struct PecletList: ExpressibleByArgument {
    var values: [Double]

    init(values: [Double]) { self.values = values }

    init?(argument: String) {
        let parsed = argument.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
        guard !parsed.isEmpty, parsed.allSatisfy({ $0 != nil && $0! >= 0 && $0!.isFinite }) else { return nil }
        values = parsed.map { $0! }
    }

    var defaultValueDescription: String { values.map { DispersionWorkflow.formatNumber($0) }.joined(separator: ",") }
}
