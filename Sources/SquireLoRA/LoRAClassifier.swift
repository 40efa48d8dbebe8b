public import SquireCore
public import SquireModels
public import SquireTensor

/// A sentence encoder fine-tuned with LoRA adapters, and a classifier on its pooled (and,
/// as the base embedder says, L2-normalized) states: a linear layer, or a small MLP.
///
/// Only the adapters and the classifier train; the base encoder's tensors are shared with
/// every other model built on the same ``SentenceEmbedder`` and never change. With its
/// adapters' `B` at zero the model computes exactly the base embeddings.
public struct LoRAClassifier: TextClassifier {
    /// The tokenizer, pooling and normalization of the base model, over the adapted encoder.
    public private(set) var embedder: SentenceEmbedder
    /// The classifier on the sentence embedding (PEFT `modules_to_save`: `classifier`): one
    /// layer, or hidden layers with their nonlinearity, dropout and input standardization.
    public private(set) var head: MLPHead
    /// The classifier's output layer, `[K, D']` weights and `[K]` bias; with no hidden
    /// layers, the whole classifier.
    public var classifier: Linear { head.layers[head.layers.count - 1] }
    /// Whether the classifier is one linear layer, as `BertForSequenceClassification`'s is,
    /// rather than an MLP.
    public var hasLinearClassifier: Bool { head.layers.count == 1 }
    /// The adapters' shape.
    public let configuration: LoRAConfiguration
    /// The labels, in the order of the classifier's rows.
    public let labels: [String]
    /// Turns logits into probabilities.
    public var calibration: Calibration

    /// Creates a model with a linear classifier from an embedder whose encoder already
    /// carries adapters.
    public init(
        embedder: SentenceEmbedder, classifier: Linear, configuration: LoRAConfiguration, labels: [String],
        calibration: Calibration = .none
    ) throws {
        guard classifier.outputDimension == labels.count, !labels.isEmpty else {
            throw TrainingError.shapeMismatch(
                "the classifier must map \(embedder.dimension) to \(labels.count) labels, got \(classifier.weight.shape)"
            )
        }
        try self.init(
            embedder: embedder,
            head: MLPHead(layers: [classifier], activation: .gelu, dropout: Dropout(rate: 0), labels: labels),
            configuration: configuration, calibration: calibration)
    }

    /// Creates a model with `head` as its classifier (its labels are the model's) from an
    /// embedder whose encoder already carries adapters.
    public init(
        embedder: SentenceEmbedder, head: MLPHead, configuration: LoRAConfiguration, calibration: Calibration = .none
    ) throws {
        guard head.inputDimension == embedder.dimension, !head.labels.isEmpty else {
            throw TrainingError.shapeMismatch(
                "the classifier must read the embedder's \(embedder.dimension) features, got \(head.inputDimension)")
        }
        guard Set(head.labels).count == head.labels.count else {
            throw TrainingError.shapeMismatch("the labels repeat")
        }
        guard !embedder.encoder.adapters.isEmpty else { throw LoRAError.noTargets(configuration.targetModules) }
        self.embedder = embedder
        self.head = head
        self.configuration = configuration
        self.labels = head.labels
        self.calibration = calibration
    }

    public func classify(_ texts: [String]) async throws -> [Classification] {
        guard !texts.isEmpty else { return [] }
        return try classifications(forEmbeddings: embedder.embeddings(for: texts))
    }

    /// The answers for sentence embeddings from ``embedder`` (`[B, D]`), calibrated.
    public func classifications(forEmbeddings embeddings: Tensor) throws -> [Classification] {
        let probabilities = try calibration.probabilities(fromLogits: head.logits(for: embeddings))
        return try (0..<embeddings.shape[0]).map { row in
            var byLabel: [String: Double] = [:]
            for (column, label) in labels.enumerated() { byLabel[label] = Double(probabilities[row, column]) }
            return try Classification(probabilities: byLabel)
        }
    }

    /// `[B, K]` logits for token id sequences (`[CLS] … [SEP]`), before calibration.
    public func logits(for sequences: [[Int]]) throws -> Tensor {
        try head.logits(for: embedder.embeddings(forEncoded: sequences))
    }

    /// The adapters folded into the encoder: an ``EmbeddingClassifier`` with the same
    /// outputs (to float rounding) at the base model's speed, and no adapters left.
    public func merged() throws -> EmbeddingClassifier {
        let encoder = try embedder.encoder.mergingAdapters()
        // Folded, so that a one-layer classifier given a standardization keeps it as a logistic head.
        let folded = try head.foldingStandardization()
        let merged: any ClassificationHead =
            hasLinearClassifier
            ? try LogisticHead(weight: folded.layers[0].weight, bias: folded.layers[0].bias, labels: labels) : folded
        return try EmbeddingClassifier(
            embedder: embedder.replacingEncoder(encoder), head: merged, calibration: calibration)
    }

    /// Folds the classifier's input standardization into its first layer (see
    /// `MLPHead.foldingStandardization()`): the same logits, and a classifier of plain layers
    /// that a PEFT adapter file can hold.
    mutating func foldStandardization() throws {
        head = try head.foldingStandardization()
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

    /// The adapters' tensors under their checkpoint keys, then the classifier's:
    /// `classifier.weight` and `classifier.bias` for a linear one, `classifier.layers.<i>.weight`
    /// and `.bias` for an MLP.
    public var trainableParameters: NamedTensors {
        var parameters = embedder.encoder.parameters.filter(keys: BertEncoder.isAdapterParameter)
        for (key, tensor) in classifierParameters(head.trainableParameters) { parameters[key] = tensor }
        return parameters
    }

    /// The head's parameters (or gradients) under the model's keys.
    func classifierParameters(_ tensors: NamedTensors) -> NamedTensors {
        var named = NamedTensors()
        for (key, tensor) in tensors {
            named[hasLinearClassifier ? "classifier." + key.dropFirst("layers.0.".count) : "classifier." + key] = tensor
        }
        return named
    }

    public mutating func assignTrainableParameters(_ parameters: NamedTensors) throws {
        try trainableParameters.checkSameLayout(as: parameters)
        let encoder = try embedder.encoder.replacingParameters(
            parameters.filter(keys: BertEncoder.isAdapterParameter))
        embedder = try embedder.replacingEncoder(encoder)
        let own = parameters.scoped("classifier")
        if hasLinearClassifier {
            var layer = NamedTensors()
            for (key, tensor) in own { layer["layers.0." + key] = tensor }
            try head.assignTrainableParameters(layer)
        } else {
            try head.assignTrainableParameters(own)
        }
    }

    public func lossAndGradients(on batch: Batch, using generator: inout SeededGenerator) throws -> (
        loss: Double, gradients: NamedTensors
    ) {
        let encoder = embedder.encoder
        let (states, ranges, cache) = try encoder.forwardCaching(batch.sequences, using: &generator)
        let pooled = try embedder.pooling.pool(states, sequences: ranges)
        let features = embedder.normalizes ? try pooled.l2Normalized() : pooled
        let (logits, headCache) = try generator.training { try head.forward(features, training: &$0) }
        guard let headCache else { throw TrainingError.shapeMismatch("the classifier kept no training cache") }
        let (loss, logitGradient) = try batch.lossAndGradient(logits: logits, labelSmoothing: head.labelSmoothing)
        let headGradients = try head.gradients(logitGradient, cache: headCache)
        let pooledGradient =
            embedder.normalizes ? try pooled.l2NormalizedBackward(headGradients.features) : headGradients.features
        let statesGradient = try embedder.pooling.backward(pooledGradient, states: states, sequences: ranges)
        var gradients = try encoder.backward(
            statesGradient, cache: cache, parametersWhere: BertEncoder.isAdapterParameter)
        for (key, tensor) in classifierParameters(headGradients.parameters) { gradients[key] = tensor }
        return (loss, gradients)
    }

    public func evaluate(on batch: Batch) throws -> (loss: Double, accuracy: Double) {
        try batch.evaluate(chunk: 64, logits: logits(for:))
    }
}
