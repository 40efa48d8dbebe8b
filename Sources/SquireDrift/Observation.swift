public import Foundation

/// One production prediction as the drift monitor sees it.
///
/// As JSON Lines (what `squire drift` reads): `{"id": "…", "text": "…", "label": "refund",
/// "confidence": 0.93, "model_version": "v3", "timestamp": "2026-11-23T10:00:00Z",
/// "true_label": "refund", "unknown_token_rate": 0.0, "embedding": […]}` — only `label` and
/// `confidence` are required.
public struct Observation: Sendable, Hashable, Codable {
    /// The request's id, carried into labelling queues.
    public var id: String?
    /// The input, carried into labelling queues; its length is a drift signal.
    public var text: String?
    /// The predicted label.
    public var label: String
    /// The model's calibrated confidence in `label`.
    public var confidence: Double
    /// The model version that answered.
    public var modelVersion: String?
    /// When the request arrived (for time-based windows).
    public var timestamp: Date?
    /// The correct label, once a delayed label arrives; one the profile does not know is
    /// reported as a new label (``DriftReason/newLabel(label:count:)``) and counts as an error.
    public var trueLabel: String?
    /// The share of the text's tokens the tokenizer did not know.
    public var unknownTokenRate: Double?
    /// The text's embedding, for embedding drift.
    public var embedding: [Double]?

    /// Creates an observation.
    public init(
        id: String? = nil, text: String? = nil, label: String, confidence: Double, modelVersion: String? = nil,
        timestamp: Date? = nil, trueLabel: String? = nil, unknownTokenRate: Double? = nil, embedding: [Double]? = nil
    ) {
        self.id = id
        self.text = text
        self.label = label
        self.confidence = confidence
        self.modelVersion = modelVersion
        self.timestamp = timestamp
        self.trueLabel = trueLabel
        self.unknownTokenRate = unknownTokenRate
        self.embedding = embedding
    }

    /// The text's length in characters, when the text is known.
    public var textLength: Double? { text.map { Double($0.count) } }

    private enum CodingKeys: String, CodingKey {
        case id, text, label, confidence, timestamp, embedding
        case modelVersion = "model_version"
        case trueLabel = "true_label"
        case unknownTokenRate = "unknown_token_rate"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        if let number = try? container.decodeIfPresent(Int.self, forKey: .id) {
            id = String(number)
        } else {
            id = try container.decodeIfPresent(String.self, forKey: .id)
        }
        text = try container.decodeIfPresent(String.self, forKey: .text)
        label = try container.decode(String.self, forKey: .label)
        confidence = try container.decode(Double.self, forKey: .confidence)
        modelVersion = try container.decodeIfPresent(String.self, forKey: .modelVersion)
        if let seconds = try? container.decodeIfPresent(Double.self, forKey: .timestamp) {
            timestamp = Date(timeIntervalSince1970: seconds)
        } else if let string = try container.decodeIfPresent(String.self, forKey: .timestamp) {
            guard let date = ISO8601DateFormatter().date(from: string) else {
                throw DecodingError.dataCorruptedError(
                    forKey: .timestamp, in: container,
                    debugDescription: "expected an ISO 8601 date or seconds since 1970")
            }
            timestamp = date
        } else {
            timestamp = nil
        }
        trueLabel = try container.decodeIfPresent(String.self, forKey: .trueLabel)
        unknownTokenRate = try container.decodeIfPresent(Double.self, forKey: .unknownTokenRate)
        embedding = try container.decodeIfPresent([Double].self, forKey: .embedding)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(id, forKey: .id)
        try container.encodeIfPresent(text, forKey: .text)
        try container.encode(label, forKey: .label)
        try container.encode(confidence, forKey: .confidence)
        try container.encodeIfPresent(modelVersion, forKey: .modelVersion)
        try container.encodeIfPresent(timestamp?.timeIntervalSince1970, forKey: .timestamp)
        try container.encodeIfPresent(trueLabel, forKey: .trueLabel)
        try container.encodeIfPresent(unknownTokenRate, forKey: .unknownTokenRate)
        try container.encodeIfPresent(embedding, forKey: .embedding)
    }

    /// Throws when the observation cannot be used against `labels`: a model answers only labels
    /// it knows, so another predicted label means a profile of another model. A true label
    /// outside `labels` is not checked here: in production it is news (a new intent), which the
    /// monitor reports as drift.
    func validate(labels: Set<String>) throws {
        guard confidence.isFinite, (0...1).contains(confidence) else {
            throw DriftInputError.nonFinite(
                "confidence of \(id.map { "observation \($0)" } ?? "an observation") (must be a number in 0…1)")
        }
        guard labels.contains(label) else { throw DriftInputError.unknownLabel(label, known: labels.sorted()) }
        if let rate = unknownTokenRate, !(rate.isFinite && (0...1).contains(rate)) {
            throw DriftInputError.nonFinite("unknown_token_rate")
        }
        if let embedding, !embedding.allSatisfy(\.isFinite) { throw DriftInputError.nonFinite("embedding") }
    }
}
