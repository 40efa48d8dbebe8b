public import SquireCore
public import SquireTensor

/// A local classifier: a local embedder (a sentence encoder or a static table), a trained
/// head on its embeddings, and the calibration that makes its confidences honest. Conforms to `TextClassifier`, so it
/// stands in for a frontier model anywhere one is used.
///
/// ```swift
/// let classifier = try ClassifierBundle(folder: "intent-bundle").classifier
/// let answer = try await classifier.classify("I lost my card")
/// print(answer.label, answer.confidence)
/// ```
public struct EmbeddingClassifier: TextClassifier {
    /// Turns texts into feature vectors: a ``SentenceEmbedder`` or a ``StaticEmbedder``.
    public let embedder: any LocalEmbedder
    /// Turns feature vectors into logits.
    public let head: any ClassificationHead
    /// Turns logits into probabilities.
    public let calibration: Calibration

    /// Pairs an embedder with a head, checking that the embedding width is the head's input.
    public init(embedder: any LocalEmbedder, head: any ClassificationHead, calibration: Calibration = .none) throws {
        guard embedder.dimension == head.inputDimension else {
            throw ModelError.dimensionMismatch(expected: head.inputDimension, actual: embedder.dimension)
        }
        if case .platt = calibration, head.labels.count != 2 {
            throw ModelError.invalidInput(
                "Platt calibration needs a two-label head; this one has \(head.labels.count) labels")
        }
        self.embedder = embedder
        self.head = head
        self.calibration = calibration
    }

    public var labels: [String] { head.labels }

    public func classify(_ texts: [String]) async throws -> [Classification] {
        guard !texts.isEmpty else { return [] }
        return try classifications(forEmbeddings: embedder.embeddings(for: texts))
    }

    /// Calibrated probabilities `[B, K]` for embeddings `[B, D]`, in the order of ``labels``.
    public func probabilities(forEmbeddings embeddings: Tensor) throws -> Tensor {
        try calibration.probabilities(fromLogits: head.logits(for: embeddings))
    }

    /// One classification per row of `embeddings` (`[B, D]`), for callers that embed once
    /// and reuse the vectors (drift profiles, evaluation of several heads).
    public func classifications(forEmbeddings embeddings: Tensor) throws -> [Classification] {
        let probabilities = try probabilities(forEmbeddings: embeddings)
        let width = labels.count
        return try (0..<embeddings.shape[0]).map { row in
            var byLabel: [String: Double] = [:]
            for (column, label) in labels.enumerated() {
                byLabel[label] = Double(probabilities.scalars[row * width + column])
            }
            return try Classification(probabilities: byLabel)
        }
    }
}
