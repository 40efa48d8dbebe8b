/// The similarity threshold that lets a semantic cache answer the most requests while its
/// false-hit rate on labelled pairs stays within a target — the cache's counterpart of a
/// cascade's ``ThresholdCalibration``.
///
/// ```swift
/// let similarities = try pairs.map { try SemanticCachePrecision.float32.similarity(between: $0.new, and: $0.stored) }
/// let calibration = try SemanticCacheCalibration(similarities: similarities, same: labels, targetFalseHitRate: 0.01)
/// let cache = try SemanticCache<Classification>(embedder: encoder, threshold: calibration.threshold, capacity: 10_000)
/// ```
///
/// The false-hit rate is the share of "different" pairs the cache would answer, so the target
/// holds whatever the mix of traffic; ``SemanticCacheEvaluation/wrongShareOfAnswers`` gives the
/// share of wrong answers at the pairs' own mix. Calibrate on pairs as hard as production's —
/// paraphrases that differ in one detail — and check the threshold on pairs held out.
public struct SemanticCacheCalibration: Sendable, Hashable, Codable {
    /// The false-hit rate aimed for.
    public var targetFalseHitRate: Double
    /// The chosen threshold's outcome on the calibration pairs.
    public var chosen: SemanticCacheEvaluation

    /// The chosen threshold: the lowest within the target, written with the fewest digits
    /// that separate the same pairs, so it reads back exactly as printed.
    public var threshold: Double { chosen.threshold }

    /// Chooses the lowest threshold whose false-hit rate on the pairs is at most
    /// `targetFalseHitRate`, so the most "same" pairs are answered.
    ///
    /// - Parameters:
    ///   - similarities: each pair's similarity, as the cache computes it
    ///     (``SemanticCachePrecision/similarity(between:and:)`` with the cache's precision).
    ///   - same: each pair's label: `true` when the stored answer is right for the new request.
    ///   - targetFalseHitRate: the share of "different" pairs the cache may answer, in 0..<1.
    /// - Throws: ``RoutingError/invalidSetting(_:)`` for bad input (see
    ///   ``SemanticCacheEvaluation/init(similarities:same:threshold:)``) or a target outside
    ///   0..<1; ``RoutingError/targetUnreachable(_:)`` when every threshold within the target
    ///   answers no "same" pair.
    public init(similarities: [Double], same: [Bool], targetFalseHitRate: Double) throws(RoutingError) {
        try SemanticCacheEvaluation.validate(similarities: similarities, same: same)
        guard targetFalseHitRate.isFinite, targetFalseHitRate >= 0, targetFalseHitRate < 1 else {
            throw RoutingError.invalidSetting(
                "the target false-hit rate must be at least 0 and below 1, not \(targetFalseHitRate)")
        }
        let differentPairs = same.filter { !$0 }.count
        // Lower the threshold one distinct similarity at a time, most similar first; false
        // hits only grow on the way down, so the last value within the target is the lowest.
        let order = similarities.indices.sorted { similarities[$0] > similarities[$1] }
        var hits = 0
        var falseHits = 0
        var lowest: (value: Double, hits: Int, next: Double?)?
        var k = 0
        while k < order.count {
            let value = similarities[order[k]]
            while k < order.count && similarities[order[k]] == value {
                if same[order[k]] { hits += 1 } else { falseHits += 1 }
                k += 1
            }
            // Compared as counts: 0.01 × 100 is 1.0000000000000002 in floating point.
            guard Double(falseHits) <= targetFalseHitRate * Double(differentPairs) + 1e-9 else { break }
            lowest = (value, hits, k < order.count ? similarities[order[k]] : nil)
        }
        guard let lowest, lowest.hits > 0 else {
            throw RoutingError.targetUnreachable(
                "no threshold answers a \"same\" pair with at most \(targetFalseHitRate * 100)% false hits: the most similar pairs include too many \"different\" ones"
            )
        }
        let threshold = ThresholdCalibration.shortestDecimal(above: lowest.next, atMost: lowest.value)
        self.targetFalseHitRate = targetFalseHitRate
        chosen = try SemanticCacheEvaluation(similarities: similarities, same: same, threshold: threshold)
    }

    private enum CodingKeys: String, CodingKey {
        case chosen
        case targetFalseHitRate = "target_false_hit_rate"
    }
}
