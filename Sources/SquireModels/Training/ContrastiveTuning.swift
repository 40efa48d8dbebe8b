public import SquireTensor

/// A sentence embedder fine-tuned so that texts of one label embed close together and
/// texts of different labels apart: the ``SupervisedContrastiveLoss`` on its normalized,
/// pooled embeddings, trained by ``Trainer`` over the encoder parameters a predicate picks
/// (all of them, or a LoRA fine-tune's adapters).
///
/// This is the body-tuning step of a few-shot recipe (SetFit's idea, with every same-label
/// pair of a batch at once instead of sampled pairs); a head is then fitted on the tuned
/// embeddings.
public struct ContrastiveTuning: Sendable {
    /// The embedder being tuned.
    public private(set) var embedder: SentenceEmbedder
    /// The loss's temperature.
    public var temperature: Float
    /// Which encoder parameters train, by checkpoint key.
    public let trains: @Sendable (String) -> Bool

    /// Tunes `embedder`'s encoder parameters that `trains` accepts (by default all).
    public init(
        embedder: SentenceEmbedder, temperature: Float = 0.05,
        trains: @escaping @Sendable (String) -> Bool = { _ in true }
    ) {
        self.embedder = embedder
        self.temperature = temperature
        self.trains = trains
    }
}

extension ContrastiveTuning: TrainableModel {
    /// Token id sequences and each one's label index.
    public typealias Batch = TokenBatch

    /// The tuned encoder tensors under their checkpoint keys.
    public var trainableParameters: NamedTensors { embedder.encoder.parameters.filter(keys: trains) }

    public mutating func assignTrainableParameters(_ parameters: NamedTensors) throws {
        try trainableParameters.checkSameLayout(as: parameters)
        embedder = try embedder.replacingEncoder(embedder.encoder.replacingParameters(parameters))
    }

    public func lossAndGradients(on batch: Batch, using generator: inout SeededGenerator) throws -> (
        loss: Double, gradients: NamedTensors
    ) {
        let encoder = embedder.encoder
        let (states, ranges, cache) = try encoder.forwardCaching(batch.sequences, using: &generator)
        let pooled = try embedder.pooling.pool(states, sequences: ranges)
        // The loss compares cosine similarities, so it normalizes whether or not the model does.
        let features = try pooled.l2Normalized()
        let (loss, featureGradient) = try SupervisedContrastiveLoss.lossAndGradient(
            embeddings: features, classIndices: batch.classIndices, temperature: temperature)
        let pooledGradient = try pooled.l2NormalizedBackward(featureGradient)
        let statesGradient = try embedder.pooling.backward(pooledGradient, states: states, sequences: ranges)
        let gradients = try encoder.backward(statesGradient, cache: cache, parametersWhere: trains)
        return (loss, gradients)
    }

    /// The loss, and the share of rows whose most similar other row has their label
    /// (leave-one-out nearest neighbour within the batch).
    public func evaluate(on batch: Batch) throws -> (loss: Double, accuracy: Double) {
        let features = try embedder.embeddings(forEncoded: batch.sequences).l2Normalized()
        let (loss, _) = try SupervisedContrastiveLoss.lossAndGradient(
            embeddings: features, classIndices: batch.classIndices, temperature: temperature)
        let rows = batch.classIndices.count
        guard rows > 1 else { return (loss, 0) }
        let similarities = try Tensor.matmul(features, features, transposeB: true).scalars
        var correct = 0
        for i in 0..<rows {
            var best = (index: -1, value: -Float.infinity)
            for j in 0..<rows where j != i && similarities[i * rows + j] > best.value {
                best = (j, similarities[i * rows + j])
            }
            if batch.classIndices[best.index] == batch.classIndices[i] { correct += 1 }
        }
        return (loss, Double(correct) / Double(rows))
    }
}
