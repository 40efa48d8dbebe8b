/// Accuracy when only answers at or above a confidence threshold are kept.
public struct SelectivePoint: Sendable, Hashable, Codable {
    /// Answers with confidence ≥ this are kept.
    public var threshold: Double
    /// The share of answers kept.
    public var coverage: Double
    /// The accuracy of the kept answers.
    public var accuracy: Double

    /// The error rate of the kept answers.
    public var risk: Double { 1 - accuracy }
}
