import Config

/// A tissue whose porosity, uptake or cell size changes along the strip (`[heterogeneity]`):
/// piecewise-constant zones or a tabulated profile. Properties not given stay the tissue's. The
/// velocity follows from flux conservation (u = εβ⟨v⟩^β constant; the tissue's ⟨v⟩^β is the
/// inlet's), Pe, φ² and D* from the local values (`Macroscale.UpscaledMedium`).
public struct Heterogeneity: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable {
        /// Zones between `positions` (the interior boundaries, m), one value per zone.
        case zones
        /// Values at `positions` (m), interpolated linearly, held constant beyond the ends.
        case profile
    }

    public var kind: Kind
    /// Zone boundaries (zones) or profile points (profile), strictly increasing, m.
    public var positions: [Double]
    /// εβ (1), km (mol m⁻³ s⁻¹) and r_eff (m): one per zone or per point; nil = the tissue's.
    public var porosity: [Double]?
    public var km: [Double]?
    public var effectiveRadius: [Double]?

    public init(kind: Kind, positions: [Double], porosity: [Double]?, km: [Double]?, effectiveRadius: [Double]?) {
        self.kind = kind
        self.positions = positions
        self.porosity = porosity
        self.km = km
        self.effectiveRadius = effectiveRadius
    }

    /// Number of values each property array must have: one per zone, or one per profile point.
    static func valueCount(_ kind: Kind, positions: Int) -> Int { kind == .zones ? positions + 1 : positions }

    /// The value of `values` (or `fallback` when nil) at position x (m).
    public func value(_ values: [Double]?, at x: Double, fallback: Double) -> Double {
        guard let values else { return fallback }
        switch kind {
        case .zones:
            // Zone k covers [positions[k−1], positions[k]); a cell centre on a boundary belongs to the next zone.
            return values[positions.firstIndex(where: { x < $0 }) ?? positions.count]
        case .profile:
            if x <= positions[0] { return values[0] }
            guard let k = positions.firstIndex(where: { x < $0 }) else { return values[values.count - 1] }
            let w = (x - positions[k - 1]) / (positions[k] - positions[k - 1])
            return values[k - 1] + w * (values[k] - values[k - 1])
        }
    }

    /// Reads `[heterogeneity]` (nil when the table is absent) for a strip of length `length` (m).
    static func read(_ h: SectionReader, length: Double?) -> Heterogeneity? {
        guard h.tableIsGiven else { return nil }
        guard let kind = h.choice("kind", Kind.self) else { return nil }
        let key = kind == .zones ? "boundaries" : "x"
        let range = length.map { AllowedRange(lower: 0, lowerInclusive: kind == .profile, upper: $0, upperInclusive: kind == .profile,
                                              upperName: "tissue.length") }
        guard let (positions, source) = h.quantityArray(key, range: range) else { return nil }
        var ok = true
        let minimum = kind == .zones ? 1 : 2
        if positions.count < minimum {
            h.report(source, "\(source.name) must have at least \(minimum) value\(minimum == 1 ? "" : "s"), got \(positions.count)")
            ok = false
        }
        if !h.checkStrictlyIncreasing(positions, source) { ok = false }
        let count = valueCount(kind, positions: positions.count)
        func property(_ name: String) -> [Double]?? {
            guard h.isPresent(name) else { return .some(nil) }
            guard let (values, v) = h.quantityArray(name) else { return nil }
            guard values.count == count else {
                h.report(v, "\(v.name) has \(values.count) values, expected \(count) (one per \(kind == .zones ? "zone: \(key) has \(positions.count) boundaries" : "point of \(key)"))")
                return nil
            }
            return .some(values)
        }
        let porosity = property("porosity")
        let km = property("km")
        let radius = property("effective_radius")
        guard ok, let porosity, let km, let radius else { return nil }
        if porosity == nil && km == nil && radius == nil {
            h.diagnostics.report(file: h.section.file, line: h.section.line, key: "heterogeneity",
                                 "[heterogeneity] changes nothing: give at least one of porosity, km, effective_radius")
            return nil
        }
        return Heterogeneity(kind: kind, positions: positions, porosity: porosity, km: km, effectiveRadius: radius)
    }
}
