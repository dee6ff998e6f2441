import Closure
import Foundation
import HDF5Kit

/// The files of a unit-cell campaign: its identity (the `config` text that a resumed, sharded or
/// merged run must share; parsed back by `CampaignMergeCheck`), the per-row grid record, and the
/// deterministic merge of shard outputs.
extension UnitCellCampaign {
    /// Identity of a sampled campaign (`tissue dns unitcell --samples N --seed S`).
    public static func sampledIdentity(sampler: UnitCellSampler, samples: Int, resolution: UnitCellResolution) -> String {
        """
        # tissue dns unitcell
        samples = \(samples)
        seed = \(sampler.seed)
        pe_max = \(sampler.pecletMax)
        cells_per_tile = \(resolution.tomlValue)
        """ + (sampler.hasReferenceRanges ? "" : """

        porosity_range = [\(sampler.porosityRange.lowerBound), \(sampler.porosityRange.upperBound)]
        phi2_max = \(sampler.thieleModulusSquaredMax)
        dr_range = [\(sampler.diffusivityRatioRange.lowerBound), \(sampler.diffusivityRatioRange.upperBound)]
        """)
    }

    /// Identity of a campaign over the rows of an inputs table (`rows`: as given, nil for all).
    public static func tableIdentity(inputs: String, rows: String?, resolution: UnitCellResolution) -> String {
        """
        # tissue dns unitcell
        inputs = "\(inputs)"
        rows = "\(rows ?? "all")"
        cells_per_tile = \(resolution.tomlValue)
        """
    }

    /// `/samples/cells_per_tile`: the grid each row's realisation was solved on (one value per row).
    public static func writeCellsPerTile(_ cells: [Int], to group: HDF5Group) throws {
        try group.write("cells_per_tile", cells.map(Int64.init), units: "1",
                        longName: "grid cells per 3 um tile of the row's realisation (--cells-per-tile)")
    }

    /// What a merge wrote.
    public struct MergeSummary: Sendable {
        public var samples: Int
        public var realisations: Int
        public var failedSamples: Int
    }

    /// Joins training-set files of one campaign (e.g. shard outputs) into `output`, rows sorted by
    /// (realisation, domain): the datasets equal those of a one-process run of the campaign. A
    /// realisation may appear in one input only; `failed_samples` is summed. Unless `allowPartial`,
    /// every shard 1…N must be given (`CampaignMergeCheck`).
    public static func merge(_ parts: [String], allowPartial: Bool, into output: String,
                             programVersion: String) throws -> MergeSummary {
        var owner: [Int: String] = [:]
        var features: [Double] = [], eta: [Double] = [], inputs: [Double] = []
        var keys: [(realization: Int, domain: Int)] = []
        var failed: [Int] = [], failedCount = 0
        var cellsPerTile: [Int]? = []   // nil once a part lacks /samples/cells_per_tile (older files)
        var seeds: Set<UInt64> = []
        let w = TrainingSet.width, m = TrainingSet.inputNames.count
        var campaignParts: [CampaignMergeCheck.Part] = []
        for path in parts {
            let file = try HDF5File.open(path)
            defer { try? file.close() }
            campaignParts.append(.init(path: path, config: try FileHeader.read(from: file).config))
        }
        try CampaignMergeCheck.check(campaignParts, allowPartial: allowPartial)
        for path in parts {
            let set = try TrainingSet.read(path: path)
            let file = try HDF5File.open(path)
            let header = try FileHeader.read(from: file)
            seeds.insert(header.seed)
            let group = try file.root.group("samples")
            if group.hasAttribute("failed_samples") { failedCount += try group.intAttribute("failed_samples") }
            if group.hasAttribute("failed_realizations") { failed += try group.intArrayAttribute("failed_realizations") }
            if cellsPerTile != nil, group.contains("cells_per_tile") {
                cellsPerTile! += try group.dataset("cells_per_tile").read(Int64.self).map { Int($0) }
            } else {
                cellsPerTile = nil
            }
            try? file.close()
            for r in Set(set.realization) {
                if let other = owner[r] {
                    throw UnitCellInputError(message: "realisation \(r) appears in both \(other) and \(path): the files overlap")
                }
                owner[r] = path
            }
            features += set.features
            eta += set.eta
            inputs += set.inputs
            keys += zip(set.realization, set.domain).map { ($0, $1) }
        }
        var seenKey = Set<[Int]>()
        for k in keys where !seenKey.insert([k.realization, k.domain]).inserted {
            throw UnitCellInputError(message: "realisation \(k.realization) domain \(k.domain) appears twice")
        }
        let order = keys.indices.sorted { (keys[$0].realization, keys[$0].domain) < (keys[$1].realization, keys[$1].domain) }
        let merged = try TrainingSet(features: order.flatMap { features[($0 * w)..<($0 * w + w)] },
                                     eta: order.map { eta[$0] }, realization: order.map { keys[$0].realization },
                                     domain: order.map { keys[$0].domain },
                                     inputs: order.flatMap { inputs[($0 * m)..<($0 * m + m)] }, source: output)
        // The merged file carries the campaign's identity (like a one-process run) and its sources.
        let identity = try CampaignMergeCheck.identity(campaignParts[0].config)
        let config = identity + "\n" + parts.map { "# merged from \"\($0)\"" }.joined(separator: "\n")
        try AtomicWrite.hdf5(to: output) { file in
            try FileHeader(kind: TrainingSet.kind, programVersion: programVersion, config: config,
                           seed: seeds.count == 1 ? seeds.first! : 0).write(to: file)
            try merged.write(to: file)
            let group = try file.root.group("samples")
            if let cellsPerTile, cellsPerTile.count == keys.count {
                try writeCellsPerTile(order.map { cellsPerTile[$0] }, to: group)
            }
            try group.setAttribute("failed_samples", failedCount)
            if !failed.isEmpty { try group.setAttribute("failed_realizations", failed.sorted()) }
        }
        return MergeSummary(samples: merged.count, realisations: owner.count, failedSamples: failedCount)
    }
}
