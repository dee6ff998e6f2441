import Foundation
import HDF5Kit
import Numerics

/// A surrogate data set in memory: n samples of source map α and normalised field c / max c on
/// an N × N lattice, float32, (n, N, N) row-major.
///
/// HDF5 layout (kind `surrogate-dataset`, root header per DESIGN §5):
/// - `/inputs` (n, N, N) float32, units "1": α / max α
/// - `/targets` (n, N, N) float32, units "1": c / max c
/// - `/sample_index` (n) int64: the index k of the per-sample random stream (seed, k)
/// - `/field_max` (n) float64, units "1": max c before normalisation (lattice units)
/// - `/source_count` (n) int64
/// - `/generation` attributes: lattice_size, diffusivity, decay_rate, source_radius,
///   sources_min, sources_max, strength_min, seed, solver
/// Datasets above 65 536 values are chunked and deflate-compressed by HDF5Kit.
public struct SurrogateDataset: Sendable, Equatable {
    public static let kind = "surrogate-dataset"

    public var parameters: DiffusionDecayParameters
    public var seed: UInt64
    public var inputs: [Float]
    public var targets: [Float]
    public var sampleIndex: [Int]
    public var fieldMax: [Double]
    public var sourceCount: [Int]

    public init(parameters: DiffusionDecayParameters, seed: UInt64, inputs: [Float] = [], targets: [Float] = [],
                sampleIndex: [Int] = [], fieldMax: [Double] = [], sourceCount: [Int] = []) {
        self.parameters = parameters
        self.seed = seed
        self.inputs = inputs
        self.targets = targets
        self.sampleIndex = sampleIndex
        self.fieldMax = fieldMax
        self.sourceCount = sourceCount
    }

    public var count: Int { sampleIndex.count }

    /// Appends the samples of `other` (same parameters and seed).
    public mutating func append(_ other: SurrogateDataset) {
        inputs += other.inputs
        targets += other.targets
        sampleIndex += other.sampleIndex
        fieldMax += other.fieldMax
        sourceCount += other.sourceCount
    }

    /// The samples at `positions` (0-based positions in this set, in that order).
    public func subset(_ positions: [Int]) -> SurrogateDataset {
        let p = parameters.pixels
        var s = SurrogateDataset(parameters: parameters, seed: seed)
        s.inputs.reserveCapacity(positions.count * p)
        s.targets.reserveCapacity(positions.count * p)
        for k in positions {
            s.inputs += inputs[(k * p)..<((k + 1) * p)]
            s.targets += targets[(k * p)..<((k + 1) * p)]
            s.sampleIndex.append(sampleIndex[k])
            s.fieldMax.append(fieldMax[k])
            s.sourceCount.append(sourceCount[k])
        }
        return s
    }

    /// Sorted by sample index (the order of a one-process run).
    public func sortedBySampleIndex() -> SurrogateDataset {
        subset(sampleIndex.indices.sorted { sampleIndex[$0] < sampleIndex[$1] })
    }

    // MARK: Files

    /// Writes the data set atomically with the given header `kind` (a data set or a part file).
    public func write(to path: String, kind: String = SurrogateDataset.kind, config: String, programVersion: String) throws {
        let n = parameters.latticeSize
        try AtomicWrite.hdf5(to: path) { file in
            try FileHeader(kind: kind, programVersion: programVersion, config: config, seed: seed).write(to: file)
            let root = file.root
            try root.write("inputs", inputs, shape: [count, n, n], units: "1",
                           longName: "normalised source map alpha / max alpha (sample, row y, column x)")
            try root.write("targets", targets, shape: [count, n, n], units: "1",
                           longName: "steady field c / max c of D lap c - gamma c + alpha = 0, absorbing boundary")
            try root.write("sample_index", sampleIndex.map { Int64($0) }, units: "1",
                           longName: "index k of the per-sample random stream (seed, k)")
            try root.write("field_max", fieldMax, units: "1", longName: "max c before normalisation (lattice units)")
            try root.write("source_count", sourceCount.map { Int64($0) }, units: "1", longName: "number of disk sources")
            let g = try root.createGroup("generation")
            try parameters.write(to: g)
            try g.setAttribute("seed", Int(Int64(bitPattern: seed)))
            try g.setAttribute("units", "lattice units: dx = 1 pixel, D in pixel^2 per time unit, gamma per time unit")
            try g.setAttribute("solver", "5-point Laplacian, ghost nodes c = 0, UMFPACK LU factorised once per data set")
        }
    }

    /// Opens a TissueTransport file and checks its header kind; errors name the file and the
    /// command (`madeBy`) that makes the expected kind.
    static func open(_ path: String, kind: String, madeBy: String) throws -> (HDF5File, FileHeader) {
        guard FileManager.default.fileExists(atPath: path) else { throw SurrogateError("\(path): no such file") }
        let file = try HDF5File.open(path)
        do {
            return (file, try FileHeader.read(from: file, expecting: kind, hint: "make one with `\(madeBy)`"))
        } catch {
            try? file.close()
            throw error
        }
    }

    /// Reads a data set (or, with `kind`, a part file), checking kind and shapes; errors name the file.
    public static func read(path: String, kind: String = SurrogateDataset.kind) throws -> SurrogateDataset {
        let (file, header) = try open(path, kind: kind, madeBy: "tissue surrogate generate")
        defer { try? file.close() }
        let root = file.root
        for name in ["inputs", "targets", "sample_index", "field_max", "source_count", "generation"] where !root.contains(name) {
            throw SurrogateError("\(path): /\(name) is missing")
        }
        let parameters = try DiffusionDecayParameters(from: try root.group("generation"))
        let index = try root.dataset("sample_index").read(Int64.self).map { Int($0) }
        let n = parameters.latticeSize
        for name in ["inputs", "targets"] {
            let shape = try root.dataset(name).shape
            guard shape == [index.count, n, n] else {
                throw SurrogateError("\(path): /\(name) has shape \(shape), expected \([index.count, n, n])")
            }
        }
        let set = SurrogateDataset(
            parameters: parameters, seed: header.seed, inputs: try root.dataset("inputs").read(Float.self),
            targets: try root.dataset("targets").read(Float.self), sampleIndex: index,
            fieldMax: try root.dataset("field_max").read(Double.self),
            sourceCount: try root.dataset("source_count").read(Int64.self).map { Int($0) })
        guard set.fieldMax.count == index.count, set.sourceCount.count == index.count else {
            throw SurrogateError("\(path): /field_max and /source_count must have \(index.count) values")
        }
        return set
    }
}

/// Seeded, shardable, resumable generation of a surrogate data set.
///
/// Sample k uses the random stream (seed, k) only, so any split into shards (`include(k)`) and any
/// interruption give bit-identical samples. The planned samples are processed in blocks of
/// `blockSize`; each finished block is written atomically as a part file
/// `<partDirectory>/block-<b>.h5` (kind `surrogate-dataset-part`), and a resumed run reads the
/// blocks already there instead of solving them again.
public struct SurrogateGeneration {
    public static let partKind = "surrogate-dataset-part"

    public let parameters: DiffusionDecayParameters
    public let seed: UInt64
    /// Sample indices of this run, ascending.
    public let plan: [Int]
    public let blockSize: Int

    public init(parameters: DiffusionDecayParameters, seed: UInt64, samples: Int, blockSize: Int = 500,
                include: (Int) -> Bool = { _ in true }) {
        self.parameters = parameters
        self.seed = seed
        self.plan = (0..<max(0, samples)).filter(include)
        self.blockSize = max(1, blockSize)
    }

    /// Sample k: α, c / max c, max c and the number of sources.
    public static func sample(_ k: Int, parameters: DiffusionDecayParameters, seed: UInt64,
                              solver: DiffusionDecaySolver) throws -> (input: [Float], target: [Float], fieldMax: Double, sources: Int) {
        let sources = parameters.sources(seed: seed, index: k)
        let alpha = parameters.sourceMap(sources)
        let c = try solver.solve(sourceMap: alpha)
        let peak = c.max() ?? 0
        guard peak > 0, peak.isFinite else { throw SurrogateError("sample \(k): the solve gave max c = \(peak)") }
        return (alpha.map { Float($0) }, c.map { Float($0 / peak) }, peak, sources.count)
    }

    /// Runs the plan; `progress(done, total)` after each sample, `stopAfterBlocks` simulates a kill.
    public func run(partDirectory: String, config: String, programVersion: String, stopAfterBlocks: Int? = nil,
                    progress: (Int, Int) -> Void = { _, _ in }) throws -> (dataset: SurrogateDataset, resumedSamples: Int, complete: Bool) {
        let solver = try DiffusionDecaySolver(parameters)
        var set = SurrogateDataset(parameters: parameters, seed: seed)
        var done = 0, resumed = 0, written = 0
        let blocks = stride(from: 0, to: plan.count, by: blockSize).map { Array(plan[$0..<min($0 + blockSize, plan.count)]) }
        progress(0, plan.count)
        for (b, block) in blocks.enumerated() {
            let path = (partDirectory as NSString).appendingPathComponent(String(format: "block-%06d.h5", b))
            if FileManager.default.fileExists(atPath: path), let part = try? SurrogateDataset.read(path: path, kind: Self.partKind),
               part.sampleIndex == block, part.parameters == parameters, part.seed == seed {
                set.append(part)
                done += block.count
                resumed += block.count
                progress(done, plan.count)
                continue
            }
            if let stopAfterBlocks, written >= stopAfterBlocks { return (set, resumed, false) }
            var part = SurrogateDataset(parameters: parameters, seed: seed)
            for k in block {
                let s = try Self.sample(k, parameters: parameters, seed: seed, solver: solver)
                part.inputs += s.input
                part.targets += s.target
                part.sampleIndex.append(k)
                part.fieldMax.append(s.fieldMax)
                part.sourceCount.append(s.sources)
                done += 1
                progress(done, plan.count)
            }
            try part.write(to: path, kind: Self.partKind, config: config, programVersion: programVersion)
            written += 1
            set.append(part)
        }
        return (set, resumed, true)
    }

    /// Joins data sets (e.g. the outputs of `--shard K/N` runs) in sample-index order; refuses sets
    /// with other generation parameters or seeds, and repeated samples.
    public static func merge(_ sets: [(path: String, set: SurrogateDataset)]) throws -> SurrogateDataset {
        guard let first = sets.first else { throw SurrogateError("nothing to merge") }
        var all = SurrogateDataset(parameters: first.set.parameters, seed: first.set.seed)
        for (path, s) in sets {
            guard s.parameters == first.set.parameters, s.seed == first.set.seed else {
                throw SurrogateError("\(path): generation parameters or seed differ from \(first.path)")
            }
            all.append(s)
        }
        guard Set(all.sampleIndex).count == all.count else { throw SurrogateError("the inputs repeat samples (overlapping shards?)") }
        return all.sortedBySampleIndex()
    }
}

extension DiffusionDecayParameters {
    /// Stores the parameters as attributes of `g` (`lattice_size`, `diffusivity`, `decay_rate`,
    /// `source_radius`, `sources_min`, `sources_max`, `strength_min`), lattice units.
    public func write(to g: HDF5Group) throws {
        try g.setAttribute("lattice_size", latticeSize)
        try g.setAttribute("diffusivity", diffusivity)
        try g.setAttribute("decay_rate", decayRate)
        try g.setAttribute("source_radius", sourceRadius)
        try g.setAttribute("sources_min", sourcesMin)
        try g.setAttribute("sources_max", sourcesMax)
        try g.setAttribute("strength_min", strengthMin)
    }

    /// Reads the attributes written by `write(to:)` and validates them.
    public init(from g: HDF5Group) throws {
        try self.init(latticeSize: try g.intAttribute("lattice_size"), diffusivity: try g.doubleAttribute("diffusivity"),
                      decayRate: try g.doubleAttribute("decay_rate"), sourceRadius: try g.doubleAttribute("source_radius"),
                      sourcesMin: try g.intAttribute("sources_min"), sourcesMax: try g.intAttribute("sources_max"),
                      strengthMin: try g.doubleAttribute("strength_min"))
    }
}
