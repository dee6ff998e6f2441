import Foundation
import Numerics
import Testing
@testable import Microscale

/// The isolated-cell uptake and the physical upper bound of a unit-cell η it gives.
@Suite struct IsolatedCellUptakeTests {
    /// Linear limit (ĉ_s ≪ 1): mean uptake / ĉ_s = 2 I₁(√Λ)/(√Λ I₀(√Λ)), up to the thinnest layer
    /// of the table (Λ = φ²/Dr = 1e4, δ = r/100).
    @Test(arguments: [1.0, 25.0, 1444.0, 1e4])
    func linearLimitIsTheBesselEta(lambda: Double) throws {
        let phi = lambda.squareRoot()
        let exact = 2 * ModifiedBessel.ratioI1I0(phi) / phi
        let cs = 1e-9
        let mean = try IsolatedCellUptake.meanUptake(lambda: lambda, surfaceConcentration: cs) / cs
        #expect(abs(mean - exact) / exact < 1e-6, "Λ = \(lambda): \(mean) vs \(exact)")
    }

    /// Nonlinear (ĉ_s = 5, thin layer): the default grid agrees with a 4× finer one to 1e-6, and
    /// saturation (ĉ_s → ∞, zero order, no depletion at Λ = 1) gives ĉ/(1+ĉ) → 1.
    @Test func nonlinearUptakeIsConvergedAndSaturates() throws {
        let coarse = try IsolatedCellUptake.meanUptake(lambda: 4000, surfaceConcentration: 5)
        let fine = try IsolatedCellUptake.meanUptake(lambda: 4000, surfaceConcentration: 5, cells: 16000)
        #expect(abs(coarse - fine) / fine < 1e-6)
        let saturated = try IsolatedCellUptake.meanUptake(lambda: 1, surfaceConcentration: 1e6)
        #expect(abs(saturated - 1) < 2e-6)
        #expect(coarse > 0 && coarse < 5.0 / 6.0)
    }

    /// Our DNS η lies below the bound in every domain (a physical check of our solver), while the
    /// COMSOL table's row 3805 (Dr = 0.012, δ = 8 nm) exceeds it by 37 % in domain 2: the table
    /// carries physically impossible η at small Dr.
    @Test func dnsRespectsTheBoundAndTheTableDoesNot() throws {
        let table = UnitCellDNSTests.table
        let rows = try readUnitCellTable(path: table, rows: [3805, 789])
        let dns = UnitCellDNS(cellsPerTile: 60)
        for row in rows {
            let result = try dns.run(row.inputs)
            let bath = try IsolatedCellUptake.bathUptake(inputs: row.inputs)
            for (j, tile) in result.domains[1...4].enumerated() {
                let bound = try IsolatedCellUptake.effectivenessUpperBound(
                    inputs: row.inputs, averageConcentration: tile.concentration, bathUptake: bath)
                #expect(tile.eta <= bound * (1 + 1e-3), "row \(row.index) domain \(j + 2): η \(tile.eta) > bound \(bound)")
            }
        }
        let ref = rows[0]
        let bound = try IsolatedCellUptake.effectivenessUpperBound(
            inputs: ref.inputs, averageConcentration: ref.referenceConcentration![1])
        #expect(ref.referenceEta![1] / bound > 1.3, "table η \(ref.referenceEta![1]), bound \(bound)")
    }
}
