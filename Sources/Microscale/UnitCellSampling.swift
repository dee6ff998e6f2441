import Foundation
import Numerics

/// Random unit-cell realisations drawn from the reference study's input distributions.
///
/// Realisation k of a campaign with seed s draws from its own stream
/// `SplitMix64.stream(seed: s, index: k)`, so its inputs do not depend on which process (shard)
/// runs it or on what ran before. Draw order within a stream: εβ, φ², Dr, cL, Pe.
///
/// - εβ uniform on [0.2737, 0.8255] → r = `UnitCellRow.radius(porosity:)` (other families: their
///   default range, `UnitCellFamily.defaultPorosityRange`, and r = the tile's r_eff);
/// - φ² triangular on [0, 100] with mode 0 (inverse CDF 100 (1 − √(1 − u)));
/// - Dr uniform on [0.01, 1];
///
/// These are the defaults; a campaign may narrow or shift the εβ and Dr ranges and the upper end
/// of φ² (e.g. a tissue-focused supplement near the brain's εβ = 0.26, φ² = 0.5, Dr = 0.1, where the
/// reference distributions put few realisations). εβ must stay above `minimumPorosity`, where the
/// row's circles touch.
///
/// - cL uniform on [0.1, 10] mol m⁻³;
/// - pressure drop: the reference draws PL = u · Pmax(r) with an unstated Pmax(r). We instead
///   draw a target Péclet number Pe uniform on [0, `pecletMax`] (default 130, the maximum of the
///   reference table) and set PL = Pe / (Pe/PL)(r), where (Pe/PL)(r) = r ⟨v⟩^β(1 Pa) / Dβ comes
///   from our own Stokes flow for a 1 Pa drop (`UnitCellDNS.unitFlow(radius:)`). Pe is linear in
///   PL, so the realisation's Pe equals the target; PL therefore depends (slightly) on the grid
///   resolution, and the drawn PL is what `/samples/inputs` records.
public struct UnitCellSampler: Sendable, Equatable {
    /// The reference study's distributions (the defaults).
    public static let porosityRange: ClosedRange<Double> = 0.2737...0.8255
    public static let thieleModulusSquaredMax = 100.0
    public static let diffusivityRatioRange: ClosedRange<Double> = 0.01...1
    public static let inletConcentrationRange: ClosedRange<Double> = 0.1...10
    /// εβ at which the centre circle touches the quarter circles (r = tile/(2√2)): 1 − π/4.
    public static let minimumPorosity = 1 - Double.pi / 4

    public var seed: UInt64
    /// The unit-cell family the realisations are made on.
    public var family: UnitCellFamily
    public var pecletMax: Double
    public var porosityRange: ClosedRange<Double>
    public var thieleModulusSquaredMax: Double
    public var diffusivityRatioRange: ClosedRange<Double>

    /// Throws if a range is empty, non-finite or outside its physical domain
    /// (εβ within the family's `admissiblePorosity`, φ²max > 0, Dr > 0, Pe max > 0).
    /// `porosityRange` nil: the family's default (the reference study's for the circle row).
    public init(seed: UInt64, family: UnitCellFamily = .circleRow, pecletMax: Double = 130,
                porosityRange: ClosedRange<Double>? = nil,
                thieleModulusSquaredMax: Double = Self.thieleModulusSquaredMax,
                diffusivityRatioRange: ClosedRange<Double> = Self.diffusivityRatioRange) throws {
        let porosityRange = porosityRange ?? family.defaultPorosityRange
        func finite(_ r: ClosedRange<Double>) -> Bool { r.lowerBound.isFinite && r.upperBound.isFinite }
        guard pecletMax > 0 && pecletMax.isFinite else {
            throw UnitCellInputError(message: "Pe max = \(pecletMax): expected > 0")
        }
        if let admissible = family.admissiblePorosity {
            guard finite(porosityRange), admissible.contains(porosityRange.lowerBound), admissible.contains(porosityRange.upperBound) else {
                throw UnitCellInputError(message: "porosity range \(porosityRange.lowerBound)…\(porosityRange.upperBound): the \(family.name) unit cell reaches \(admissible.lowerBound)…\(admissible.upperBound) (below it the cells touch or the channels close)")
            }
        }
        guard thieleModulusSquaredMax > 0 && thieleModulusSquaredMax.isFinite else {
            throw UnitCellInputError(message: "phi2 max = \(thieleModulusSquaredMax): expected > 0")
        }
        guard finite(diffusivityRatioRange), diffusivityRatioRange.lowerBound > 0 else {
            throw UnitCellInputError(message: "Dr range \(diffusivityRatioRange.lowerBound)…\(diffusivityRatioRange.upperBound): expected Dr > 0")
        }
        self.seed = seed
        self.family = family
        self.pecletMax = pecletMax
        self.porosityRange = porosityRange
        self.thieleModulusSquaredMax = thieleModulusSquaredMax
        self.diffusivityRatioRange = diffusivityRatioRange
    }

    /// Whether every distribution is the reference study's (Pe max aside) on the circle row.
    public var hasReferenceRanges: Bool {
        family == .circleRow && porosityRange == Self.porosityRange && thieleModulusSquaredMax == Self.thieleModulusSquaredMax
            && diffusivityRatioRange == Self.diffusivityRatioRange
    }

    /// The drawn parameters of one realisation before the flow fixes PL.
    public struct Draw: Sendable, Equatable {
        public var index: Int
        public var porosity: Double
        public var radius: Double
        public var thieleModulusSquared: Double
        public var diffusivityRatio: Double
        public var inletConcentration: Double
        public var targetPeclet: Double
        /// Seed of the realisation's geometry (Voronoi seeds, mask window); drawn last, so the other
        /// draws are those of a circle-row campaign with the same seed.
        public var geometrySeed: UInt64
    }

    /// The parameters of realisation `index` (no solve).
    public func draw(index: Int) -> Draw {
        var g = SplitMix64.stream(seed: seed, index: UInt64(index))
        func uniform(_ r: ClosedRange<Double>) -> Double { r.lowerBound + (r.upperBound - r.lowerBound) * g.nextUniform() }
        let porosity = uniform(porosityRange)
        let phi2 = thieleModulusSquaredMax * (1 - (1 - g.nextUniform()).squareRoot())
        let dr = uniform(diffusivityRatioRange)
        let cl = uniform(Self.inletConcentrationRange)
        let pe = pecletMax * g.nextUniform()
        let geometrySeed = g.next()
        return Draw(index: index, porosity: porosity, radius: UnitCellRow.radius(porosity: porosity),
                    thieleModulusSquared: phi2, diffusivityRatio: dr, inletConcentration: cl, targetPeclet: pe,
                    geometrySeed: geometrySeed)
    }

    /// The tile of realisation `index` (nominal when `cellsPerTile` is nil: for choosing the grid).
    public func tile(index: Int, cellsPerTile: Int? = nil) throws -> UnitCellTile {
        let d = draw(index: index)
        return try family.tile(porosity: d.porosity, seed: d.geometrySeed, cellsPerTile: cellsPerTile)
    }

    /// The inputs of realisation `index` on its tile; PL from the target Pe and our flow through that tile.
    public func inputs(index: Int, dns: UnitCellDNS) throws -> (inputs: UnitCellInputs, tile: UnitCellTile) {
        let d = draw(index: index)
        let tile = try self.tile(index: index, cellsPerTile: dns.cellsPerTile)
        let r = tile.effectiveRadius
        var inputs = UnitCellInputs(radius: r, thieleModulusSquared: d.thieleModulusSquared, pressureDrop: 0,
                                    diffusivityRatio: d.diffusivityRatio, inletConcentration: d.inletConcentration,
                                    porosity: tile.porosity)
        let unit = try dns.unitFlow(tile: tile).flow
        let pecletPerPascal = unit.intrinsicVelocity(porosity: inputs.porosity) * r / inputs.diffusivityBeta
        guard pecletPerPascal > 0 && pecletPerPascal.isFinite else {
            throw UnitCellInputError(message: "realisation \(index): flow through the \(family.name) tile (r_eff = \(r) m) gives Pe/PL = \(pecletPerPascal)")
        }
        inputs.pressureDrop = d.targetPeclet / pecletPerPascal
        return (inputs, tile)
    }
}

/// Part K of N of a campaign (1-based K): realisation k belongs to it when k % N == K − 1.
public struct CampaignShard: Sendable, Equatable, CustomStringConvertible {
    public var part: Int
    public var count: Int

    public static let whole = CampaignShard(uncheckedPart: 1, count: 1)

    private init(uncheckedPart part: Int, count: Int) {
        self.part = part
        self.count = count
    }

    public init(part: Int, count: Int) throws {
        guard count >= 1, part >= 1, part <= count else {
            throw UnitCellInputError(message: "shard \(part)/\(count): expected K/N with 1 ≤ K ≤ N")
        }
        self.init(uncheckedPart: part, count: count)
    }

    /// Parses "K/N".
    public init(parsing text: String) throws {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let k = Int(parts[0].trimmingCharacters(in: .whitespaces)),
              let n = Int(parts[1].trimmingCharacters(in: .whitespaces)) else {
            throw UnitCellInputError(message: "shard '\(text)': expected K/N, e.g. 2/4")
        }
        try self.init(part: k, count: n)
    }

    public func contains(_ index: Int) -> Bool { index % count == part - 1 }

    public var description: String { "\(part)/\(count)" }
}

/// Checks that shard outputs belong to one campaign before they are merged: the same campaign
/// identity (the `config` text of each file without its `shard = "K/N"` line: inputs or samples,
/// seed, Pe range, resolution), the same shard count N, no shard twice, and — unless
/// `allowPartial` — every shard 1…N present.
public struct CampaignMergeCheck {
    public struct Part {
        public var path: String
        public var config: String
        public init(path: String, config: String) {
            self.path = path
            self.config = config
        }
    }

    /// The identity of a campaign file and its shard ("1/1" for a one-process run or an earlier merge).
    static func split(_ config: String) throws -> (identity: String, shard: CampaignShard) {
        var shard = CampaignShard.whole
        var lines: [Substring] = []
        for line in config.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("# merged from ") { continue }
            if trimmed.hasPrefix("shard = ") {
                shard = try CampaignShard(parsing: trimmed.dropFirst(8).trimmingCharacters(in: CharacterSet(charactersIn: "\" ")))
            } else {
                lines.append(line)
            }
        }
        return (lines.joined(separator: "\n"), shard)
    }

    /// The campaign identity of a file's config (its shard and merge lines removed).
    public static func identity(_ config: String) throws -> String { try split(config).identity }

    public static func check(_ parts: [Part], allowPartial: Bool = false) throws {
        guard let first = parts.first else { return }
        let reference = try split(first.config)
        guard reference.identity.hasPrefix("# tissue dns unitcell") else {
            throw UnitCellInputError(message: "\(first.path) is not the output of `tissue dns unitcell` (its config does not say so); merge shard outputs of one campaign")
        }
        var seen: [Int: String] = [:]
        for part in parts {
            let (identity, shard) = try split(part.config)
            guard identity == reference.identity else {
                let differing = zip(identity.split(separator: "\n"), reference.identity.split(separator: "\n"))
                    .first { $0 != $1 }.map { "'\($0.0)' vs '\($0.1)'" } ?? "different settings"
                throw UnitCellInputError(message: "\(part.path) belongs to another campaign than \(first.path): \(differing)")
            }
            guard shard.count == reference.shard.count else {
                throw UnitCellInputError(message: "\(part.path) is shard \(shard) but \(first.path) is shard \(reference.shard): the shard counts differ")
            }
            if let other = seen[shard.part] {
                throw UnitCellInputError(message: "\(part.path) and \(other) are both shard \(shard)")
            }
            seen[shard.part] = part.path
        }
        let missing = (1...reference.shard.count).filter { seen[$0] == nil }
        if !missing.isEmpty && !allowPartial {
            throw UnitCellInputError(message: "shard(s) \(missing.map { "\($0)/\(reference.shard.count)" }.joined(separator: ", ")) missing: give every shard, or --allow-partial to merge a subset")
        }
    }
}
