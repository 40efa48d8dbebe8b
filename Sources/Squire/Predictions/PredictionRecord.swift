public import SquireCore

/// One answer as `squire predict` writes it: a line `squire profile` and `squire drift` read
/// back as an observation.
public struct PredictionRecord: Sendable, Hashable, Codable {
    /// The input's id, when it had one.
    public var id: String?
    /// The text classified.
    public var text: String
    /// The label answered.
    public var label: String
    /// The answer's confidence.
    public var confidence: Double
    /// The probability of every label.
    public var probabilities: [String: Double]
    /// The bundle's version.
    public var modelVersion: String
    /// The share of the text's tokens the vocabulary does not know.
    public var unknownTokenRate: Double
    /// The input's own label, when it had one.
    public var trueLabel: String?
    /// The text's sentence embedding, when asked for, `[D]`.
    public var embedding: [Float]?

    /// Creates a record.
    public init(
        id: String? = nil, text: String, classification: Classification, modelVersion: String,
        unknownTokenRate: Double, trueLabel: String? = nil, embedding: [Float]? = nil
    ) {
        self.id = id
        self.text = text
        self.label = classification.label
        self.confidence = classification.confidence
        self.probabilities = classification.probabilities
        self.modelVersion = modelVersion
        self.unknownTokenRate = unknownTokenRate
        self.trueLabel = trueLabel
        self.embedding = embedding
    }

    enum CodingKeys: String, CodingKey {
        case id, text, label, confidence, probabilities, embedding
        case modelVersion = "model_version"
        case unknownTokenRate = "unknown_token_rate"
        case trueLabel = "true_label"
    }
}
