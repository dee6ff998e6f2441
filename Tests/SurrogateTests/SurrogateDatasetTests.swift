import Foundation
import HDF5Kit
import NeuralNet
import Numerics
import Testing
@testable import Surrogate

func temporaryDirectory() throws -> URL {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("surrogate-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    return dir
}

@Suite struct SurrogateDatasetTests {
    static let p = try! DiffusionDecayParameters(latticeSize: 16, diffusivity: 1, decayRate: 0.01, sourceRadius: 2,
                                                 sourcesMin: 1, sourcesMax: 2, strengthMin: 0.1)

    func generate(_ dir: URL, name: String, samples: Int = 10, include: @escaping (Int) -> Bool = { _ in true },
                  stopAfterBlocks: Int? = nil) throws -> (SurrogateDataset, Int, Bool) {
        let g = SurrogateGeneration(parameters: Self.p, seed: 5, samples: samples, blockSize: 3, include: include)
        let r = try g.run(partDirectory: dir.appendingPathComponent(name).path, config: "x", programVersion: "test",
                          stopAfterBlocks: stopAfterBlocks)
        return (r.dataset, r.resumedSamples, r.complete)
    }

    /// Two shards merged, and a killed-then-resumed run, equal a one-process run bit for bit.
    @Test func shardsAndResumeAreBitIdentical() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (whole, _, _) = try generate(dir, name: "whole")
        #expect(whole.count == 10 && whole.sampleIndex == Array(0..<10))
        let (a, _, _) = try generate(dir, name: "a", include: { $0 % 2 == 0 })
        let (b, _, _) = try generate(dir, name: "b", include: { $0 % 2 == 1 })
        let merged = try SurrogateGeneration.merge([("a", b), ("b", a)])
        #expect(merged == whole)

        let (partial, _, complete) = try generate(dir, name: "killed", stopAfterBlocks: 2)
        #expect(!complete && partial.count == 6)
        let (resumed, reused, done) = try generate(dir, name: "killed")
        #expect(done && reused == 6 && resumed == whole)

        // Targets are normalised fields, inputs normalised source maps.
        for k in 0..<whole.count {
            let t = whole.targets[(k * 256)..<((k + 1) * 256)], x = whole.inputs[(k * 256)..<((k + 1) * 256)]
            #expect(t.max() == 1 && t.min()! > 0 && x.max() == 1)
        }
    }

    @Test func fileRoundTripAndKindCheck() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (set, _, _) = try generate(dir, name: "parts", samples: 4)
        let path = dir.appendingPathComponent("set.h5").path
        try set.write(to: path, config: "[run]\nseed = 5\n", programVersion: "test")
        let back = try SurrogateDataset.read(path: path)
        #expect(back == set)
        let file = try HDF5File.open(path)
        let shape = try file.root.dataset("targets").shape
        let units = try file.root.dataset("targets").stringAttribute("units")
        try file.close()
        #expect(shape == [4, 16, 16] && units == "1")
        // A part file is another kind of file.
        let part = dir.appendingPathComponent("parts/block-000000.h5").path
        var message = ""
        do { _ = try SurrogateDataset.read(path: part) } catch { message = "\(error)" }
        #expect(message.contains("surrogate-dataset-part") && message.contains("expected a 'surrogate-dataset'"), "\(message)")
    }

    @Test func metricsOnKnownErrors() {
        // Two pixels per band, errors chosen per band.
        let targets: [Float] = [1, 0.5, 0.15, 0.12, 0.07, 0.06, 0.01, 0]
        let inputs: [Float] = [1, 0, 0, 0, 0, 0, 0, 0]
        let errors: [Float] = [0.1, 0.1, 0.02, 0.02, 0.004, 0.004, 0.001, -0.001]
        let m = SurrogateMetrics(predictions: zip(targets, errors).map { $0 + $1 }, targets: targets, inputs: inputs, pixels: 4)
        #expect(m.samples == 2 && m.pixelsR1 == 2 && m.pixelsR2 == 2 && m.pixelsR3 == 2 && m.pixelsSources == 1)
        #expect(abs(m.maeR1 - 0.1) < 1e-6 && abs(m.maeR2 - 0.02) < 1e-6 && abs(m.maeR3 - 0.004) < 1e-6)
        #expect(abs(m.maeSources - 0.1) < 1e-6 && abs(m.maxError - 0.1) < 1e-6)
        #expect(abs(m.mae - errors.map { abs(Double($0)) }.reduce(0, +) / 8) < 1e-7)
    }

    /// A tiny surrogate trains end to end through the shared trainer, its model file round-trips,
    /// and its predictions beat the trivial all-zero field.
    @Test func tinySurrogateTrainsAndRoundTrips() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (set, _, _) = try generate(dir, name: "parts", samples: 40)
        var settings = SurrogateTrainingSettings()
        settings.channels = [4, 8]
        settings.poolFactors = [2]
        settings.epochs = 8
        settings.batchSize = 8
        settings.learningRate = 3e-3
        settings.validationFraction = 0.2
        settings.loss = .sourceWeighted
        let (model, result, _) = try SurrogateTraining.train(set, settings: settings, checkpoint: nil)
        #expect(result.epochsRun == 8)
        let zero = SurrogateMetrics(predictions: [Float](repeating: 0, count: set.targets.count), targets: set.targets,
                                    inputs: set.inputs, pixels: 256)
        #expect(model.validation!.mae < 0.5 * zero.mae, "validation MAE \(model.validation!.mae) vs \(zero.mae) for zero")
        let path = dir.appendingPathComponent("model.h5").path
        try model.write(to: path, config: "", seed: 1, programVersion: "test")
        let back = try SurrogateModel.read(path: path)
        #expect(back.network == model.network && back.parameters == Self.p)
        #expect(back.trainingText["loss"] == "source-weighted")
        // A model is not a data set: the file-kind check (FileHeader) names both kinds and how to make one.
        do {
            _ = try SurrogateDataset.read(path: path)
            Issue.record("a surrogate-model file was read as a data set")
        } catch let e as HDF5Error {
            #expect("\(e)".contains("expected a 'surrogate-dataset' file (make one with `tissue surrogate generate`)"), "\(e)")
        }
    }
}
