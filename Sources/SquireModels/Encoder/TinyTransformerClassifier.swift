public import SquireCore
public import SquireTensor

/// A small transformer encoder trained from scratch on the task, for users who cannot
/// ship a 90 MB base model: a BERT-style encoder (by default 2 layers, D = 128, H = 4,
/// sequences cut at 64 tokens) over a reused WordPiece vocabulary, mean pooling, dropout,
/// and a linear layer to one logit per label.
///
/// It conforms to `TextClassifier` like every other model, and trains with the shared
/// ``Trainer`` (its backward pass is the encoder's).
public struct TinyTransformerClassifier: TextClassifier {
    /// Splits text into ids of the reused vocabulary; its `maximumLength` is the model's T.
    public let tokenizer: WordPieceTokenizer
    /// The encoder, trained from scratch.
    public private(set) var encoder: BertEncoder
    /// `[K, D]` weights and `[K]` bias on the mean-pooled states.
    public private(set) var classifier: Linear
    /// Dropout on the pooled states, during training only.
    public let dropout: Dropout
    /// The labels, in the order of the classifier's rows.
    public let labels: [String]
    /// Turns logits into probabilities.
    public var calibration: Calibration = .none

    /// Creates a model from its parts.
    public init(
        tokenizer: WordPieceTokenizer, encoder: BertEncoder, classifier: Linear, dropout: Dropout, labels: [String],
        calibration: Calibration = .none
    ) throws {
        guard classifier.inputDimension == encoder.configuration.hiddenSize, classifier.outputDimension == labels.count
        else {
            throw TrainingError.shapeMismatch(
                "the classifier layer must map \(encoder.configuration.hiddenSize) to \(labels.count) labels, got \(classifier.weight.shape)"
            )
        }
        guard tokenizer.vocabularySize <= encoder.configuration.vocabularySize,
            tokenizer.maximumLength <= encoder.configuration.maximumPositions
        else {
            throw TrainingError.shapeMismatch(
                "the tokenizer (\(tokenizer.vocabularySize) ids, \(tokenizer.maximumLength) tokens) does not fit the encoder"
            )
        }
        self.tokenizer = tokenizer
        self.encoder = encoder
        self.classifier = classifier
        self.dropout = dropout
        self.labels = labels
        self.calibration = calibration
    }

    public func classify(_ texts: [String]) async throws -> [Classification] {
        guard !texts.isEmpty else { return [] }
        var results: [Classification] = []
        for start in stride(from: 0, to: texts.count, by: 64) {
            let batch = Array(texts[start..<min(start + 64, texts.count)])
            let probabilities = try calibration.probabilities(
                fromLogits: logits(for: batch.map { tokenizer.encode($0).ids }))
            for row in 0..<batch.count {
                var byLabel: [String: Double] = [:]
                for (column, label) in labels.enumerated() { byLabel[label] = Double(probabilities[row, column]) }
                results.append(try Classification(probabilities: byLabel))
            }
        }
        return results
    }

    /// `[B, K]` logits for token id sequences (`[CLS] … [SEP]`).
    public func logits(for sequences: [[Int]]) throws -> Tensor {
        let (states, ranges) = try encoder.hiddenStates(for: sequences)
        return try classifier.forward(Pooling.mean.pool(states, sequences: ranges))
    }
}

extension TinyTransformerClassifier: TrainableModel {
    /// Token id sequences and each one's label index.
    public typealias Batch = TokenBatch

    /// The encoder's parameters under their checkpoint keys, then `classifier.weight` and `classifier.bias`.
    public var trainableParameters: NamedTensors {
        var parameters = encoder.parameters
        for (key, tensor) in classifier.parameters { parameters["classifier.\(key)"] = tensor }
        return parameters
    }

    public mutating func assignTrainableParameters(_ parameters: NamedTensors) throws {
        try trainableParameters.checkSameLayout(as: parameters)
        encoder = try encoder.replacingParameters(parameters.filter(keys: { !$0.hasPrefix("classifier.") }))
        classifier = try classifier.replacingParameters(parameters.scoped("classifier"))
    }

    public func lossAndGradients(on batch: Batch, using generator: inout SeededGenerator) throws -> (
        loss: Double, gradients: NamedTensors
    ) {
        let (states, ranges, cache) = try encoder.forwardCaching(batch.sequences, using: &generator)
        let pooled = try Pooling.mean.pool(states, sequences: ranges)
        let (dropped, mask) = try dropout.forward(pooled, using: &generator)
        let logits = try classifier.forward(dropped)
        let (loss, logitGradient) = try batch.lossAndGradient(logits: logits)
        let classifierGradients = try classifier.backward(logitGradient, input: dropped)
        let pooledGradient = try dropout.backward(classifierGradients.input, mask: mask)
        let statesGradient = try Pooling.mean.backward(pooledGradient, states: states, sequences: ranges)
        var gradients = try encoder.backward(statesGradient, cache: cache)
        gradients["classifier.weight"] = classifierGradients.weight
        gradients["classifier.bias"] = classifierGradients.bias
        return (loss, gradients)
    }

    public func evaluate(on batch: Batch) throws -> (loss: Double, accuracy: Double) {
        try batch.evaluate(chunk: 128, logits: logits(for:))
    }
}

extension TinyTransformerClassifier {
    /// The shape and training settings of ``fit(texts:labels:tokenizer:validation:configuration:checkpointPath:progress:)``.
    public struct Configuration: Sendable, Hashable {
        /// Transformer layers.
        public var layerCount: Int
        /// D.
        public var hiddenSize: Int
        /// H; must divide D.
        public var headCount: Int
        /// The feed-forward width.
        public var intermediateSize: Int
        /// T: texts are cut to this many tokens, `[CLS]` and `[SEP]` included.
        public var maximumLength: Int
        /// Dropout on the pooled states.
        public var dropoutRate: Float
        /// The fraction of each label held out for early stopping when no validation set is given.
        public var validationFraction: Double
        /// Optimizer, schedule, epochs and seed.
        public var training: TrainingConfiguration

        /// Creates a configuration; the defaults are 2 layers, D = 128, H = 4, a 512-wide
        /// feed-forward, T = 64, dropout 0.1, AdamW at 1e-3 with 10% warm-up for up to 15
        /// epochs with patience 3.
        public init(
            layerCount: Int = 2, hiddenSize: Int = 128, headCount: Int = 4, intermediateSize: Int = 512,
            maximumLength: Int = 64,
            dropoutRate: Float = 0.1, validationFraction: Double = 0.1,
            training: TrainingConfiguration = TrainingConfiguration(
                epochs: 15, learningRate: 1e-3, warmupFraction: 0.1, earlyStoppingPatience: 3)
        ) {
            self.layerCount = layerCount
            self.hiddenSize = hiddenSize
            self.headCount = headCount
            self.intermediateSize = intermediateSize
            self.maximumLength = maximumLength
            self.dropoutRate = dropoutRate
            self.validationFraction = validationFraction
            self.training = training
        }
    }

    /// Trains a tiny transformer from scratch on `texts` and their `labels`, keeping the
    /// epoch with the best validation loss. Deterministic for a seed.
    ///
    /// - Parameters:
    ///   - tokenizer: supplies the vocabulary; the model keeps a copy cut at `maximumLength`.
    ///   - validation: held-out texts and labels; nil carves `validationFraction` of each label.
    ///   - teacher: a teacher's probabilities for `texts`, to distill from; the model then has
    ///     the teacher's labels, and validation still scores the hard labels.
    ///   - afterEpoch: called with the model and the epoch (from 1) at the end of every epoch.
    public static func fit(
        texts: [String], labels exampleLabels: [String], tokenizer: WordPieceTokenizer,
        validation: (texts: [String], labels: [String])? = nil, teacher: TeacherTargets? = nil,
        configuration: Configuration = Configuration(), checkpointPath: String? = nil,
        progress: (TrainingProgress) -> TrainingAction = { _ in .proceed },
        afterEpoch: (_ model: Self, _ epoch: Int) throws -> Void = { _, _ in }
    ) throws -> (model: TinyTransformerClassifier, summary: TrainingSummary) {
        guard texts.count == exampleLabels.count else {
            throw TrainingError.shapeMismatch("\(texts.count) texts but \(exampleLabels.count) labels")
        }
        guard configuration.hiddenSize % max(configuration.headCount, 1) == 0, configuration.maximumLength >= 2 else {
            throw TrainingError.invalidConfiguration(
                "the hidden size must be a multiple of the head count, and T at least 2")
        }
        try configuration.training.validate()
        var tokenizer = tokenizer
        tokenizer.maximumLength = configuration.maximumLength
        let sequences = texts.map { tokenizer.encode($0).ids }
        // The label bookkeeping of the heads, on a dummy feature column.
        try teacher?.validate(textCount: texts.count)
        let examples = try TrainingExamples(
            features: Tensor.zeros([texts.count, 1]), labels: exampleLabels, knownLabels: teacher?.labels.sorted())
        var trainingPositions = Array(0..<texts.count)
        var validationBatch: Batch?
        if let validation {
            let held = try TrainingExamples(
                features: Tensor.zeros([validation.texts.count, 1]), labels: validation.labels,
                knownLabels: examples.labels)
            validationBatch = Batch(
                sequences: validation.texts.map { tokenizer.encode($0).ids }, classIndices: held.classIndices)
        } else if configuration.validationFraction > 0 {
            let (training, held) = try examples.splitPositions(
                holdingOut: configuration.validationFraction, seed: configuration.training.seed)
            trainingPositions = training
            validationBatch = Batch(
                sequences: held.map { sequences[$0] }, classIndices: held.map { examples.classIndices[$0] })
        }
        let bertConfiguration = try BertConfiguration(
            vocabularySize: tokenizer.vocabularySize, hiddenSize: configuration.hiddenSize,
            layerCount: configuration.layerCount,
            headCount: configuration.headCount, intermediateSize: configuration.intermediateSize,
            maximumPositions: configuration.maximumLength, tokenTypeCount: 1)
        var generator = SeededGenerator(seed: configuration.training.seed ^ 0x5EED)
        let bound = 1 / Float(configuration.hiddenSize).squareRoot()
        var model = try TinyTransformerClassifier(
            tokenizer: tokenizer,
            encoder: BertEncoder(configuration: bertConfiguration, seed: configuration.training.seed),
            classifier: Linear(
                weight: Tensor.uniform(
                    [examples.labels.count, configuration.hiddenSize], in: -bound...bound, using: &generator),
                bias: Tensor.zeros([examples.labels.count])),
            dropout: Dropout(rate: configuration.dropoutRate), labels: examples.labels)
        let trainer = Trainer(configuration: configuration.training, checkpointPath: checkpointPath)
        let summary = try trainer.train(
            &model, exampleCount: trainingPositions.count,
            batch: { members in
                let positions = members.map { trainingPositions[$0] }
                return Batch(
                    sequences: positions.map { sequences[$0] },
                    classIndices: positions.map { examples.classIndices[$0] },
                    teacherProbabilities: try teacher?.rows(positions, order: examples.labels),
                    distillation: teacher?.distillation)
            }, validation: validationBatch, progress: progress, afterEpoch: afterEpoch)
        return (model, summary)
    }
}
