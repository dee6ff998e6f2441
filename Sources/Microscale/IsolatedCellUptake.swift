import Numerics

/// Michaelis–Menten uptake of one circular cell whose boundary is held at a uniform
/// concentration c_s:
///
///     Dσ (1/ρ) d/dρ (ρ dc/dρ) = km c/(Ka + c)  in ρ < r,   c(r) = c_s.
///
/// With ρ̂ = ρ/r and ĉ = c/Ka this is  ĉ'' + ĉ'/ρ̂ = Λ ĉ/(1 + ĉ),  Λ = km r²/(Ka Dσ) = φ²/Dr
/// (φ² = km r²/(Ka Dβ) as in the reference table). In the linear limit ĉ ≪ 1 the mean uptake is
/// ĉ_s · 2 I₁(√Λ)/(√Λ I₀(√Λ)).
///
/// **Upper bound of a unit-cell η.** In the unit-cell row c ≤ cL everywhere (maximum principle:
/// the only source is the inlet c = cL; the uptake is a sink). The reaction is increasing in c, so
/// by the comparison principle the concentration in every circle (quarter circles are halves or
/// quarters of circles cut by mirror lines) is at most that of the isolated cell with c_s = cL,
/// pointwise. Hence, for any tile with β-average ⟨c⟩^β,
///
///     η ≤ ⟨ĉ/(1+ĉ)⟩_disc(c_s = cL) / [⟨c⟩^β/(Ka + ⟨c⟩^β)],
///
/// a bound that uses only the table's own inputs and averages, no DNS.
public enum IsolatedCellUptake {
    /// Mean of ĉ/(1+ĉ) over the disc (= mean uptake / km, in (0, 1)) for Λ = φ²/Dr and the
    /// boundary concentration ĉ_s = c_s/Ka. Finite volumes on `cells` annuli graded toward the
    /// boundary (ρ̂ = 1 − (1 − s)³), Newton to round-off; relative error < 1e-6 for Λ ≤ 1e4 at the
    /// default resolution.
    public static func meanUptake(lambda: Double, surfaceConcentration cs: Double, cells n: Int = 4000) throws -> Double {
        precondition(lambda >= 0 && cs >= 0 && n >= 4)
        if cs == 0 { return 0 }
        // Nodes ρ_0 = 0 … ρ_n = 1 (Dirichlet); control volumes between midpoints (area / 2π).
        // Distance from the boundary 1 − ρ̂ = (1 − s)³, kept separately so spacings near ρ̂ = 1 do not cancel.
        let depth = (0...n).map { (j: Int) -> Double in
            let s = 1 - Double(j) / Double(n)
            return s * s * s
        }
        let rho = depth.map { 1 - $0 }
        let face = (0..<n).map { 0.5 * (rho[$0] + rho[$0 + 1]) }
        var area = [Double](repeating: 0, count: n + 1)
        area[0] = 0.5 * face[0] * face[0]
        for j in 1..<n { area[j] = 0.5 * (face[j] * face[j] - face[j - 1] * face[j - 1]) }
        area[n] = 0.5 * (1 - face[n - 1] * face[n - 1])
        let conductance = (0..<n).map { face[$0] / (depth[$0] - depth[$0 + 1]) }

        // Unknowns ĉ_0 … ĉ_{n−1}; ĉ_n = ĉ_s.
        var c = [Double](repeating: cs, count: n + 1)
        var system = TridiagonalSystem(count: n)
        var residual = [Double](repeating: 0, count: n)
        var scratch = [Double](repeating: 0, count: n)
        var converged = false
        for _ in 0..<100 {
            for j in 0..<n {
                var f = -lambda * area[j] * c[j] / (1 + c[j])
                var diagonal = -lambda * area[j] / ((1 + c[j]) * (1 + c[j]))
                if j > 0 {
                    f += conductance[j - 1] * (c[j - 1] - c[j]); diagonal -= conductance[j - 1]
                    system.lower[j] = conductance[j - 1]
                }
                f += conductance[j] * (c[j + 1] - c[j]); diagonal -= conductance[j]
                system.upper[j] = j + 1 < n ? conductance[j] : 0
                system.diagonal[j] = diagonal
                residual[j] = -f
            }
            let step = try system.solve(residual, scratch: &scratch)
            var largest = 0.0
            for j in 0..<n {
                let next = max(c[j] + step[j], 0)
                largest = max(largest, abs(next - c[j]))
                c[j] = next
            }
            if largest <= 1e-14 * cs { converged = true; break }
        }
        guard converged else {
            throw UnitCellInputError(message: "isolated-cell uptake: Newton did not converge for Λ = \(lambda), c_s/Ka = \(cs)")
        }
        var uptake = 0.0
        for j in 0...n { uptake += area[j] * c[j] / (1 + c[j]) }
        return 2 * uptake   // disc area / 2π = 1/2
    }

    /// The largest η any tile of the unit-cell row can have at β-average ⟨c⟩^β (mol m⁻³) for
    /// these inputs (see the type's doc comment).
    public static func effectivenessUpperBound(inputs: UnitCellInputs, averageConcentration: Double,
                                               bathUptake: Double? = nil) throws -> Double {
        let uptake = try bathUptake ?? self.bathUptake(inputs: inputs)
        let c = averageConcentration / inputs.Ka
        return uptake * (1 + c) / c
    }

    /// ⟨ĉ/(1+ĉ)⟩ of an isolated cell of these inputs bathed at cL (the numerator of the bound).
    public static func bathUptake(inputs: UnitCellInputs) throws -> Double {
        try meanUptake(lambda: inputs.thieleModulusSquared / inputs.diffusivityRatio,
                       surfaceConcentration: inputs.inletConcentration / inputs.Ka)
    }
}

/// One reference-table η set against the isolated-cell upper bound at the table's own ⟨c⟩^β.
public struct EtaBoundCheck: Sendable, Equatable {
    /// Relative margin above the bound before an entry counts as exceeding it (the bound itself is
    /// accurate to 1e-6).
    public static let tolerance = 1e-3

    /// 0-based data row of the table and flow domain (2–5).
    public var row: Int
    public var domain: Int
    public var diffusivityRatio: Double
    public var referenceEta: Double
    public var upperBound: Double
    /// referenceEta / upperBound − 1.
    public var excess: Double { referenceEta / upperBound - 1 }
    /// The table's η is above the bound by more than `tolerance`: physically impossible.
    public var exceedsBound: Bool { referenceEta > upperBound * (1 + Self.tolerance) }
}

extension IsolatedCellUptake {
    /// The reference η of domains 2–5 of `row` against `effectivenessUpperBound` at the row's own
    /// ⟨c⟩^β; domains with ⟨c⟩^β = 0 (no bound) and rows without reference data give no check.
    public static func referenceBoundChecks(of row: UnitCellTableRow) throws -> [EtaBoundCheck] {
        guard let c = row.referenceConcentration, let eta = row.referenceEta else { return [] }
        let bath = try bathUptake(inputs: row.inputs)
        return try (1...4).filter { c[$0] > 0 }.map { d in
            EtaBoundCheck(row: row.index, domain: d + 1, diffusivityRatio: row.inputs.diffusivityRatio, referenceEta: eta[d],
                          upperBound: try effectivenessUpperBound(inputs: row.inputs, averageConcentration: c[d], bathUptake: bath))
        }
    }
}
