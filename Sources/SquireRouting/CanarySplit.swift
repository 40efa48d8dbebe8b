public import SquireCore

/// Sends a fixed share of traffic to a candidate, chosen by a hash of each request's key,
/// so the same request (or user) always lands on the same side and the split repeats
/// across processes and restarts.
public struct CanarySplit<Stable: TextClassifier, Candidate: TextClassifier>: TextClassifier {
    /// The model most traffic goes to.
    public let stable: Stable
    /// The model under trial.
    public let candidate: Candidate
    /// The share of keys routed to the candidate, in 0…1.
    public let share: Double
    /// Mixed into the hash, so different experiments split differently.
    public let salt: String
    private let key: @Sendable (String) -> String

    /// Creates a split; `key` picks what is hashed (default: the text itself; a user id
    /// extracted from the request keeps each user on one side).
    public init(
        stable: Stable, candidate: Candidate, share: Double, salt: String = "",
        key: @escaping @Sendable (String) -> String = { $0 }
    ) throws {
        guard share.isFinite, (0...1).contains(share) else {
            throw RoutingError.invalidSetting("the canary share must be between 0 and 1")
        }
        self.stable = stable
        self.candidate = candidate
        self.share = share
        self.salt = salt
        self.key = key
    }

    /// The stable model's labels, then any the candidate adds.
    public var labels: [String] {
        let known = Set(stable.labels)
        return stable.labels + candidate.labels.filter { !known.contains($0) }
    }

    /// Whether `text` goes to the candidate.
    public func routesToCandidate(_ text: String) -> Bool {
        // FNV-1a over the salted key's UTF-8, then the top 53 bits as a fraction in [0, 1).
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in (salt + "\u{1F}" + key(text)).utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01B3
        }
        // FNV's low bits mix poorly for short keys; one murmur-style finalizer round fixes that.
        hash ^= hash >> 33
        hash &*= 0xFF51_AFD7_ED55_8CCD
        hash ^= hash >> 33
        return Double(hash >> 11) / Double(1 << 53) < share
    }

    public func classify(_ texts: [String]) async throws -> [Classification] {
        let toCandidate = texts.map(routesToCandidate)
        let candidateTexts = zip(texts, toCandidate).filter(\.1).map(\.0)
        let stableTexts = zip(texts, toCandidate).filter { !$0.1 }.map(\.0)
        async let fromCandidate = candidateTexts.isEmpty ? [] : candidate.classify(candidateTexts)
        async let fromStable = stableTexts.isEmpty ? [] : stable.classify(stableTexts)
        let (a, b) = try await (fromCandidate, fromStable)
        guard a.count == candidateTexts.count, b.count == stableTexts.count else {
            throw ModelError.resultCountMismatch(expected: texts.count, actual: a.count + b.count)
        }
        var nextCandidate = a.makeIterator()
        var nextStable = b.makeIterator()
        return toCandidate.map { $0 ? nextCandidate.next()! : nextStable.next()! }
    }
}
