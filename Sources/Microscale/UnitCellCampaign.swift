import Closure
import Numerics
import Foundation
import HDF5Kit

/// A set of unit-cell realisations run one after another into training rows (domains 2–5),
/// with an optional comparison against reference η where the inputs table carries it.
///
/// Realisations come either from an inputs table (`rows`, keyed by their table row index) or
/// from a `UnitCellSampler` (keyed by their sample index). A run can resume from the finished
/// realisations of an earlier run (`State`), reports failed realisations and goes on.
public struct UnitCellCampaign {
    /// Table rows (empty for a sampled campaign).
    public let rows: [UnitCellTableRow]
    public let sampler: UnitCellSampler?
    /// Realisation indices to run, in output order.
    public let plan: [Int]
    public let resolution: UnitCellResolution
    /// One solver (and flow cache) per grid resolution in use.
    private let solvers: UnitCellDNSPool

    public init(rows: [UnitCellTableRow], cellsPerTile: Int, shard: CampaignShard = .whole) {
        self.init(rows: rows, resolution: .fixed(cellsPerTile), shard: shard)
    }

    public init(rows: [UnitCellTableRow], resolution: UnitCellResolution, shard: CampaignShard = .whole) {
        self.rows = rows.filter { shard.contains($0.index) }
        self.sampler = nil
        self.plan = self.rows.map(\.index)
        self.resolution = resolution
        self.solvers = UnitCellDNSPool()
    }

    /// Sampled realisations 0..<count that belong to `shard`, in index order.
    public init(sampler: UnitCellSampler, count: Int, cellsPerTile: Int, shard: CampaignShard = .whole) {
        self.init(sampler: sampler, count: count, resolution: .fixed(cellsPerTile), shard: shard)
    }

    public init(sampler: UnitCellSampler, count: Int, resolution: UnitCellResolution, shard: CampaignShard = .whole) {
        self.rows = []
        self.sampler = sampler
        self.plan = (0..<max(count, 0)).filter { shard.contains($0) }
        self.resolution = resolution
        self.solvers = UnitCellDNSPool()
    }

    /// Relative η errors (ours − reference)/reference of one realisation, domains 2–5.
    public struct Comparison: Sendable {
        public var row: Int
        public var relativeEtaError: [Double]
        public var pecletRatio: Double
        /// The reference η of domains 2–5 against the physical upper bound
        /// (`IsolatedCellUptake.referenceBoundChecks`; none where the table's ⟨c⟩^β is 0).
        public var boundChecks: [EtaBoundCheck]
        /// Domains 2–5 whose reference η exceeds the bound: physically impossible for these inputs.
        public var referenceAboveBound: [Bool] {
            (2...5).map { d in boundChecks.contains { $0.domain == d && $0.exceedsBound } }
        }
    }

    /// The training rows (domains 2–5) of one finished realisation.
    public struct RealisationRows: Sendable, Equatable {
        public var index: Int
        public var features: [Double]
        public var eta: [Double]
        public var domain: [Int]
        /// (r, φ², PL, Dr, cL), one copy per row.
        public var inputs: [Double]
    }

    /// A realisation whose inputs or solve threw.
    public struct Failure: Sendable {
        public var index: Int
        public var inputs: UnitCellInputs?
        /// The sampled parameters, for a sampled campaign.
        public var draw: UnitCellSampler.Draw?
        public var message: String
        public var description: String {
            var what = "inputs not drawn"
            if let inputs {
                what = "r = \(inputs.radius) m, phi2 = \(inputs.thieleModulusSquared), PL = \(inputs.pressureDrop) Pa, Dr = \(inputs.diffusivityRatio), cL = \(inputs.inletConcentration) mol/m^3"
            } else if let draw {
                what = "porosity = \(draw.porosity), r = \(draw.radius) m, phi2 = \(draw.thieleModulusSquared), Pe = \(draw.targetPeclet), Dr = \(draw.diffusivityRatio), cL = \(draw.inletConcentration) mol/m^3"
            }
            return "realisation \(index) failed (\(what)): \(message)"
        }
    }

    /// Finished and failed realisations so far (what a part file holds).
    public struct State: Sendable, Equatable {
        public var finished: [Int: RealisationRows] = [:]
        public var failed: Set<Int> = []
        public init() {}
        public var doneCount: Int { finished.count + failed.count }

        /// All finished rows, sorted by (realisation, domain).
        public func trainingSet(source: String) throws -> TrainingSet {
            try UnitCellCampaign.assemble(finished.keys.sorted().map { finished[$0]! }, source: source)
        }
    }

    public struct Outcome: Sendable {
        public var trainingSet: TrainingSet
        /// Results of the realisations solved in this run (not those resumed).
        public var results: [UnitCellResult]
        public var comparisons: [Comparison]
        /// Failed realisation indices (this run and resumed), sorted.
        public var failed: [Int]
        /// Realisations taken from the resumed state.
        public var resumed: Int
        /// False when the run stopped early (`stopAfter`); `trainingSet` then holds the rows so far.
        public var complete: Bool
        public var state: State
    }

    /// The inputs of realisation `index`, its tile and the solver at its resolution. The grid depends on
    /// the nominal tile, φ² and Dr only, known before a sampled realisation's flow fixes its PL on that
    /// same grid.
    func realisation(index: Int) throws -> (inputs: UnitCellInputs, tile: UnitCellTile, dns: UnitCellDNS) {
        if let sampler {
            let dns = solvers.dns(cellsPerTile: try cellsPerTile(index: index))
            let (inputs, tile) = try sampler.inputs(index: index, dns: dns)
            return (inputs, tile, dns)
        }
        let i = try tableRow(index).inputs
        return (i, .circleRow(radius: i.radius), solvers.dns(cellsPerTile: try cellsPerTile(index: index)))
    }

    private func tableRow(_ index: Int) throws -> UnitCellTableRow {
        guard let row = rows.first(where: { $0.index == index }) else {
            throw UnitCellInputError(message: "realisation \(index) is not in the campaign")
        }
        return row
    }

    /// The grid (cells per tile) of realisation `index`, by the campaign's resolution rule.
    public func cellsPerTile(index: Int) throws -> Int {
        if let sampler {
            let d = sampler.draw(index: index)
            return resolution.cellsPerTile(tile: try sampler.tile(index: index), thieleModulusSquared: d.thieleModulusSquared,
                                           diffusivityRatio: d.diffusivityRatio)
        }
        let i = try tableRow(index).inputs
        return resolution.cellsPerTile(radius: i.radius, thieleModulusSquared: i.thieleModulusSquared,
                                       diffusivityRatio: i.diffusivityRatio)
    }

    /// The geometry record of realisation `index` (the tile it was solved on).
    public func geometry(index: Int) throws -> UnitCellGeometryRecord {
        let n = try cellsPerTile(index: index)
        let tile = try sampler?.tile(index: index, cellsPerTile: n) ?? .circleRow(radius: try tableRow(index).inputs.radius)
        return UnitCellGeometryRecord(tile: tile, cellsPerTile: n)
    }

    /// Runs every planned realisation not already in `resume`.
    ///
    /// - `stopAfter`: stop after solving this many realisations (simulates an interrupted run).
    /// - `checkpoint(state)`: called after every `checkpointEvery` new realisations and when stopping early.
    /// - `failure`: called for each realisation that throws; the campaign goes on.
    /// - `progress(done, total)` after each realisation.
    /// - `shouldStop()`: checked before each realisation (e.g. a SIGTERM arrived); if true the run
    ///   stops like `stopAfter`, with a checkpoint.
    public func run(source: String, resume: State = State(), stopAfter: Int? = nil, checkpointEvery: Int = 10,
                    checkpoint: (State) throws -> Void = { _ in }, failure: (Failure) -> Void = { _ in },
                    shouldStop: () -> Bool = { false },
                    progress: (Int, Int) -> Void = { _, _ in }) throws -> Outcome {
        let planned = Set(plan)
        var state = State()
        state.finished = resume.finished.filter { planned.contains($0.key) }
        state.failed = resume.failed.intersection(planned)
        let resumed = state.doneCount
        var results: [UnitCellResult] = []
        var solved = 0, sinceCheckpoint = 0
        var complete = true
        progress(state.doneCount, plan.count)
        for k in plan where state.finished[k] == nil && !state.failed.contains(k) {
            if let stopAfter, solved >= stopAfter {
                complete = false
                break
            }
            if shouldStop() {
                complete = false
                break
            }
            var inputs: UnitCellInputs?
            do {
                // A sampled realisation solves its flow while drawing PL: count that time as flow time.
                let watch = Stopwatch()
                let (drawn, tile, dns) = try realisation(index: k)
                inputs = drawn
                let drawingSeconds = watch.seconds
                var result = try dns.run(drawn, tile: tile)
                if sampler != nil { result.flowSeconds += drawingSeconds }
                let rows = Self.rows(of: result, index: k)
                // The same checks as the final training set (finite features, 0 < η ≤ 1.5), per realisation.
                _ = try Self.assemble([rows], source: source)
                state.finished[k] = rows
                results.append(result)
            } catch {
                state.failed.insert(k)
                failure(Failure(index: k, inputs: inputs, draw: sampler?.draw(index: k), message: "\(error)"))
            }
            solved += 1
            sinceCheckpoint += 1
            if sinceCheckpoint >= checkpointEvery {
                try checkpoint(state)
                sinceCheckpoint = 0
            }
            progress(state.doneCount, plan.count)
        }
        if !complete { try checkpoint(state) }
        // Output in plan order (table order, or index order when sampled).
        let ordered = plan.compactMap { state.finished[$0] }
        let set = try Self.assemble(ordered, source: source)
        var comparisons: [Comparison] = []
        for row in rows {
            guard let r = state.finished[row.index], let refEta = row.referenceEta, let refPe = row.referencePeclet else { continue }
            let errors: [Double] = (0..<4).map { (j: Int) -> Double in (r.eta[j] - refEta[j + 1]) / refEta[j + 1] }
            let ratio: Double = r.features[EffectivenessFeature.peclet.rawValue] / refPe   // domain 2's row
            comparisons.append(Comparison(row: row.index, relativeEtaError: errors, pecletRatio: ratio,
                                          boundChecks: try IsolatedCellUptake.referenceBoundChecks(of: row)))
        }
        return Outcome(trainingSet: set, results: results, comparisons: comparisons, failed: state.failed.sorted(),
                       resumed: resumed, complete: complete, state: state)
    }

    static func rows(of result: UnitCellResult, index: Int) -> RealisationRows {
        var r = RealisationRows(index: index, features: [], eta: [], domain: [], inputs: [])
        for s in result.samples() {
            r.features += s.features
            r.eta.append(s.eta)
            r.domain.append(s.domain)
            r.inputs += result.inputs.row
        }
        return r
    }

    static func assemble(_ list: [RealisationRows], source: String) throws -> TrainingSet {
        try TrainingSet(features: list.flatMap(\.features), eta: list.flatMap(\.eta),
                        realization: list.flatMap { r in r.domain.map { _ in r.index } },
                        domain: list.flatMap(\.domain), inputs: list.flatMap(\.inputs), source: source)
    }
}

// MARK: - Part files (resume)

extension UnitCellCampaign.State {
    public static let partKind = "training-set-part"

    /// Writes the state atomically to `path`: root header (kind `training-set-part`, config =
    /// `identity`), `/samples` as in a training set, attribute `/samples/failed_realizations`.
    public func write(to path: String, identity: String, seed: UInt64, programVersion: String) throws {
        let set = try trainingSet(source: path)
        let failedList = failed.sorted()
        try AtomicWrite.hdf5(to: path) { file in
            try FileHeader(kind: Self.partKind, programVersion: programVersion, config: identity, seed: seed).write(to: file)
            try set.write(to: file)
            let samples = try file.root.group("samples")
            try samples.setAttribute("failed_samples", failedList.count)
            if !failedList.isEmpty { try samples.setAttribute("failed_realizations", failedList) }
        }
    }

    /// Reads a part file written by `write`; refuses one from another campaign (different identity).
    public static func read(path: String, identity: String) throws -> UnitCellCampaign.State {
        let file = try HDF5File.open(path)
        defer { try? file.close() }
        let header = try FileHeader.read(from: file, expecting: partKind)
        guard header.config == identity else {
            throw UnitCellInputError(message: """
                \(path): the part file belongs to another campaign (different inputs, seed or resolution); \
                remove it or run without --resume.
                  part file: \(header.config.split(separator: "\n").joined(separator: "; "))
                  this run:  \(identity.split(separator: "\n").joined(separator: "; "))
                """)
        }
        let samples = try file.root.group("samples")
        let f = try samples.dataset("features").read(Double.self)
        let eta = try samples.dataset("eta").read(Double.self)
        let inputs = try samples.dataset("inputs").read(Double.self)
        let realization = try samples.dataset("realization").read(Int64.self).map { Int($0) }
        let domain = try samples.dataset("domain").read(Int64.self).map { Int($0) }
        let w = TrainingSet.width, m = TrainingSet.inputNames.count
        guard f.count == eta.count * w, inputs.count == eta.count * m, realization.count == eta.count,
              domain.count == eta.count else {
            throw UnitCellInputError(message: "\(path): inconsistent dataset sizes in /samples")
        }
        var state = UnitCellCampaign.State()
        for i in 0..<eta.count {
            let k = realization[i]
            var r = state.finished[k] ?? UnitCellCampaign.RealisationRows(index: k, features: [], eta: [], domain: [], inputs: [])
            r.features += f[(i * w)..<(i * w + w)]
            r.eta.append(eta[i])
            r.domain.append(domain[i])
            r.inputs += inputs[(i * m)..<(i * m + m)]
            state.finished[k] = r
        }
        if samples.hasAttribute("failed_realizations") {
            state.failed = Set(try samples.intArrayAttribute("failed_realizations"))
        }
        return state
    }
}

extension Array where Element == Double {
    /// The q-quantile (0…1) by linear interpolation between order statistics.
    public func quantile(_ q: Double) -> Double {
        guard !isEmpty else { return .nan }
        let s = sorted()
        let pos = q * Double(s.count - 1)
        let lo = Int(pos.rounded(.down)), hi = Swift.min(lo + 1, s.count - 1)
        return s[lo] + (s[hi] - s[lo]) * (pos - Double(lo))
    }
}

/// The grid of a unit-cell realisation: a fixed number of cells per tile (the 3 µm tile of the circle
/// row), or chosen per realisation from its reaction-layer thickness and narrowest gap.
///
/// `.layerAdaptive(base: N)` resolves the layer δ = r √(Dr/φ²) inside the cells (the first-order,
/// c ≪ Ka limit: the thinnest a Michaelis–Menten layer gets) and the narrowest fluid gap
/// g = 3 µm/√2 − 2r between circles, with h = h(N) = 3 µm / N:
/// 4N if δ < 0.6 h; else 2N if δ < 2.1 h or g < 5 h; else N. The thresholds come from
/// resolution studies on random COMSOL-table rows against N = 240 (docs/unitcell-dns.md "Resolution").
/// Other tiles use ℓ, r_eff and their own narrowest gap in place of 3 µm, r and g.
///
/// Voronoi tiles (irregular cells, channels at every angle to the grid) get a step at 3N and stricter
/// gaps: 4N if δ < 0.7 h(3N); else 3N if δ < 0.6 h or g < 2.75 h (5.5 cells of 2N); else 2N or N as
/// above. Chosen on the realisations of geometry seed 4243 and checked on another seed (docs/closures.md,
/// "Unit-cell families: grid convergence and cost"): η within 1 % of the grid twice as fine.
public enum UnitCellResolution: Sendable, Equatable, CustomStringConvertible {
    case fixed(Int)
    case layerAdaptive(base: Int)

    public static let adaptiveDefault = UnitCellResolution.layerAdaptive(base: 60)
    /// The fixed resolutions accepted from users (`--cells-per-tile N`).
    public static let fixedRange = 8...480

    /// `--cells-per-tile` as written: "auto" (any case) for `adaptiveDefault`, or an integer N in
    /// `fixedRange`.
    public init(parsing text: String) throws {
        if text.lowercased() == "auto" { self = .adaptiveDefault; return }
        guard let n = Int(text), Self.fixedRange.contains(n) else {
            throw UnitCellInputError(message: "\(text) is out of range: expected \(Self.fixedRange.lowerBound)…\(Self.fixedRange.upperBound) or auto")
        }
        self = .fixed(n)
    }

    /// δ = r √(Dr/φ²) (m); infinite without uptake.
    public static func reactionLayerThickness(radius: Double, thieleModulusSquared: Double, diffusivityRatio: Double) -> Double {
        thieleModulusSquared > 0 ? radius * (diffusivityRatio / thieleModulusSquared).squareRoot() : .infinity
    }

    public func cellsPerTile(radius: Double, thieleModulusSquared: Double, diffusivityRatio: Double) -> Int {
        cellsPerTile(tile: .circleRow(radius: radius), thieleModulusSquared: thieleModulusSquared,
                     diffusivityRatio: diffusivityRatio)
    }

    /// The rule on any tile: h = ℓ/N with ℓ the tile length, δ from r_eff, g the tile's narrowest gap;
    /// never fewer cells than the tile's `minimumCellsPerTile` (a mask's pixels).
    public func cellsPerTile(tile: UnitCellTile, thieleModulusSquared: Double, diffusivityRatio: Double) -> Int {
        switch self {
        case .fixed(let n): return n
        case .layerAdaptive(let n):
            let delta = Self.reactionLayerThickness(radius: tile.effectiveRadius, thieleModulusSquared: thieleModulusSquared,
                                                    diffusivityRatio: diffusivityRatio)
            let h = tile.width / Double(n)
            let gap = tile.narrowestGap
            var chosen = n
            if case .voronoi = tile.family {
                if delta < 0.7 * h / 3 { chosen = 4 * n }
                else if delta < 0.6 * h || gap < 2.75 * h { chosen = 3 * n }
                else if delta < 2.1 * h || gap < 5 * h { chosen = 2 * n }
            } else if delta < 0.6 * h { chosen = 4 * n } else if delta < 2.1 * h || gap < 5 * h { chosen = 2 * n }
            return max(chosen, tile.minimumCellsPerTile)
        }
    }

    public var description: String {
        switch self {
        case .fixed(let n): return "\(n)"
        case .layerAdaptive(let n): return "auto(\(n), \(2 * n), \(3 * n), \(4 * n))"
        }
    }

    /// For a JSON summary: the integer, or the rule's description.
    public var jsonValue: Any {
        if case .fixed(let n) = self { return n }
        return description
    }

    /// As written in a file's config: an integer, or a quoted string for the adaptive rule.
    public var tomlValue: String {
        switch self {
        case .fixed(let n): return "\(n)"
        case .layerAdaptive: return "\"\(description)\""
        }
    }
}

/// Unit-cell solvers by resolution, created on first use (each keeps its own flow cache).
final class UnitCellDNSPool {
    private var solvers: [Int: UnitCellDNS] = [:]
    func dns(cellsPerTile n: Int) -> UnitCellDNS {
        if let s = solvers[n] { return s }
        let s = UnitCellDNS(cellsPerTile: n)
        solvers[n] = s
        return s
    }
}
