public import SquireCore

/// One example's outcome in an evaluation: the model's answer, or why there is none.
public struct Prediction: Sendable, Hashable, Codable {
    /// The example's id.
    public var id: String
    /// The label the example should get.
    public var expected: String
    /// The example's tags.
    public var tags: [String]
    /// The model's answer; `nil` when the call failed.
    public var classification: Classification?
    /// Why the call failed, when it did.
    public var failure: String?
    /// Wall time of the call that answered this example (shared by a batch), in seconds.
    public var latencySeconds: Double

    /// Creates a prediction from its parts.
    public init(
        id: String, expected: String, tags: [String] = [], classification: Classification?, failure: String? = nil,
        latencySeconds: Double = 0
    ) {
        self.id = id
        self.expected = expected
        self.tags = tags
        self.classification = classification
        self.failure = failure
        self.latencySeconds = latencySeconds
    }

    /// The answered label, or `nil` for a failure.
    public var predicted: String? { classification?.label }

    /// Whether the model answered the expected label; a failure is not correct.
    public var isCorrect: Bool { classification?.label == expected }

    private enum CodingKeys: String, CodingKey {
        case id, expected, tags, classification, failure
        case latencySeconds = "latency_seconds"
    }
}
