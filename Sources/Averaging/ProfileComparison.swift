/// Comparison of two 1-D concentration profiles ⟨c⟩(x): interpolation to a common grid and the
/// error metrics reported by `tissue compare` and `tissue validate`.

/// A concentration profile along the strip.
public struct Profile: Sendable, Equatable {
    /// Positions (m), strictly increasing.
    public var x: [Double]
    /// ⟨c⟩^β (mol m⁻³) at `x`.
    public var c: [Double]
    /// η(x) (1) where the source has one (upscaled: the closure's; average: the DNS window η).
    public var eta: [Double]?
    /// What the profile is ("upscaled", "average (window)", "reference", …), for legends and files.
    public var label: String
    /// The file it came from ("" when built in memory).
    public var source: String
    /// The source's kind: "upscaled", "average", "reference".
    public var kind: String
    /// Effective cell radius r_eff (m) if the source states one.
    public var effectiveRadius: Double?
    /// Strip length L (m) if known (for filtering: the window is truncated at 0 and L).
    public var length: Double?
    /// Window width W (m) of an `average` file's window profile.
    public var windowWidth: Double?

    public init(x: [Double], c: [Double], eta: [Double]? = nil, label: String, source: String = "", kind: String,
                effectiveRadius: Double? = nil, length: Double? = nil, windowWidth: Double? = nil) {
        precondition(x.count == c.count, "profile: x and c differ in length")
        self.x = x
        self.c = c
        self.eta = eta
        self.label = label
        self.source = source
        self.kind = kind
        self.effectiveRadius = effectiveRadius
        self.length = length
        self.windowWidth = windowWidth
    }

    /// Linear interpolation of c at `position` (constant beyond the ends).
    public func value(at position: Double) -> Double {
        Profile.interpolate(x, c, at: position)
    }

    /// Linear interpolation of (xs, ys) at `p`, constant beyond the ends; xs increasing.
    public static func interpolate(_ xs: [Double], _ ys: [Double], at p: Double) -> Double {
        let n = xs.count
        if n == 0 { return .nan }
        if p <= xs[0] { return ys[0] }
        if p >= xs[n - 1] { return ys[n - 1] }
        let l = bracket(xs, p)
        let t = (p - xs[l]) / (xs[l + 1] - xs[l])
        return ys[l] + t * (ys[l + 1] - ys[l])
    }
}

/// Errors of comparing profiles.
public enum ComparisonError: Error, CustomStringConvertible, Equatable {
    case noOverlap(String)
    case invalid(String)

    public var description: String {
        switch self {
        case .noOverlap(let m): return "compare: \(m)"
        case .invalid(let m): return "compare: \(m)"
        }
    }
}

/// Profile A against profile B (the reference) on B's grid.
///
/// Common grid: the positions of B that lie inside the x range of A (A interpolated linearly).
/// Over the points with x ≥ `xMin`:
///
///     MRE = mean |a − b| / |b|,   max abs = max |a − b|,   L2 = √(mean (a − b)²),
///     relative L2 = √(Σ (a − b)² / Σ b²).
public struct ProfileComparison: Sendable {
    public let a: Profile
    public let b: Profile
    /// Common grid (m): B's positions inside A's range.
    public let x: [Double]
    /// A and B on `x` (mol m⁻³).
    public let cA: [Double]
    public let cB: [Double]
    /// Points with x < xMin are excluded from the metrics (m).
    public let xMin: Double
    public let meanRelativeError: Double
    public let maxAbsoluteError: Double
    /// Position (m) of the largest absolute error.
    public let maxAbsoluteErrorAt: Double
    public let l2Error: Double
    public let relativeL2Error: Double
    /// Number of points in the metrics.
    public let points: Int

    public init(_ a: Profile, against b: Profile, xMin: Double = 0) throws {
        guard a.x.count >= 2, b.x.count >= 1 else { throw ComparisonError.invalid("a profile needs at least two points") }
        let lo = a.x.first!, hi = a.x.last!
        // Tolerate round-off in the end positions (1e-9 of the length).
        let slack = 1e-9 * max(abs(hi - lo), 1e-30)
        var x: [Double] = [], ca: [Double] = [], cb: [Double] = []
        for (p, v) in zip(b.x, b.c) where p >= lo - slack && p <= hi + slack && v.isFinite {
            x.append(p)
            cb.append(v)
            ca.append(a.value(at: p))
        }
        guard !x.isEmpty else {
            throw ComparisonError.noOverlap("the profiles do not overlap: '\(a.label)' covers [\(lo), \(hi)] m, '\(b.label)' [\(b.x.first!), \(b.x.last!)] m")
        }
        var sumRel = 0.0, sumSq = 0.0, sumB2 = 0.0, maxAbs = 0.0, at = x[0], n = 0
        for k in x.indices where x[k] >= xMin {
            let d = ca[k] - cb[k]
            if abs(cb[k]) > 0 { sumRel += abs(d) / abs(cb[k]) }
            sumSq += d * d
            sumB2 += cb[k] * cb[k]
            if abs(d) > maxAbs { maxAbs = abs(d); at = x[k] }
            n += 1
        }
        guard n > 0 else { throw ComparisonError.noOverlap("no common point at x ≥ \(xMin) m") }
        self.a = a
        self.b = b
        self.x = x
        cA = ca
        cB = cb
        self.xMin = xMin
        meanRelativeError = sumRel / Double(n)
        maxAbsoluteError = maxAbs
        maxAbsoluteErrorAt = at
        l2Error = (sumSq / Double(n)).squareRoot()
        relativeL2Error = sumB2 > 0 ? (sumSq / sumB2).squareRoot() : .nan
        points = n
    }

    /// a − b on the common grid (mol m⁻³).
    public var error: [Double] { zip(cA, cB).map { $0 - $1 } }
    /// (a − b)/b on the common grid (1).
    public var relativeError: [Double] { zip(cA, cB).map { ($0 - $1) / $1 } }
}
