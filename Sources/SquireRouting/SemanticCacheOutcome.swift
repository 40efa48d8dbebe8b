/// How a ``SemanticCache`` answered one lookup.
public enum SemanticCacheOutcome: String, Sendable, Hashable, Codable {
    /// An entry for the identical text (under the same version) answered, without embedding.
    case exactHit = "exact_hit"
    /// The most similar entry under the same version answered: its similarity reached the
    /// threshold.
    case semanticHit = "semantic_hit"
    /// Nothing answered; the caller asks the model.
    case miss
}
