public import SquireCore
public import SquireModels
public import SquireTensor

/// A sentence encoder fine-tuned with LoRA adapters, and a linear classifier on its
/// pooled (and, as the base embedder says, L2-normalized) states.
///
/// Only the adapters and the classifier train; the base encoder's tensors are shared with
/// every other model built on the same ``SentenceEmbedder`` and never change. With its
/// adapters' `B` at zero the model computes exactly the base embeddings.
public struct LoRAClassifier: TextClassifier {
    /// The tokenizer, pooling and normalization of the base model, over the adapted encoder.
    public private(set) var embedder: SentenceEmbedder
    /// `[K, D]` weights and `[K]` bias on the sentence embedding (PEFT `modules_to_save`: `classifier`).
    public private(set) var classifier: Linear
    /// The adapters' shape.
    public let configuration: LoRAConfiguration
    /// The labels, in the order of the classifier's rows.
    public let labels: [String]
    /// Turns logits into probabilities.
    public var calibration: Calibration

    /// Creates a model from an embedder whose encoder already carries adapters.
    public init(
        embedder: SentenceEmbedder, classifier: Linear, configuration: LoRAConfiguration, labels: [String],
        calibration: Calibration = .none
    ) throws {
        guard classifier.inputDimension == embedder.dimension, classifier.outputDimension == labels.count,
            !labels.isEmpty
        else {
            throw TrainingError.shapeMismatch(
                "the classifier must map \(embedder.dimension) to \(labels.count) labels, got \(classifier.weight.shape)"
            )
        }
        guard Set(labels).count == labels.count else { throw TrainingError.shapeMismatch("the labels repeat") }
        guard !embedder.encoder.adapters.isEmpty else { throw LoRAError.noTargets(configuration.targetModules) }
        self.embedder = embedder
        self.classifier = classifier
        self.configuration = configuration
        self.labels = labels
        self.calibration = calibration
    }

    public func classify(_ texts: [String]) async throws -> [Classification] {
        guard !texts.isEmpty else { return [] }
        return try classifications(forEmbeddings: embedder.embeddings(for: texts))
    }

    /// The answers for sentence embeddings from ``embedder`` (`[B, D]`), calibrated.
    public func classifications(forEmbeddings embeddings: Tensor) throws -> [Classification] {
        let probabilities = try calibration.probabilities(fromLogits: classifier.forward(embeddings))
        return try (0..<embeddings.shape[0]).map { row in
            var byLabel: [String: Double] = [:]
            for (column, label) in labels.enumerated() { byLabel[label] = Double(probabilities[row, column]) }
            return try Classification(probabilities: byLabel)
        }
    }

    /// `[B, K]` logits for token id sequences (`[CLS] … [SEP]`), before calibration.
    public func logits(for sequences: [[Int]]) throws -> Tensor {
        try classifier.forward(embedder.embeddings(forEncoded: sequences))
    }

    /// The adapters folded into the encoder: an ``EmbeddingClassifier`` with the same
    /// outputs (to float rounding) at the base model's speed, and no adapters left.
    public func merged() throws -> EmbeddingClassifier {
        let encoder = try embedder.encoder.mergingAdapters()
        return try EmbeddingClassifier(
            embedder: embedder.replacingEncoder(encoder),
            head: LogisticHead(weight: classifier.weight, bias: classifier.bias, labels: labels),
            calibration: calibration)
    }

    /// The base embedder, without adapters: its encoder's tensors exactly as loaded.
    public func unmerged() throws -> SentenceEmbedder {
        try embedder.replacingEncoder(embedder.encoder.removingAdapters())
    }

    /// The scalars that train (adapters and classifier) and their share of all the model's scalars.
    public var trainableParameterCount: (trainable: Int, total: Int) {
        let trainable = trainableParameters.tensors.reduce(0) { $0 + $1.count }
        let base = embedder.encoder.parameters.filter(keys: { !BertEncoder.isAdapterParameter($0) }).tensors.reduce(0) {
            $0 + $1.count
        }
        return (trainable, base + trainable)
    }
}

extension LoRAClassifier: TrainableModel {
    /// Token id sequences and each one's label index.
    public typealias Batch = TokenBatch

    /// The adapters' tensors under their checkpoint keys, then `classifier.weight` and `classifier.bias`.
    public var trainableParameters: NamedTensors {
        var parameters = embedder.encoder.parameters.filter(keys: BertEncoder.isAdapterParameter)
        for (key, tensor) in classifier.parameters { parameters["classifier.\(key)"] = tensor }
        return parameters
    }

    public mutating func assignTrainableParameters(_ parameters: NamedTensors) throws {
        try trainableParameters.checkSameLayout(as: parameters)
        let encoder = try embedder.encoder.replacingParameters(
            parameters.filter(keys: BertEncoder.isAdapterParameter))
        embedder = try embedder.replacingEncoder(encoder)
        classifier = try classifier.replacingParameters(parameters.scoped("classifier"))
    }

    public func lossAndGradients(on batch: Batch, using generator: inout SeededGenerator) throws -> (
        loss: Double, gradients: NamedTensors
    ) {
        let encoder = embedder.encoder
        let (states, ranges, cache) = try encoder.forwardCaching(batch.sequences, using: &generator)
        let pooled = try embedder.pooling.pool(states, sequences: ranges)
        let features = embedder.normalizes ? try pooled.l2Normalized() : pooled
        let logits = try classifier.forward(features)
        let (loss, logitGradient) = try batch.lossAndGradient(logits: logits)
        let classifierGradients = try classifier.backward(logitGradient, input: features)
        let pooledGradient =
            embedder.normalizes ? try pooled.l2NormalizedBackward(classifierGradients.input) : classifierGradients.input
        let statesGradient = try embedder.pooling.backward(pooledGradient, states: states, sequences: ranges)
        var gradients = try encoder.backward(
            statesGradient, cache: cache, parametersWhere: BertEncoder.isAdapterParameter)
        gradients["classifier.weight"] = classifierGradients.weight
        gradients["classifier.bias"] = classifierGradients.bias
        return (loss, gradients)
    }

    public func evaluate(on batch: Batch) throws -> (loss: Double, accuracy: Double) {
        try batch.evaluate(chunk: 64, logits: logits(for:))
    }
}
