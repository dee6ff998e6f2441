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

    /// `/samples/cells_per_tile` and `/samples/geometry` of the realisations of `set`'s rows.
    public func writeRealisationRecords(of set: TrainingSet, to group: HDF5Group) throws {
        var byRealisation: [Int: UnitCellGeometryRecord] = [:]
        for k in Set(set.realization) { byRealisation[k] = try geometry(index: k) }
        let rows = set.realization.map { byRealisation[$0]! }
        try Self.writeCellsPerTile(rows.map(\.cellsPerTile), to: group)
        try UnitCellGeometryRecord.write(rows, to: group)
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
        var geometry: [UnitCellGeometryRecord]? = []   // nil once a part lacks /samples/geometry
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
            if geometry != nil, group.contains("geometry") {
                geometry! += try UnitCellGeometryRecord.read(from: group)
            } else {
                geometry = nil
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
            if let geometry, geometry.count == keys.count {
                try UnitCellGeometryRecord.write(order.map { geometry[$0] }, to: group)
            }
            try group.setAttribute("failed_samples", failedCount)
            if !failed.isEmpty { try group.setAttribute("failed_realizations", failed.sorted()) }
        }
        return MergeSummary(samples: merged.count, realisations: owner.count, failedSamples: failedCount)
    }
}

/// The geometry a training row's realisation was solved on (`/samples/geometry`, DESIGN §5): family,
/// porosity, r_eff, cells per tile, cell-area spread, tile size, geometry seed and mask window.
public struct UnitCellGeometryRecord: Sendable, Equatable {
    public var family: String
    public var porosity: Double
    public var effectiveRadius: Double
    public var cellCount: Int
    public var cellAreaSpread: Double
    public var tileLength: Double
    public var tileHeight: Double
    public var narrowestGap: Double
    public var seed: UInt64
    public var window: [Int]
    /// Grid cells along the tile.
    public var cellsPerTile: Int
}

extension UnitCellGeometryRecord {
    public init(tile: UnitCellTile, cellsPerTile: Int) {
        self.init(family: tile.family.name, porosity: tile.porosity, effectiveRadius: tile.effectiveRadius,
                  cellCount: tile.cellCount, cellAreaSpread: tile.cellAreaSpread, tileLength: tile.width,
                  tileHeight: tile.height, narrowestGap: tile.narrowestGap, seed: tile.seed,
                  window: [tile.window.i, tile.window.j], cellsPerTile: cellsPerTile)
    }

    /// Writes one record per row into `group/geometry`.
    public static func write(_ rows: [UnitCellGeometryRecord], to samples: HDF5Group) throws {
        let g = try samples.createGroup("geometry")
        let families = Set(rows.map(\.family)).sorted()
        try g.setAttribute("family", families.joined(separator: ","))
        try g.write("family_index", rows.map { Int64(families.firstIndex(of: $0.family)!) }, units: "1",
                    longName: "index into the comma-separated attribute family (circle-row, hexagonal, voronoi, mask)")
        try g.write("porosity", rows.map(\.porosity), units: "1", longName: "epsilon_beta of the unit cell (exact)")
        try g.write("effective_radius", rows.map(\.effectiveRadius), units: "m", longName: "r_eff = sqrt(mean cell area / pi)")
        try g.write("cell_count", rows.map { Int64($0.cellCount) }, units: "1", longName: "cells per tile")
        try g.write("cell_area_spread", rows.map(\.cellAreaSpread), units: "1",
                    longName: "coefficient of variation of the cell areas (NaN: not computed, mask)")
        try g.write("tile_length", rows.map(\.tileLength), units: "m", longName: "tile length along the flow (one flow domain)")
        try g.write("tile_height", rows.map(\.tileHeight), units: "m", longName: "tile height")
        try g.write("narrowest_gap", rows.map(\.narrowestGap), units: "m", longName: "narrowest fluid gap between cells")
        try g.write("seed", rows.map(\.seed), units: "1", longName: "geometry seed (Voronoi seeds, mask window draw); 0 for lattices")
        try g.write("window", rows.flatMap { $0.window.map(Int64.init) }, shape: [rows.count, 2], units: "pixel",
                    longName: "mask window lower-left pixel (i, j); -1 for other families")
    }

    /// Reads the records of `samples/geometry` (cells per tile from `samples/cells_per_tile`).
    public static func read(from samples: HDF5Group) throws -> [UnitCellGeometryRecord] {
        let g = try samples.group("geometry")
        let families = try g.stringAttribute("family").split(separator: ",").map(String.init)
        let index = try g.dataset("family_index").read(Int64.self)
        let porosity = try g.dataset("porosity").read(Double.self)
        let radius = try g.dataset("effective_radius").read(Double.self)
        let count = try g.dataset("cell_count").read(Int64.self)
        let spread = try g.dataset("cell_area_spread").read(Double.self)
        let length = try g.dataset("tile_length").read(Double.self)
        let height = try g.dataset("tile_height").read(Double.self)
        let gap = try g.dataset("narrowest_gap").read(Double.self)
        let seed = try g.dataset("seed").read(UInt64.self)
        let window = try g.dataset("window").read(Int64.self)
        let cells = samples.contains("cells_per_tile") ? try samples.dataset("cells_per_tile").read(Int64.self) : []
        return try index.indices.map { k in
            guard Int(index[k]) < families.count else {
                throw UnitCellInputError(message: "/samples/geometry/family_index \(index[k]) has no family")
            }
            return UnitCellGeometryRecord(
                family: families[Int(index[k])], porosity: porosity[k], effectiveRadius: radius[k], cellCount: Int(count[k]),
                cellAreaSpread: spread[k], tileLength: length[k], tileHeight: height[k], narrowestGap: gap[k], seed: seed[k],
                window: [Int(window[2 * k]), Int(window[2 * k + 1])], cellsPerTile: k < cells.count ? Int(cells[k]) : 0)
        }
    }
}
