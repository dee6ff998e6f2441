import Foundation
import Testing
import HDF5Kit
@testable import NeuralNet

/// A 2 → 3 → 2 → 1 network with hand-picked weights.
func tinyNetwork<T: BLASScalar>(_ activation: Activation, _: T.Type = T.self) throws -> DenseNetwork<T> {
    let l1 = try DenseLayer<T>(inputs: 2, outputs: 3, weights: [0.5, -1.0, 1.5, 0.25, -0.75, 2.0], bias: [0.1, -0.2, 0.3])
    let l2 = try DenseLayer<T>(inputs: 3, outputs: 2, weights: [1.0, -0.5, 0.25, -1.25, 0.75, 0.5], bias: [0.05, -0.1])
    let l3 = try DenseLayer<T>(inputs: 2, outputs: 1, weights: [0.8, -0.6], bias: [0.2])
    return try DenseNetwork(layers: [l1, l2, l3], activation: activation)
}

/// The same forward pass written out by hand, in Double.
func handForward(_ x: [Double], _ act: (Double) -> Double) -> Double {
    let h1 = [act(0.5 * x[0] - 1.0 * x[1] + 0.1),
              act(1.5 * x[0] + 0.25 * x[1] - 0.2),
              act(-0.75 * x[0] + 2.0 * x[1] + 0.3)]
    let h2 = [act(1.0 * h1[0] - 0.5 * h1[1] + 0.25 * h1[2] + 0.05),
              act(-1.25 * h1[0] + 0.75 * h1[1] + 0.5 * h1[2] - 0.1)]
    return 0.8 * h2[0] - 0.6 * h2[1] + 0.2
}

@Suite struct DenseNetworkTests {
    static let batch: [[Double]] = [[0.3, 0.7], [-1.2, 0.4], [2.0, -0.5], [0.0, 0.0], [1.1, 1.9]]

    @Test(arguments: [Activation.relu, .tanh, .linear])
    func forwardMatchesHandComputation(activation: Activation) throws {
        let act: (Double) -> Double = { activation.apply($0) }
        let net64: DenseNetwork<Double> = try tinyNetwork(activation)
        let net32: DenseNetwork<Float> = try tinyNetwork(activation)
        let flat = Self.batch.flatMap { $0 }
        let y64 = try net64.forward(flat, rows: Self.batch.count)
        let y32 = try net32.forward(flat.map(Float.init), rows: Self.batch.count)
        for (i, x) in Self.batch.enumerated() {
            let expected = handForward(x, act)
            #expect(abs(y64[i] - expected) < 1e-14)
            #expect(abs(Double(y32[i]) - expected) < 1e-6)
        }
    }

    @Test(arguments: [Activation.relu, .tanh])
    func tangentsMatchFiniteDifferences(activation: Activation) throws {
        let net: DenseNetwork<Double> = try tinyNetwork(activation)
        let flat = Self.batch.flatMap { $0 }
        let rows = Self.batch.count
        let dirs: [[Double]] = [(0..<rows).flatMap { _ in [1.0, 0.0] }, (0..<rows).flatMap { _ in [0.0, 1.0] }]
        let (_, tangents) = try net.forward(flat, rows: rows, inputTangents: dirs)
        let eps = 1e-7
        for k in 0..<2 {
            var plus = flat, minus = flat
            for i in 0..<rows { plus[2 * i + k] += eps; minus[2 * i + k] -= eps }
            let yp = try net.forward(plus, rows: rows), ym = try net.forward(minus, rows: rows)
            for i in 0..<rows {
                let fd = (yp[i] - ym[i]) / (2 * eps)
                #expect(abs(fd - tangents[k][i]) < 1e-6, "row \(i) dir \(k): \(fd) vs \(tangents[k][i])")
            }
        }
    }

    @Test func shapeErrorsAreReported() throws {
        #expect(throws: NeuralNetError.self) { try DenseLayer<Double>(inputs: 2, outputs: 2, weights: [1, 2, 3], bias: [0, 0]) }
        let a = try DenseLayer<Double>(inputs: 2, outputs: 3, weights: Array(repeating: 1, count: 6), bias: [0, 0, 0])
        #expect(throws: NeuralNetError.self) { try DenseNetwork(layers: [a, a], activation: .relu) }
        let net: DenseNetwork<Double> = try tinyNetwork(.relu)
        #expect(throws: NeuralNetError.self) { try net.forward([1, 2, 3], rows: 2) }
    }

    @Test func modelFileRoundTrip() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("nn-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("m.h5").path
        let net: DenseNetwork<Float> = try tinyNetwork(.tanh)
        let model = try ModelFile(network: net, scaler: try MinMaxScaler(minimum: [0, -1], maximum: [2, 3]),
                                  featureNames: ["a", "b"], trainingAttributes: ["data_sha256": "abc"],
                                  trainingNumbers: ["epochs": 3])
        try AtomicWrite.hdf5(to: path) { file in
            try FileHeader(kind: ModelFile.kind, programVersion: "test", config: "", seed: 1).write(to: file)
            try model.write(to: file)
        }
        let back = try ModelFile.read(path: path)
        #expect(back.network == net)
        #expect(back.scaler == model.scaler)
        #expect(back.featureNames == ["a", "b"])
        #expect(back.trainingAttributes["data_sha256"] == "abc")
        #expect(back.trainingNumbers["epochs"] == 3)
        let x: [Float] = [0.1, 0.2, 0.9, -0.3]
        #expect(try back.network.forward(x, rows: 2) == net.forward(x, rows: 2))
    }
}
