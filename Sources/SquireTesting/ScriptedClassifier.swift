public import SquireCore

/// A classifier that answers from a script: deterministic, instant, no model files.
///
/// ```swift
/// let model = ScriptedClassifier(labels: ["refund", "other"]) { text in
///     text.contains("refund") ? .init(label: "refund", confidence: 0.95) : .init(label: "other", confidence: 0.55)
/// }
/// ```
public struct ScriptedClassifier: TextClassifier {
    public let labels: [String]
    private let answer: @Sendable (String) throws -> Classification

    /// Answers each text with `answer(text)`; what it throws, `classify` throws.
    public init(labels: [String], answer: @escaping @Sendable (String) throws -> Classification) {
        self.labels = labels
        self.answer = answer
    }

    /// Answers from a table; a text not in it gets `otherwise`, or throws
    /// `ModelError.invalidInput` when there is no fallback answer.
    public init(labels: [String], answers: [String: Classification], otherwise: Classification? = nil) {
        self.init(labels: labels) { text in
            if let scripted = answers[text] ?? otherwise { return scripted }
            throw ModelError.invalidInput("the script has no answer for \"\(text.prefix(60))\"")
        }
    }

    public func classify(_ texts: [String]) async throws -> [Classification] {
        try texts.map(answer)
    }
}
