import SquireCore
import SquireTesting
import Synchronization

/// Requests with embeddings chosen by hand for the semantic-cache tests, in 8 dimensions:
/// "refund please" and "refund pls" have cosine 1/√1.04 ≈ 0.9806, "refund please" and
/// "where's my refund" 1/√1.0025 ≈ 0.9988; every other pair of different requests is
/// orthogonal or nearly so.
let requestVectors: [String: [Float]] = [
    "refund please": [1, 0, 0, 0, 0, 0, 0, 0],
    "refund pls": [1, 0.2, 0, 0, 0, 0, 0, 0],
    "where's my refund": [1, 0.05, 0, 0, 0, 0, 0, 0],
    "my card is stuck": [0, 0, 1, 0, 0, 0, 0, 0],
    "card stuck": [0, 0, 1, 0.1, 0, 0, 0, 0],
    "hello": [0, 0, 0, 0, 1, 0, 0, 0],
    "a": [0, 0, 0, 0, 0, 1, 0, 0],
    "b": [0, 0, 0, 0, 0, 0, 1, 0],
    "c": [0, 0, 0, 0, 0, 0, 0, 1],
    "d": [0, 0, 0, 1, 0, 0, 0, 0],
]

/// Embeds the requests above; any other text throws.
let requestEmbedder = ScriptedEmbedder(dimension: 8) { text in
    guard let vector = requestVectors[text] else { throw ModelError.invalidInput("no vector for \"\(text)\"") }
    return vector
}

/// A time source tests move by hand.
final class ManualClock: Sendable {
    private let time = Mutex(Duration.zero)

    /// The time now.
    var now: Duration { time.withLock { $0 } }

    /// Moves the time forward.
    func advance(by duration: Duration) { time.withLock { $0 += duration } }
}

/// `count` vectors of `dimension` components, uniform in -1…1, from `seed`.
func randomVectors(_ count: Int, dimension: Int, seed: UInt64) -> [[Float]] {
    var generator = SplitMix64(seed: seed)
    return (0..<count).map { _ in (0..<dimension).map { _ in Float.random(in: -1...1, using: &generator) } }
}
