/// A small seeded generator (SplitMix64) so splits, bootstraps and permutation tests
/// repeat exactly for a seed.
///
/// It lives in Core because Eval and Drift, which import nothing else, both need one. It is
/// enough for shuffles and resampling, not for cryptography or for weight initialization
/// (SquireTensor's `SeededGenerator` does that).
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    /// Creates a generator; the same seed gives the same sequence on every platform.
    public init(seed: UInt64) { state = seed }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
