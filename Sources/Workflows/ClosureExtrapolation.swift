import Closure

/// Loud extrapolation: where a run's closure saw inputs outside its training range (and clamped
/// them), say which features, in how many cells, and the range, on stderr and in `--json`;
/// `--strict-closure` makes it an error.
enum ClosureExtrapolation {
    /// Per clamped feature: its name, the number of cells and the training range.
    static func clamped(_ counts: [Int], closure: any EffectivenessClosure) -> [(feature: EffectivenessFeature, cells: Int, range: ClosedRange<Double>?)] {
        EffectivenessFeature.allCases.compactMap { f in
            let n = f.rawValue < counts.count ? counts[f.rawValue] : 0
            return n > 0 ? (f, n, closure.trainingRange?[f.rawValue]) : nil
        }
    }

    /// One line naming every clamped feature, or nil when nothing was clamped.
    static func message(_ counts: [Int], cells: Int, closure: any EffectivenessClosure, when: String) -> String? {
        let list = clamped(counts, closure: closure)
        guard !list.isEmpty else { return nil }
        let parts = list.map { c in
            "\(c.feature.name) in \(c.cells) of \(cells) cells" + (c.range.map { " (training range [\(format($0.lowerBound)), \(format($0.upperBound))])" } ?? "")
        }
        return "the closure extrapolates \(when): inputs outside its training range were clamped to it: "
            + parts.joined(separator: "; ") + "; η there is the network's value at the edge of its range"
    }

    /// The message as a warning, or nil when nothing was clamped.
    static func warning(_ counts: [Int], cells: Int, closure: any EffectivenessClosure, when: String) -> String? {
        message(counts, cells: cells, closure: closure, when: when).map { "warning: \($0) (--strict-closure makes this an error)" }
    }

    /// The JSON form: feature name → {cells, min, max}.
    static func summary(_ counts: [Int], closure: any EffectivenessClosure) -> [String: Any] {
        Dictionary(uniqueKeysWithValues: clamped(counts, closure: closure).map { c in
            (c.feature.name, ["cells": c.cells, "training_min": c.range?.lowerBound ?? .nan, "training_max": c.range?.upperBound ?? .nan] as [String: Any])
        })
    }

    static func format(_ x: Double) -> String { String(format: "%.4g", x) }
}
