public import SquireCore
public import SquireEval

/// What one verification check did.
public struct FilterReport: Sendable, Hashable, Codable {
    /// The check's name.
    public var name: String
    /// Examples it looked at.
    public var checked: Int
    /// Examples it removed (review items included).
    public var removed: Int
    /// Examples it sent to the review file.
    public var sentToReview: Int
    /// Examples it kept but changed (masked) or tagged (flagged).
    public var modified: Int
    /// How many examples each reason applied to, such as `"same text as an earlier example": 12`.
    public var reasons: [String: Int]

    private enum CodingKeys: String, CodingKey {
        case name, checked, removed, modified, reasons
        case sentToReview = "sent_to_review"
    }
}

/// An example a check took out of the dataset.
public struct RemovedExample: Sendable, Hashable, Codable {
    /// The example as it was.
    public var example: LabeledExample
    /// The check that removed it.
    public var filter: String
    /// Why, with the evidence (the other example's id, the cosine).
    public var reason: String
}

/// An example a person should look at: its label is in doubt.
public struct ReviewItem: Sendable, Hashable, Codable {
    /// The example as it was.
    public var example: LabeledExample
    /// The check that raised it.
    public var filter: String
    /// Why, with the evidence.
    public var reason: String
    /// The label the evidence points to (the second teacher's, the duplicate's), if any.
    public var suggestedLabel: String?

    private enum CodingKeys: String, CodingKey {
        case example, filter, reason
        case suggestedLabel = "suggested_label"
    }
}

/// How varied one label's examples are.
public struct LabelDiversity: Sendable, Hashable, Codable {
    /// Examples of the label.
    public var count: Int
    /// Distinct word bigrams over all bigrams (distinct-2), in `0...1`; near 1 is varied,
    /// low values mean templated text.
    public var distinctBigrams: Double
    /// One minus the mean cosine between the label's embeddings, over all pairs; nil without
    /// an embedder. Paraphrases of one sentence score near 0.
    public var meanEmbeddingDistance: Double?

    private enum CodingKeys: String, CodingKey {
        case count
        case distinctBigrams = "distinct_bigrams"
        case meanEmbeddingDistance = "mean_embedding_distance"
    }
}

/// A verified dataset and everything that happened to it.
public struct VerifiedDataset: Sendable {
    /// The examples every check kept (masked where the personal-data check masked).
    public var dataset: Dataset
    /// One report per check, in the order they ran.
    public var filters: [FilterReport]
    /// Every removed example with its check and reason (review items included).
    public var removed: [RemovedExample]
    /// Examples whose labels are in doubt: write them to a review file; nothing is dropped silently.
    public var review: [ReviewItem]
    /// Examples per label before the checks.
    public var labelCountsBefore: [String: Int]
    /// Diversity of each label's kept examples.
    public var diversity: [String: LabelDiversity]
    /// What the checks' model calls (embedder, second teacher) cost.
    public var usage: Usage
}
