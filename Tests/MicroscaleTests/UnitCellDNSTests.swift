import Foundation
import Testing
@testable import Microscale

/// End to end: flow + transport + flow-domain averages against the reference COMSOL table.
@Suite struct UnitCellDNSTests {
    /// The project's copy of the published COMSOL table (data/reference).
    static let table = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
        .appendingPathComponent("data/reference/Comsol_output_Pe_u_Brinkman__Phi2_III__R8192_1.csv").path

    /// Rows 7810 and 6742 (0-based) are well resolved at N = 60: an independent prototype and
    /// our solver both land within 0.3 % of COMSOL's η there (DNS-CALIBRATION.md).
    @Test func reproducesReferenceEtaOnWellResolvedRows() throws {
        let rows = try readUnitCellTable(path: Self.table, rows: [7810, 6742])
        let dns = UnitCellDNS(cellsPerTile: 60)
        for row in rows {
            let result = try dns.run(row.inputs)
            #expect(abs(result.peclet / row.referencePeclet! - 1) < 0.03, "row \(row.index): Pe \(result.peclet) vs \(row.referencePeclet!)")
            #expect(abs(result.porosity - row.referencePorosity!) < 1e-6)
            for d in 1...4 {
                let err = result.domains[d].eta / row.referenceEta![d] - 1
                #expect(abs(err) < 0.005, "row \(row.index) domain \(d + 1): η \(result.domains[d].eta) vs \(row.referenceEta![d])")
                let cErr = result.domains[d].concentration / row.referenceConcentration![d] - 1
                #expect(abs(cErr) < 0.02, "row \(row.index) domain \(d + 1): ⟨c⟩ off by \(cErr)")
            }
            #expect(abs(result.relativeImbalance) < 1e-8)
            // Training samples: domains 2–5, features in the closure's order.
            let s = result.samples()
            #expect(s.map(\.domain) == [2, 3, 4, 5])
            #expect(s[0].features[0] == result.porosity && s[0].features[1] == row.inputs.thieleModulusSquared)
        }
    }

    @Test func badInputsAreRejectedBeforeWork() throws {
        let dns = UnitCellDNS(cellsPerTile: 20)
        for bad in [UnitCellInputs(radius: -1e-7, thieleModulusSquared: 1, pressureDrop: 10, diffusivityRatio: 0.5, inletConcentration: 1),
                    UnitCellInputs(radius: 1.1e-6, thieleModulusSquared: 1, pressureDrop: 10, diffusivityRatio: 0.5, inletConcentration: 1),
                    UnitCellInputs(radius: 5e-7, thieleModulusSquared: -1, pressureDrop: 10, diffusivityRatio: 0.5, inletConcentration: 1),
                    UnitCellInputs(radius: 5e-7, thieleModulusSquared: 1, pressureDrop: 10, diffusivityRatio: 0, inletConcentration: 1)] {
            #expect(throws: UnitCellInputError.self) { try dns.run(bad) }
        }
    }
}
