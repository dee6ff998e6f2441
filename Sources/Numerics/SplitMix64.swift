/// SplitMix64 (Steele, Lea & Flood 2014): a small, fast, seedable generator whose
/// streams are reproducible across platforms. `stream(seed:index:)` gives an
/// independent-looking stream per (seed, sample index).
public struct SplitMix64: RandomNumberGenerator, Sendable {
    public private(set) var state: UInt64

    public init(seed: UInt64) { state = seed }

    /// A generator keyed by (seed, index), for per-sample streams independent of sharding.
    public static func stream(seed: UInt64, index: UInt64) -> SplitMix64 {
        var g = SplitMix64(seed: seed ^ 0x6A09_E667_F3BC_C909)
        let mixed = g.next() &+ index &* 0x9E37_79B9_7F4A_7C15
        return SplitMix64(seed: mixed)
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform double in [0, 1) with 53 random bits.
    public mutating func nextUniform() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }
}
