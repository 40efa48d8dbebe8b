public import SquireCore
public import SquireTensor

extension ModelBundle {
    /// The answers for a list of texts, with the sentence embeddings they came from when the
    /// model has a sentence encoder.
    public struct Answers: Sendable {
        /// One answer per text, in order.
        public var classifications: [Classification]
        /// `[N, D]` embeddings of the texts; nil for a tiny transformer.
        public var embeddings: Tensor?

        /// The embedding of text `index`, `[D]`.
        public func embedding(at index: Int) -> [Float]? {
            guard let embeddings, embeddings.shape.count == 2, (0..<embeddings.shape[0]).contains(index) else {
                return nil
            }
            let width = embeddings.shape[1]
            return Array(embeddings.scalars[(index * width)..<((index + 1) * width)])
        }
    }

    /// The model's answers for `texts`, embedding them once when it has a sentence encoder so
    /// that the embeddings can be kept (drift profiles, embedding-drift checks).
    ///
    /// - Parameter progress: texts embedded so far, for models with a sentence encoder.
    /// - Throws: `CancellationError` when the surrounding task is cancelled while embedding.
    public func answers(for texts: [String], progress: (_ done: Int) -> Void = { _ in }) async throws -> Answers {
        guard let embedder else {
            return Answers(classifications: try await classifier.classify(texts), embeddings: nil)
        }
        let embeddings = try embedder.embeddings(for: texts, progress: progress)
        return Answers(classifications: try classifications(forEmbeddings: embeddings), embeddings: embeddings)
    }

    /// `squire predict`'s records for `texts`: each answer with the model's version and the
    /// text's unknown-token rate, and its embedding when `includingEmbeddings` is set.
    ///
    /// - Parameters:
    ///   - ids: the inputs' ids, where they have them, parallel to `texts`.
    ///   - trueLabels: the inputs' labels, where they have them, parallel to `texts`.
    /// - Throws: `ModelError.unavailable` when embeddings are asked of a tiny transformer;
    ///   `ModelError.invalidInput` when `ids` or `trueLabels` do not match `texts`.
    public func predictionRecords(
        for texts: [String], ids: [String?]? = nil, trueLabels: [String?]? = nil, includingEmbeddings: Bool = false,
        progress: (_ done: Int) -> Void = { _ in }
    ) async throws -> [PredictionRecord] {
        guard ids.map({ $0.count == texts.count }) ?? true, trueLabels.map({ $0.count == texts.count }) ?? true
        else { throw ModelError.invalidInput("ids and true labels must be given for every text or not at all") }
        if includingEmbeddings, embedder == nil {
            throw ModelError.unavailable("a \(kind) bundle has no sentence encoder, so no embeddings to record")
        }
        let answers = try await answers(for: texts, progress: progress)
        return zip(texts, answers.classifications).enumerated().map { index, pair in
            PredictionRecord(
                id: ids?[index], text: pair.0, classification: pair.1, modelVersion: version,
                unknownTokenRate: tokenizer.unknownTokenRate(of: pair.0), trueLabel: trueLabels?[index],
                embedding: includingEmbeddings ? answers.embedding(at: index) : nil)
        }
    }
}
