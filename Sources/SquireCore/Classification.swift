/// One model's answer for one text.
///
/// `confidence` is the model's estimate of the probability that `label` is correct.
/// For a calibrated local model it means exactly that (of all answers given with
/// confidence 0.9, about 90% are right); a model that cannot estimate it reports 1
/// and leaves `probabilities` empty, and documents that it does so.
public struct Classification: Sendable, Hashable, Codable {
    /// The chosen label, one of the model's ``TextClassifier/labels``.
    public var label: String
    /// The probability that ``label`` is correct, in `0...1`.
    public var confidence: Double
    /// The probability of every label the model scored; empty when it reports none.
    public var probabilities: [String: Double]
    /// What producing this answer consumed.
    public var usage: Usage

    /// Creates a classification from its parts.
    public init(label: String, confidence: Double, probabilities: [String: Double] = [:], usage: Usage = .zero) {
        self.label = label
        self.confidence = confidence
        self.probabilities = probabilities
        self.usage = usage
    }

    /// Creates the classification that picks the most probable label.
    ///
    /// Ties go to the label that sorts first, so the choice never depends on
    /// dictionary order. Throws ``ModelError/emptyProbabilities`` when there are none.
    public init(probabilities: [String: Double], usage: Usage = .zero) throws {
        guard let best = probabilities.min(by: { $0.value > $1.value || ($0.value == $1.value && $0.key < $1.key) })
        else {
            throw ModelError.emptyProbabilities
        }
        self.init(label: best.key, confidence: best.value, probabilities: probabilities, usage: usage)
    }

    private enum CodingKeys: String, CodingKey {
        case label, confidence, probabilities, usage
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        label = try container.decode(String.self, forKey: .label)
        confidence = try container.decode(Double.self, forKey: .confidence)
        probabilities = try container.decodeIfPresent([String: Double].self, forKey: .probabilities) ?? [:]
        usage = try container.decodeIfPresent(Usage.self, forKey: .usage) ?? .zero
    }
}
