import Numerics

/// Spatial parameters of the upscaled problem (DuMux's "spatial params"): the tissue properties
/// at each cell of the 1-D grid, so that a tissue whose porosity, uptake, cell size or velocity
/// changes along x can be expressed. A homogeneous strip has constant arrays.
///
/// In a heterogeneous strip the β-phase balance is written in conservative form,
///
///   ∂t(εβ⟨c⟩) + ∂x(u ⟨c⟩ − εβ D* ∂x⟨c⟩) = −εσ km η ⟨c⟩/(Ka + ⟨c⟩),
///
/// with the superficial velocity u = εβ⟨v⟩^β constant along the strip (the fluid flux is
/// conserved), so ⟨v⟩^β(x) = u/εβ(x); the local Pe = r⟨v⟩^β/Dβ and φ² = km r²/(Ka Dβ) use the
/// local r and km, and D*(x) comes from the D*(Pe) closure at the local Pe. For constant
/// properties this is DESIGN §2's equation multiplied by εβ.
public struct UpscaledMedium: Sendable, Equatable {
    /// Strip length L (m) and number of cells.
    public let length: Double
    public let cells: Int
    /// Michaelis constant Ka (mol m⁻³) and inlet concentration cL (mol m⁻³), uniform.
    public var Ka: Double
    public var inletConcentration: Double
    /// Per cell: εβ (1), ⟨v⟩^β (m s⁻¹), D* (m² s⁻¹), km (mol m⁻³ s⁻¹), r (m), φ² (1), Pe (1), Dr (1).
    public var porosity: [Double]
    public var velocity: [Double]
    public var dispersion: [Double]
    public var km: [Double]
    public var cellRadius: [Double]
    public var thieleModulusSquared: [Double]
    public var peclet: [Double]
    public var diffusivityRatio: [Double]

    /// A homogeneous strip: every cell has the problem's values.
    public init(homogeneous p: UpscaledProblem, cells: Int) {
        length = p.length
        self.cells = cells
        Ka = p.Ka
        inletConcentration = p.inletConcentration
        func constant(_ v: Double) -> [Double] { [Double](repeating: v, count: cells) }
        porosity = constant(p.porosity)
        velocity = constant(p.velocity)
        dispersion = constant(p.dispersion)
        km = constant(p.km)
        cellRadius = constant(p.cellRadius)
        thieleModulusSquared = constant(p.thieleModulusSquared)
        peclet = constant(p.peclet)
        diffusivityRatio = constant(p.diffusivityRatio)
    }

    /// The local tissue at a position: what may change along the strip.
    public struct LocalTissue: Sendable, Equatable {
        /// εβ (1), km (mol m⁻³ s⁻¹), effective cell radius r (m).
        public var porosity: Double
        public var km: Double
        public var cellRadius: Double
        public init(porosity: Double, km: Double, cellRadius: Double) {
            self.porosity = porosity
            self.km = km
            self.cellRadius = cellRadius
        }
    }

    /// A heterogeneous strip: `base` gives L, Ka, cL, Dr and the inlet's ⟨v⟩^β; `local(x)` the tissue
    /// at each cell centre x. The superficial velocity u = εβ,0⟨v⟩^β of the first cell is
    /// conserved: ⟨v⟩^β_i = u/εβ_i. Pe_i = r_i⟨v⟩^β_i/Dβ, φ²_i = km_i r_i²/(Ka Dβ) and
    /// D*_i = `dispersion`(Pe_i).
    public init(base: UpscaledProblem, cells: Int, diffusivityBeta dBeta: Double, dispersion: EffectiveDispersion,
                local: (Double) -> LocalTissue) throws {
        self.init(homogeneous: base, cells: cells)
        let centres = UniformGrid1D(length: base.length, cells: cells).centres
        let tissue = centres.map(local)
        guard dBeta > 0, dBeta.isFinite else {
            throw MacroscaleError.invalidProblem("molecular diffusivity Dβ = \(dBeta) m²/s must be > 0")
        }
        let u = tissue[0].porosity * base.velocity
        for (i, t) in tissue.enumerated() {
            porosity[i] = t.porosity
            km[i] = t.km
            cellRadius[i] = t.cellRadius
            velocity[i] = t.porosity == tissue[0].porosity ? base.velocity : u / t.porosity
            peclet[i] = t.cellRadius * velocity[i] / dBeta
            thieleModulusSquared[i] = t.km * t.cellRadius * t.cellRadius / (base.Ka * dBeta)
            self.dispersion[i] = dispersion.coefficient(atPeclet: peclet[i])
        }
        try validate()
    }

    /// Whether every property is the same in every cell.
    public var isHomogeneous: Bool {
        [porosity, velocity, dispersion, km, cellRadius, thieleModulusSquared, peclet, diffusivityRatio]
            .allSatisfy { a in a.allSatisfy { $0 == a[0] } }
    }

    /// Checks the per-cell values a solve relies on; names the first bad one with its cell.
    public func validate() throws {
        func check(_ values: [Double], _ name: String, _ ok: (Double) -> Bool, _ expected: String) throws {
            if let i = values.firstIndex(where: { !ok($0) }) {
                throw MacroscaleError.invalidProblem("\(name) = \(values[i]) in cell \(i) must be \(expected)")
            }
        }
        guard porosity.count == cells, velocity.count == cells, dispersion.count == cells, km.count == cells,
              cellRadius.count == cells, thieleModulusSquared.count == cells, peclet.count == cells,
              diffusivityRatio.count == cells else {
            throw MacroscaleError.invalidProblem("per-cell properties must have one value for each of the \(cells) cells")
        }
        try check(porosity, "porosity εβ", { $0 > 0 && $0 < 1 }, "in (0, 1)")
        try check(velocity, "velocity ⟨v⟩^β", { $0 >= 0 && $0.isFinite }, "≥ 0 m/s")
        try check(dispersion, "dispersion D*", { $0 > 0 && $0.isFinite }, "> 0 m²/s")
        try check(km, "km", { $0 >= 0 && $0.isFinite }, "≥ 0 mol/m³/s")
        try check(cellRadius, "cell radius r", { $0 > 0 && $0.isFinite }, "> 0 m")
        // Flux conservation: u = εβ⟨v⟩^β is the same in every cell (to round-off).
        let u0 = porosity[0] * velocity[0]
        if let i = (0..<cells).first(where: { abs(porosity[$0] * velocity[$0] - u0) > 1e-12 * max(abs(u0), 1e-300) }) {
            throw MacroscaleError.invalidProblem("superficial velocity εβ⟨v⟩^β = \(porosity[i] * velocity[i]) m/s in cell \(i) differs from the inlet's \(u0) m/s: the fluid flux must be conserved")
        }
    }
}
