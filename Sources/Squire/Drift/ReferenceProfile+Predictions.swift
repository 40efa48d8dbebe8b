public import SquireDrift
public import SquireEval

extension ReferenceProfile {
    /// A drift reference from a model's answers on labelled data it did not train on (its
    /// validation set): each answered example becomes an observation with its true label and,
    /// when given, its embedding; failed calls are left out.
    ///
    /// - Parameters:
    ///   - predictions: the answers, parallel to `dataset.examples`.
    ///   - embeddings: one embedding per example, parallel to `dataset.examples`, for the
    ///     embedding-drift statistics; nil leaves them out.
    /// - Throws: `DriftInputError` for mismatched lengths, too few observations for the
    ///   window size, or invalid confidences.
    public init(
        dataset: Dataset, predictions: [Prediction], embeddings: [[Double]]? = nil, modelVersion: String? = nil,
        windowSize: Int, seed: UInt64 = 0
    ) throws {
        guard predictions.count == dataset.count, embeddings.map({ $0.count == dataset.count }) ?? true else {
            throw DriftInputError.invalidSetting(
                "\(predictions.count) predictions and \(embeddings?.count ?? 0) embeddings for \(dataset.count) examples; give one of each per example"
            )
        }
        let observations = zip(dataset.examples, predictions).enumerated().compactMap { index, pair in
            pair.1.classification.map {
                Observation(
                    id: pair.0.id, text: pair.0.text, label: $0.label, confidence: $0.confidence,
                    modelVersion: modelVersion, trueLabel: pair.0.label, embedding: embeddings?[index])
            }
        }
        let labels = Set(dataset.labels).union(observations.map(\.label)).sorted()
        try self.init(
            observations: observations, labels: labels, modelVersion: modelVersion, windowSize: windowSize, seed: seed)
    }
}
