import Foundation
import Testing
import NeuralNet
@testable import Closure

/// A small reference-format CSV: M realisations × domains 2–5, η from a smooth formula.
func syntheticReferenceCSV(realizations m: Int, seed: UInt64 = 1) -> String {
    var lines = ["por,phi2,Pe,Dr,c_f_avg_norm,d_f_c_avg_norm,eta_d_f"]
    var rows: [[Double]] = Array(repeating: [], count: 4 * m)
    var state = seed
    func uniform() -> Double {   // tiny LCG, enough for test data
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return Double(state >> 11) * 0x1.0p-53
    }
    for k in 0..<m {
        let por = 0.3 + 0.5 * uniform(), phi2 = 100 * uniform(), pe = 50 * uniform(), dr = 0.01 + uniform()
        for j in 0..<4 {
            let c = 5 * uniform(), g = uniform()
            let eta = 1 / (1 + 0.02 * phi2 / (1 + c)) * (0.9 + 0.1 * por)
            rows[k + j * m] = [por, phi2, pe, dr, c, g, eta]
        }
    }
    for r in rows { lines.append(r.map { "\($0)" }.joined(separator: ",")) }
    return lines.joined(separator: "\n") + "\n"
}

func temporaryFile(_ name: String, contents: String) throws -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("closure-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let url = dir.appendingPathComponent(name)
    try contents.write(to: url, atomically: true, encoding: .utf8)
    return url.path
}

@Suite struct TrainingSetTests {
    @Test func readsReferenceLayout() throws {
        let path = try temporaryFile("t.csv", contents: syntheticReferenceCSV(realizations: 10))
        let set = try TrainingSet.readReferenceCSV(path: path)
        #expect(set.count == 40)
        // Row k + j·M is domain 2 + j of realisation k.
        #expect(set.realization[3] == 3 && set.domain[3] == 2)
        #expect(set.realization[13] == 3 && set.domain[13] == 3)
        #expect(set.realization[39] == 9 && set.domain[39] == 5)
        #expect(set.sha256.count == 64)
    }

    @Test func rejectsBadTables() throws {
        let good = syntheticReferenceCSV(realizations: 5)
        var lines = good.split(separator: "\n").map(String.init)
        let cases: [(String, String)] = [
            (lines.dropFirst().joined(separator: "\n"), "header"),                                   // no header
            (good.replacingOccurrences(of: "eta_d_f", with: "eta"), "eta_d_f"),                          // renamed column
            (([lines[0] + ",extra"] + lines.dropFirst()).joined(separator: "\n"), "extra"),              // extra column
            (lines.dropLast().joined(separator: "\n"), "multiple of 4"),                                 // 19 rows
        ]
        for (text, fragment) in cases {
            let path = try temporaryFile("bad.csv", contents: text)
            do {
                _ = try TrainingSet.readReferenceCSV(path: path)
                Issue.record("accepted a bad table (\(fragment))")
            } catch let e as TrainingSetError {
                #expect(e.description.contains(path))
                #expect(e.description.contains(fragment), "\(e)")
            }
        }
        lines[3] = lines[3].components(separatedBy: ",").enumerated().map { $0.offset == 6 ? "-0.2" : $0.element }.joined(separator: ",")
        let negative = try temporaryFile("neg.csv", contents: lines.joined(separator: "\n"))
        #expect(throws: TrainingSetError.self) { try TrainingSet.readReferenceCSV(path: negative) }
        lines[3] = lines[3].replacingOccurrences(of: "-0.2", with: "nan")
        let nan = try temporaryFile("nan.csv", contents: lines.joined(separator: "\n"))
        #expect(throws: TrainingSetError.self) { try TrainingSet.readReferenceCSV(path: nan) }
    }

    @Test func splitIsByRealisation() throws {
        let path = try temporaryFile("t.csv", contents: syntheticReferenceCSV(realizations: 200))
        let set = try TrainingSet.readReferenceCSV(path: path)
        let split = RealizationSplit(set, seed: 7)
        let parts = [split.train, split.validation, split.test].map { Set($0.map { set.realization[$0] }) }
        #expect(parts[0].isDisjoint(with: parts[1]) && parts[0].isDisjoint(with: parts[2]) && parts[1].isDisjoint(with: parts[2]))
        #expect(parts[2].allSatisfy { $0 % 5 == 4 } && parts[2].count == 40)
        #expect(parts[1].count == 8)   // 5 % of 160
        #expect(split.train.count + split.validation.count + split.test.count == set.count)
        #expect(RealizationSplit(set, seed: 7) == split)
        #expect(RealizationSplit(set, seed: 8).validation != split.validation)
    }

    /// Two files trained as one: rows in order, realisations kept distinct, each file's own test split kept.
    @Test func concatenationKeepsRealisationsDistinctAndTestSplits() throws {
        let a = try TrainingSet.readReferenceCSV(path: try temporaryFile("a.csv", contents: syntheticReferenceCSV(realizations: 12)))
        let b = try TrainingSet.readReferenceCSV(path: try temporaryFile("b.csv", contents: syntheticReferenceCSV(realizations: 7, seed: 2)))
        let joined = try TrainingSet.concatenated([a, b])
        #expect(joined.count == a.count + b.count)
        #expect(joined.eta == a.eta + b.eta && joined.features == a.features + b.features && joined.domain == a.domain + b.domain)
        #expect(Array(joined.realization.prefix(a.count)) == a.realization)
        // a has realisations 0…11; b's start at the next multiple of 5.
        #expect(Array(joined.realization.suffix(b.count)) == b.realization.map { $0 + 15 })
        #expect(Set(joined.realization).count == 12 + 7)
        let test = Set(RealizationSplit(joined, seed: 1).test.map { joined.realization[$0] })
        #expect(test == Set([4, 9, 15 + 4]))
        #expect(joined.source == a.source + " + " + b.source)
        #expect(try TrainingSet.concatenated([a]) == a)
        #expect(throws: TrainingSetError.self) { try TrainingSet.concatenated([]) }
    }

    @Test func hdf5RoundTrip() throws {
        let path = try temporaryFile("t.csv", contents: syntheticReferenceCSV(realizations: 6))
        let set = try TrainingSet.readReferenceCSV(path: path)
        let h5 = path + ".h5"
        try AtomicWriteForTests.write(set, to: h5)
        let back = try TrainingSet.read(path: h5)
        #expect(back.features == set.features && back.eta == set.eta && back.realization == set.realization && back.domain == set.domain)
    }
}

import HDF5Kit
enum AtomicWriteForTests {
    static func write(_ set: TrainingSet, to path: String) throws {
        try AtomicWrite.hdf5(to: path) { file in
            try FileHeader(kind: TrainingSet.kind, programVersion: "test", config: "", seed: 0).write(to: file)
            try set.write(to: file)
        }
    }
}

@Suite struct EtaMetricsTests {
    @Test func handComputedValues() {
        let actual = [0.05, 0.5, 0.5, 0.95]
        let predicted = [0.06, 0.45, 0.5, 1.0]
        let m = EtaMetrics(predicted: predicted, actual: actual)
        // |errors| 0.01, 0.05, 0, 0.05; relative 0.2, 0.1, 0, 0.05263…
        #expect(abs(m.mape - 100 * (0.2 + 0.1 + 0 + 0.05 / 0.95) / 4) < 1e-12)
        #expect(abs(m.mae - 0.11 / 4) < 1e-12)
        #expect(abs(m.maxAbsoluteError - 0.05) < 1e-12)
        #expect(abs(m.meanSignedError - (0.01 - 0.05 + 0 + 0.05) / 4) < 1e-12)
        #expect(m.bands[0].count == 1 && abs(m.bands[0].mape - 20) < 1e-9)
        #expect(m.bands[5].count == 2 && abs(m.bands[5].mae - 0.025) < 1e-12)
        #expect(m.bands[9].count == 1)
    }
}

@Suite struct ClosureTrainingTests {
    /// A small network trained through the same path as `tissue train` learns the synthetic η.
    @Test func smallNetworkLearnsSyntheticClosure() throws {
        let path = try temporaryFile("t.csv", contents: syntheticReferenceCSV(realizations: 400))
        let set = try TrainingSet.readReferenceCSV(path: path)
        let plan = ClosureTrainingPlan(hidden: [32, 32], activation: .tanh,
                                       config: TrainingConfig(epochs: 60, batchSize: 32, loss: .mape, learningRate: 3e-3, seed: 3, patience: 60))
        let outcome = try ClosureTraining.train(data: set, plan: plan, checkpoint: nil, programVersion: "test")
        #expect(outcome.testMetrics.mape < 3, "test MAPE \(outcome.testMetrics.mape) %")
        #expect(outcome.model.trainingAttributes["data_sha256"] == set.sha256)
        #expect(outcome.model.trainingNumbers["test_mape_percent"] == outcome.testMetrics.mape)
        // The trained model plugs into the solver's closure and reproduces the predictions.
        let closure = try MLPClosure(model: outcome.model)
        let rows = Array(outcome.split.test.prefix(5))
        let direct = try ClosureTraining.predict(model: outcome.model, data: set.subset(rows))
        let viaClosure = try closure.effectivenessFactor(FeatureBatch(values: set.subset(rows).features))
        for i in 0..<rows.count { #expect(abs(direct[i] - viaClosure[i]) < 1e-6) }
    }
}
