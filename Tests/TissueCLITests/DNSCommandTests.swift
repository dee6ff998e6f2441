import Foundation
import Testing
import HDF5Kit

@Suite struct DNSCommandTests {
    @Test func unitcellWritesATrainingSetThatTrainReads() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let inputs = dir.appendingPathComponent("inputs.csv").path
        try "r,phi2,PL,Dr,cL\n6e-7,20,2000,0.5,2\n8e-7,5,500,0.2,1\n".write(toFile: inputs, atomically: true, encoding: .utf8)
        let out = dir.appendingPathComponent("uc.h5").path
        let r = try CLI.run(["dns", "unitcell", "--inputs", inputs, "--cells-per-tile", "16", "-o", out, "--quiet", "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let f = try HDF5File.open(out)
        defer { try? f.close() }
        #expect(try FileHeader.read(from: f).kind == "training-set")
        #expect(try f.root.dataset("samples/features").shape == [8, 6])
        #expect(try f.root.dataset("samples/domain").read(Int64.self) == [2, 3, 4, 5, 2, 3, 4, 5])
        let eta = try f.root.dataset("samples/eta").read(Double.self)
        #expect(eta.allSatisfy { $0 > 0 && $0 <= 1.0001 })
        // Evaluate reads it as a data set (all rows).
        let ev = try CLI.run(["evaluate", "models/eta-mlp-reference.h5", out, "--split", "all", "--json"])
        #expect(ev.status == 0, "\(ev.stderr)")
    }

    @Test func badInputsTableIsRejected() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let inputs = dir.appendingPathComponent("bad.csv").path
        for (text, fragment) in [("r,phi2,PL,Dr\n6e-7,20,2000,0.5\n", "header"),
                                 ("r,phi2,PL,Dr,cL\n1.2e-6,20,2000,0.5,2\n", "overlap"),
                                 ("r,phi2,PL,Dr,cL\n6e-7,-3,2000,0.5,2\n", "phi2"),
                                 ("r,phi2,PL,Dr,cL\n6e-7,3,2000,0,2\n", "Dr")] {
            try text.write(toFile: inputs, atomically: true, encoding: .utf8)
            let r = try CLI.run(["dns", "unitcell", "--inputs", inputs, "--cells-per-tile", "16",
                                 "-o", dir.appendingPathComponent("o.h5").path, "--quiet"])
            #expect(r.status != 0)
            #expect(r.stderr.contains(fragment), "\(fragment): \(r.stderr)")
            #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("o.h5").path))
        }
    }
}
