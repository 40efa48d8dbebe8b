import SquireEval

/// One line of a file of labels, with the confidence when the line is a model's answer: what
/// `squire route` reads as predictions, reference labels and fallback answers.
public struct RecordedLabel: Sendable, Hashable, Decodable {
    /// The label.
    public var label: String
    /// The answer's confidence, in 0…1, when the line is a model's answer.
    public var confidence: Double?

    /// Creates a line.
    public init(label: String, confidence: Double? = nil) {
        self.label = label
        self.confidence = confidence
    }

    /// Every line of the JSON Lines file at `path`, in order.
    ///
    /// - Parameter requiringConfidence: every line must carry a confidence in 0…1.
    /// - Throws: `DatasetError` naming the file and line.
    public static func read(from path: String, requiringConfidence: Bool = false) throws -> [RecordedLabel] {
        try JSONLines.read(RecordedLabel.self, from: path, expecting: "expected a JSON object with a \"label\" string")
            .map { line, value in
                if requiringConfidence {
                    guard let c = value.confidence, c.isFinite, (0...1).contains(c) else {
                        throw DatasetError(source: path, line: line, reason: "needs a \"confidence\" between 0 and 1")
                    }
                }
                return value
            }
    }
}
