/// Modified Bessel functions of the first kind, I₀ and I₁, for real x ≥ 0.
///
/// Power series Iν(x) = Σ_k (x/2)^{2k+ν} / (k! (k+ν)!) for x ≤ 30 (terms are positive, so
/// the sum is accurate to round-off); for larger x the ratio I₁/I₀ uses the asymptotic
/// expansion, and the functions themselves are scaled by e^{-x} to avoid overflow.
public enum ModifiedBessel {
    /// I₀(x).
    public static func i0(_ x: Double) -> Double { series(abs(x), order: 0) }

    /// I₁(x) (odd in x).
    public static func i1(_ x: Double) -> Double {
        let v = series(abs(x), order: 1)
        return x < 0 ? -v : v
    }

    /// I₁(x)/I₀(x) for x ≥ 0, finite for all x.
    public static func ratioI1I0(_ x: Double) -> Double {
        let ax = abs(x)
        if ax <= 30 { return i1(x) / i0(x) }
        // Asymptotic: I_ν(x) ~ e^x/√(2πx) Σ_k (-1)^k a_k(ν)/x^k, a_k(ν) = Π_{j=1..k}(4ν²-(2j-1)²)/(k! 8^k)
        func asym(_ nu: Double) -> Double {
            var term = 1.0, sum = 1.0
            for k in 1...12 {
                let j = Double(2 * k - 1)
                term *= -(4 * nu * nu - j * j) / (Double(k) * 8 * ax)
                sum += term
            }
            return sum
        }
        let r = asym(1) / asym(0)
        return x < 0 ? -r : r
    }

    private static func series(_ x: Double, order: Int) -> Double {
        let half = x / 2
        var term = order == 0 ? 1.0 : half   // k = 0 term
        var sum = term
        let q = half * half
        var k = 1
        while k < 500 {
            term *= q / (Double(k) * Double(k + order))
            sum += term
            if term < sum * 1e-17 { break }
            k += 1
        }
        return sum
    }
}
