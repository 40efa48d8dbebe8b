/// How a semantic cache with a given threshold does on labelled pairs of requests: each pair
/// is a stored request and a new one, labelled "same" when the stored answer would be right
/// for the new request and "different" when it would not.
///
/// A "same" pair at or above the threshold is a hit; a "different" one is a false hit — the
/// cache answering a request with another request's answer.
public struct SemanticCacheEvaluation: Sendable, Hashable, Codable {
    /// A pair answers when its similarity is at least this.
    public var threshold: Double
    /// Pairs labelled "same".
    public var samePairs: Int
    /// Pairs labelled "different".
    public var differentPairs: Int
    /// "Same" pairs the cache answers.
    public var hits: Int
    /// "Different" pairs the cache answers.
    public var falseHits: Int
    /// The share of "same" pairs answered.
    public var hitRate: Double
    /// The share of "different" pairs answered: the false-hit rate, independent of how many
    /// of each the pairs hold.
    public var falseHitRate: Double
    /// The share of the cache's answers that were wrong, at these pairs' mix of "same" and
    /// "different"; `nil` when it answers none.
    public var wrongShareOfAnswers: Double?

    /// Evaluates `threshold` on pairs given by their similarities (as the cache computes them:
    /// ``SemanticCachePrecision/similarity(between:and:)``) and labels (`true`: "same").
    ///
    /// - Throws: ``RoutingError/invalidSetting(_:)`` when the lists are empty or of different
    ///   lengths, a similarity or the threshold is not a finite number, or either label is
    ///   missing.
    public init(similarities: [Double], same: [Bool], threshold: Double) throws(RoutingError) {
        try Self.validate(similarities: similarities, same: same)
        guard threshold.isFinite else {
            throw RoutingError.invalidSetting("the threshold must be a finite number, not \(threshold)")
        }
        var hits = 0
        var falseHits = 0
        for (similarity, isSame) in zip(similarities, same) where similarity >= threshold {
            if isSame { hits += 1 } else { falseHits += 1 }
        }
        self.threshold = threshold
        samePairs = same.filter { $0 }.count
        differentPairs = same.count - samePairs
        self.hits = hits
        self.falseHits = falseHits
        hitRate = Double(hits) / Double(samePairs)
        falseHitRate = Double(falseHits) / Double(differentPairs)
        wrongShareOfAnswers = hits + falseHits > 0 ? Double(falseHits) / Double(hits + falseHits) : nil
    }

    /// Checks labelled pairs: parallel, not empty, finite, both labels present.
    static func validate(similarities: [Double], same: [Bool]) throws(RoutingError) {
        guard !similarities.isEmpty else {
            throw RoutingError.invalidSetting("a semantic cache's threshold needs labelled pairs; there are none")
        }
        guard similarities.count == same.count else {
            throw RoutingError.invalidSetting(
                "similarities and labels must be parallel lists; there are \(similarities.count) similarities and \(same.count) labels"
            )
        }
        if let index = similarities.firstIndex(where: { !$0.isFinite }) {
            throw RoutingError.invalidSetting(
                "similarities must be finite numbers; pair \(index) has \(similarities[index])")
        }
        guard same.contains(true), same.contains(false) else {
            throw RoutingError.invalidSetting(
                "pairs must include both labels, \"same\" and \"different\"; these are all \(same[0] ? "same" : "different")"
            )
        }
    }

    private enum CodingKeys: String, CodingKey {
        case threshold, hits
        case samePairs = "same_pairs"
        case differentPairs = "different_pairs"
        case falseHits = "false_hits"
        case hitRate = "hit_rate"
        case falseHitRate = "false_hit_rate"
        case wrongShareOfAnswers = "wrong_share_of_answers"
    }
}
