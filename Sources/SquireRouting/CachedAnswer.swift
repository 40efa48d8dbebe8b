/// A cached model's answer to one request and where it came from.
public struct CachedAnswer<Answer: Sendable>: Sendable {
    /// The answer. From the cache, its usage is zero: no model was called for it.
    public var answer: Answer
    /// What the cache found: an exact or semantic hit answered, or the model did after a miss.
    /// An audited semantic hit is reported as a semantic hit, with the model's answer.
    public var outcome: SemanticCacheOutcome
    /// The similarity of the entry that answered (semantic hit), or of the nearest entry
    /// (miss); `nil` for an exact hit and when nothing was compared.
    public var similarity: Double?
    /// The text of the stored request that answered, on a hit.
    public var matchedText: String?
    /// Whether the model was asked too, to check a semantic hit; its answer is then the one
    /// returned.
    public var audited: Bool
    /// Whether the audit found the cached answer wrong.
    public var falseHit: Bool

    /// Creates an answer from its parts.
    public init(
        answer: Answer, outcome: SemanticCacheOutcome, similarity: Double? = nil, matchedText: String? = nil,
        audited: Bool = false, falseHit: Bool = false
    ) {
        self.answer = answer
        self.outcome = outcome
        self.similarity = similarity
        self.matchedText = matchedText
        self.audited = audited
        self.falseHit = falseHit
    }

    private enum CodingKeys: String, CodingKey {
        case answer, outcome, similarity, audited
        case matchedText = "matched_text"
        case falseHit = "false_hit"
    }
}

extension CachedAnswer: Equatable where Answer: Equatable {}
extension CachedAnswer: Hashable where Answer: Hashable {}
extension CachedAnswer: Encodable where Answer: Encodable {}
extension CachedAnswer: Decodable where Answer: Decodable {}
