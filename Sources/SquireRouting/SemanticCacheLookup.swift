/// The result of looking one text up in a ``SemanticCache``: the answer when there is one, and
/// what the cache needs to store the model's answer when there is not.
public struct SemanticCacheLookup<Answer: Sendable>: Sendable {
    /// The text looked up.
    public var text: String
    /// The version key it was looked up under.
    public var version: String
    /// How the cache answered.
    public var outcome: SemanticCacheOutcome
    /// The stored answer, on a hit.
    public var answer: Answer?
    /// The text of the entry that answered, on a hit.
    public var matchedText: String?
    /// On a semantic hit, the answering entry's similarity; on a miss, the nearest entry's
    /// (`nil` when the cache held none under this version); `nil` on an exact hit, which does
    /// not embed the text.
    public var similarity: Double?
    /// The text's embedding, when the lookup computed it; ``SemanticCache/insert(_:for:)``
    /// reuses it instead of embedding the text again.
    public var embedding: [Float]?
    /// Why the text could not be embedded, when it could not (the outcome is then a miss).
    public var embeddingError: String?

    /// Whether the cache answered.
    public var isHit: Bool { outcome != .miss }
}
