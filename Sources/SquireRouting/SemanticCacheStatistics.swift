/// What a ``SemanticCache`` has done since it was created or its statistics were reset.
///
/// Every looked-up text counts once, as an exact hit, a semantic hit or a miss, so
/// `lookups == exactHits + semanticHits + misses`. False hits are known only where someone
/// checked: a ``CachedClassifier`` with an audit rate asks the model again on a share of its
/// semantic hits, and any caller can report its own checks with
/// ``SemanticCache/recordAudit(falseHit:)``.
public struct SemanticCacheStatistics: Sendable, Hashable, Codable {
    /// Texts looked up.
    public var lookups = 0
    /// Lookups answered by an entry for the identical text, without embedding it.
    public var exactHits = 0
    /// Lookups answered by a similar entry at or above the threshold.
    public var semanticHits = 0
    /// Lookups nothing answered (the embedder's failures included).
    public var misses = 0
    /// Misses because the embedder failed; the caller asks the model instead.
    public var embeddingFailures = 0
    /// Answers stored, replacements of an entry for the same text included.
    public var insertions = 0
    /// Entries removed to make room, least recently used first.
    public var evictions = 0
    /// Entries removed because they outlived the time to live.
    public var expirations = 0
    /// Semantic hits checked against the model.
    public var audits = 0
    /// Audited semantic hits whose cached answer differed from the model's.
    public var falseHits = 0

    /// No activity.
    public init() {}

    /// Exact and semantic hits together.
    public var hits: Int { exactHits + semanticHits }

    /// The share of lookups answered from the cache; `nil` before any lookup.
    public var hitRate: Double? { lookups > 0 ? Double(hits) / Double(lookups) : nil }

    /// The share of audited semantic hits that were wrong; `nil` before any audit.
    public var auditedFalseHitRate: Double? { audits > 0 ? Double(falseHits) / Double(audits) : nil }

    private enum CodingKeys: String, CodingKey {
        case lookups, misses, insertions, evictions, expirations, audits
        case exactHits = "exact_hits"
        case semanticHits = "semantic_hits"
        case embeddingFailures = "embedding_failures"
        case falseHits = "false_hits"
    }
}
