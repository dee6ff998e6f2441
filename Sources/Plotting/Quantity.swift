import Foundation

/// What an axis shows: a name and its UDUNITS units ("m", "mol m-3", "1"), as stored in a file's
/// `long_name` and `units` attributes.
public struct Quantity: Sendable, Equatable {
    public var name: String
    public var units: String

    public init(_ name: String, units: String) {
        self.name = name
        self.units = units
    }

    /// The axis title for values displayed in `unit`: "x (µm)", "η (1)".
    public func title(_ unit: DisplayUnit) -> String {
        unit.symbol.isEmpty ? name : "\(name) (\(unit.symbol))"
    }
}

/// A unit to display values in: SI value × `factor` = displayed value.
public struct DisplayUnit: Sendable, Equatable {
    public var symbol: String
    public var factor: Double

    /// The readable unit for values of `units` spanning `values`: a prefix for the plain lengths,
    /// times and pressures ("m" → "µm" for a 20 µm strip, "s" → "ms"), otherwise the units written
    /// with superscripts ("mol m-3" → "mol m⁻³"), after a power of ten for values below 0.01 or
    /// from 10⁴ up ("10⁻⁴ mol m⁻² s⁻¹").
    public static func choose(for units: String, values: [Double]) -> DisplayUnit {
        let largest = values.lazy.filter(\.isFinite).map(abs).max() ?? 0
        let base = units.trimmingCharacters(in: .whitespaces)
        if base == "s" && largest >= 7200 { return DisplayUnit(symbol: "h", factor: 1.0 / 3600) }
        if base == "s" && largest >= 120 { return DisplayUnit(symbol: "min", factor: 1.0 / 60) }
        guard ["m", "s", "Pa", "mol", "g"].contains(base), largest > 0 else {
            // Very small or large values: a power of ten in the unit keeps the tick labels short.
            guard largest > 0, largest < 1e-2 || largest >= 1e4 else { return DisplayUnit(symbol: pretty(units), factor: 1) }
            // Clamped: a subnormal largest value would make 10^-e infinite.
            let e = max(-300, min(300, Int(floor(log10(largest)))))
            let power = "10" + pretty("x\(e)").dropFirst()
            return DisplayUnit(symbol: units == "1" || units.isEmpty ? power : power + " " + pretty(units), factor: pow(10, Double(-e)))
        }
        let prefixes: [(String, Double)] = base == "m" || base == "s"
            ? [("", 1), ("m", 1e-3), ("µ", 1e-6), ("n", 1e-9)]
            : [("M", 1e6), ("k", 1e3), ("", 1), ("m", 1e-3), ("µ", 1e-6), ("n", 1e-9)]
        let (prefix, size) = prefixes.first { largest >= $0.1 * 0.999 } ?? prefixes.last!
        return DisplayUnit(symbol: prefix + base, factor: 1 / size)
    }

    /// UDUNITS exponents as superscripts: "m2 s-1" → "m² s⁻¹"; "1" stays "1".
    public static func pretty(_ units: String) -> String {
        let superscripts: [Character: Character] = ["-": "⁻", "0": "⁰", "1": "¹", "2": "²", "3": "³", "4": "⁴",
                                                    "5": "⁵", "6": "⁶", "7": "⁷", "8": "⁸", "9": "⁹"]
        return units.split(separator: " ").map { token -> String in
            guard let k = token.firstIndex(where: { $0 == "-" || $0.isNumber }), k != token.startIndex else { return String(token) }
            return String(token[..<k]) + String(token[k...].map { superscripts[$0] ?? $0 })
        }.joined(separator: " ")
    }
}

/// A numeric axis: its range and "nice" ticks (1, 2, 5 × 10^k; decades when logarithmic).
public struct Axis: Sendable {
    public var lo: Double
    public var hi: Double
    public var ticks: [Double]
    public var isLog: Bool

    /// `tight`: the axis spans exactly [lo, hi] (ticks inside); otherwise it widens to whole ticks.
    public init(lo: Double, hi: Double, tight: Bool = false, log: Bool = false) {
        isLog = log
        if log {
            let a = Foundation.log10(max(lo, .leastNormalMagnitude)), b = Foundation.log10(max(hi, lo * 10))
            let first = tight ? a : floor(a + 1e-9), last = tight ? b : ceil(b - 1e-9)
            let low = pow(10, first), high = pow(10, max(last, first + 1e-9))
            self.lo = low
            self.hi = high
            let decades = Array(Int(ceil(first - 1e-9))...Int(floor(last + 1e-9)))
            let every = max(1, decades.count / 7 + (decades.count % 7 == 0 ? 0 : 1))
            var t = decades.filter { ($0 - decades[0]) % every == 0 }.map { pow(10, Double($0)) }
            if decades.count <= 2 {   // few decades: 2 and 5 as well
                t = decades.flatMap { d in [1.0, 2, 5].map { $0 * pow(10, Double(d)) } }
                    .filter { $0 >= low * 0.999 && $0 <= high * 1.001 }
                if t.isEmpty { t = [low, high] }
            }
            ticks = t
            return
        }
        let span = max(hi - lo, abs(hi) * 1e-12, 1e-300)
        let raw = span / 6
        let p = pow(10, floor(Foundation.log10(raw)))
        let step = [1.0, 2, 5, 10].map { $0 * p }.first { $0 >= raw * 0.999 } ?? 10 * p
        let a = floor(lo / step + 1e-9) * step, b = ceil(hi / step - 1e-9) * step
        self.lo = tight ? lo : a
        self.hi = tight ? max(hi, lo + span) : max(b, a + step)
        let first = tight ? ceil(lo / step - 1e-9) * step : a
        let last = tight ? floor(hi / step + 1e-9) * step : self.hi
        ticks = stride(from: first, through: last + step * 1e-9, by: step).map { abs($0) < step * 1e-9 ? 0 : $0 }
    }

    /// Where `v` sits along the axis, 0 at `lo` to 1 at `hi`.
    public func fraction(_ v: Double) -> Double {
        isLog ? (log10(v) - log10(lo)) / (log10(hi) - log10(lo)) : (v - lo) / (hi - lo)
    }

    /// A tick label: "0", "2.5", "1e-05".
    public static func label(_ v: Double) -> String {
        if v == v.rounded() && abs(v) < 1e6 { return String(Int(v)) }
        if abs(v) >= 1e-3 && abs(v) < 1e6 {
            return String(format: "%g", (v * 1e6).rounded() / 1e6)
        }
        return String(format: "%.3g", v)
    }
}
