/// Fuzz target: the `training-set` file reader (`TrainingSet.read`, used by `tissue train`,
/// `tissue evaluate` and `tissue dns merge`) and the campaign part-file reader
/// (`UnitCellCampaign.State.read`, used by `tissue dns unitcell --resume`).
///
/// Input: byte 0 bit 1 chooses the reader (0 training set, 1 part file); byte 0 bit 0 the mode
/// (see `Fuzz/Support/HDF5Mutation.swift`).
import Closure
import Foundation
import HDF5Kit
@testable import Microscale

private let identity = "campaign = \"fuzz\"\nseed = 7\n"

/// 2 realisations × domains 2–5 of valid rows.
private func rows() throws -> TrainingSet {
    let n = 8
    let features: [Double] = (0..<n).flatMap { (i: Int) -> [Double] in
        [0.3 + 0.01 * Double(i), 1, 2, 0.5, 1 - 0.1 * Double(i), 0.2]
    }
    let inputs: [Double] = (0..<n).flatMap { _ -> [Double] in [1e-6, 1, 10, 0.5, 2] }
    return try TrainingSet(features: features, eta: (0..<n).map { 0.5 + 0.05 * Double($0) },
                           realization: (0..<n).map { $0 / 4 }, domain: (0..<n).map { 2 + $0 % 4 },
                           inputs: inputs, source: "template")
}

private let trainingSetTarget = HDF5FuzzTarget(
    makeTemplate: { path in
        let file = try HDF5File.create(path)
        try FileHeader(kind: TrainingSet.kind, programVersion: "fuzz", config: identity, seed: 7).write(to: file)
        try rows().write(to: file)
        try file.close()
    },
    read: { path in
        let set = try TrainingSet.read(path: path)
        // What training does next: split by realisation and take the training rows.
        let split = RealizationSplit(set, seed: 1)
        _ = set.subset(split.train).featureColumns(EffectivenessFeature.allCases)
    },
    errorTypes: [TrainingSetError.self])

private let partFileTarget = HDF5FuzzTarget(
    makeTemplate: { path in
        var state = UnitCellCampaign.State()
        let set = try rows()
        for r in 0..<2 {
            let idx = (0..<set.count).filter { set.realization[$0] == r }
            let sub = set.subset(idx)
            state.finished[r] = UnitCellCampaign.RealisationRows(index: r, features: sub.features, eta: sub.eta,
                                                                 domain: sub.domain, inputs: sub.inputs)
        }
        state.failed = [5]
        try state.write(to: path, identity: identity, seed: 7, programVersion: "fuzz")
    },
    read: { path in
        let state = try UnitCellCampaign.State.read(path: path, identity: identity)
        // What --resume does next: rebuild the training set of the finished rows.
        _ = try? state.trainingSet(source: path)
    },
    errorTypes: [UnitCellInputError.self, TrainingSetError.self])

@_cdecl("LLVMFuzzerInitialize")
public func initialize(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> CInt {
    if let dir = ProcessInfo.processInfo.environment["FUZZ_EXPORT_SEEDS"] {
        trainingSetTarget.exportSeeds(to: dir + "/training-set", name: "training-set")
        partFileTarget.exportSeeds(to: dir + "/part", name: "part")
    }
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTrainingSetFile(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let first = bytes.first else { return 0 }
    if first & 2 == 0 { trainingSetTarget.run(bytes, name: "training-set") } else { partFileTarget.run(bytes, name: "part") }
    return 0
}
