import Foundation
import Testing
import HDF5Kit

/// The same config and seed give bit-identical outputs across runs and across 1 vs 2 OpenBLAS
/// threads (the MLP closure's and the trainer's GEMMs); campaigns across shards are covered by
/// `DNSCampaignTests`.
@Suite(.serialized) struct DeterminismTests {
    static func doubles(_ path: String, _ datasets: [String]) throws -> [String: [UInt64]] {
        let f = try HDF5File.open(path)
        defer { try? f.close() }
        var out: [String: [UInt64]] = [:]
        for d in datasets { out[d] = try f.root.dataset(d).read(Double.self).map(\.bitPattern) }
        return out
    }

    static func floats(_ path: String, _ datasets: [String]) throws -> [String: [UInt32]] {
        let f = try HDF5File.open(path)
        defer { try? f.close() }
        var out: [String: [UInt32]] = [:]
        for d in datasets { out[d] = try f.root.dataset(d).read(Float.self).map(\.bitPattern) }
        return out
    }

    @Test func upscaledRunIsBitIdenticalAcrossRunsAndThreadCounts() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let paths = ["macro/x", "macro/c", "macro/eta", "macro/dcdx"]
        var results: [[String: [UInt64]]] = []
        for (k, threads) in ["1", "2", "2"].enumerated() {
            let out = dir.appendingPathComponent("u\(k).h5").path
            let r = try CLI.run(["run", "examples/liver.toml", "-o", out, "--quiet", "--set", "grid.cells=400"],
                                environment: ["OPENBLAS_NUM_THREADS": threads])
            #expect(r.status == 0, "\(r.stderr)")
            results.append(try Self.doubles(out, paths))
        }
        #expect(results[0] == results[1] && results[1] == results[2])
    }

    @Test func trainingIsBitIdenticalAcrossRunsAndThreadCounts() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let data = dir.appendingPathComponent("t.csv").path
        try TrainCommandTests.table(realizations: 80).write(toFile: data, atomically: true, encoding: .utf8)
        let cfg = dir.appendingPathComponent("train.toml").path
        try """
        [run]
        seed = 9
        [data]
        file = "\(data)"
        [network]
        hidden = [64, 32]
        [training]
        epochs = 4
        batch_size = 32
        checkpoint_every = 0
        """.write(toFile: cfg, atomically: true, encoding: .utf8)
        let layers = (0..<3).flatMap { ["model/layers/\($0)/W", "model/layers/\($0)/b"] }
        var results: [[String: [UInt32]]] = []
        for (k, threads) in ["1", "2", "1"].enumerated() {
            let model = dir.appendingPathComponent("m\(k).h5").path
            let r = try CLI.run(["train", cfg, "-o", model, "--quiet"], environment: ["OPENBLAS_NUM_THREADS": threads])
            #expect(r.status == 0, "\(r.stderr)")
            results.append(try Self.floats(model, layers))
        }
        #expect(results[0] == results[1] && results[1] == results[2])
    }
}
