import Closure
import Foundation

/// A set of unit-cell realisations run one after another into training rows (domains 2–5),
/// with an optional comparison against reference η where the inputs table carries it.
public struct UnitCellCampaign {
    public let rows: [UnitCellTableRow]
    public let dns: UnitCellDNS

    public init(rows: [UnitCellTableRow], cellsPerTile: Int) {
        self.rows = rows
        self.dns = UnitCellDNS(cellsPerTile: cellsPerTile)
    }

    /// Relative η errors (ours − reference)/reference of one realisation, domains 2–5.
    public struct Comparison: Sendable {
        public var row: Int
        public var relativeEtaError: [Double]
        public var pecletRatio: Double
    }

    public struct Outcome: Sendable {
        public var trainingSet: TrainingSet
        public var results: [UnitCellResult]
        public var comparisons: [Comparison]
    }

    /// Runs every row; `progress(done, total)` after each.
    public func run(source: String, progress: (Int, Int) -> Void = { _, _ in }) throws -> Outcome {
        var features: [Double] = [], eta: [Double] = [], realization: [Int] = [], domain: [Int] = [], inputs: [Double] = []
        var results: [UnitCellResult] = []
        var comparisons: [Comparison] = []
        for (k, row) in rows.enumerated() {
            let result = try dns.run(row.inputs)
            for s in result.samples() {
                features += s.features
                eta.append(s.eta)
                realization.append(row.index)
                domain.append(s.domain)
                inputs += row.inputs.row
            }
            if let refEta = row.referenceEta, let refPe = row.referencePeclet {
                comparisons.append(Comparison(row: row.index,
                                              relativeEtaError: (1...4).map { (result.domains[$0].eta - refEta[$0]) / refEta[$0] },
                                              pecletRatio: result.peclet / refPe))
            }
            results.append(result)
            progress(k + 1, rows.count)
        }
        let set = try TrainingSet(features: features, eta: eta, realization: realization, domain: domain,
                                  inputs: inputs, source: source)
        return Outcome(trainingSet: set, results: results, comparisons: comparisons)
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
