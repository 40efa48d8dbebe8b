public import SquireModels
import SquireTensor

extension LoRAClassifier {
    /// What ``fit(texts:labels:base:validation:recipe:checkpointPath:progress:)`` trains and how.
    public struct Recipe: Sendable, Hashable {
        /// The adapters' rank, scaling, dropout and targets.
        public var adapter: LoRAConfiguration
        /// Optimizer, schedule, epochs and seed.
        public var training: TrainingConfiguration
        /// The fraction of each label held out for early stopping when no validation set is given.
        public var validationFraction: Double
        /// C of the logistic regression fitted on the frozen embeddings to start the
        /// classifier from (a linear probe before fine-tuning, which keeps the first steps
        /// from wrecking the encoder with a random head's gradients); nil starts from zeros.
        public var warmStartInverseRegularization: Double?
        /// An MLP classifier instead of a linear one: its hidden sizes, activation, dropout
        /// and label smoothing, warm-started from an MLP head fitted (with these settings,
        /// early stopping on its own 10% carve) on the frozen embeddings. Nil keeps the
        /// linear classifier. After training its input standardization is folded into the
        /// first layer, so the saved classifier is plain layers.
        public var mlp: MLPHead.Configuration?

        /// Creates a recipe; the defaults are rank 8, alpha 16 on query and value, dropout
        /// 0.1, AdamW at 1e-3 with 10% warm-up, batch 32, up to 4 epochs with patience 1,
        /// and a linear classifier warm-started from a linear probe with C = 10.
        public init(
            adapter: LoRAConfiguration = LoRAConfiguration(rank: 8, alpha: 16, dropout: 0.1),
            training: TrainingConfiguration = TrainingConfiguration(
                epochs: 4, batchSize: 32, learningRate: 1e-3, weightDecay: 0.01, warmupFraction: 0.1,
                earlyStoppingPatience: 1),
            validationFraction: Double = 0.1, warmStartInverseRegularization: Double? = 10,
            mlp: MLPHead.Configuration? = nil
        ) {
            self.adapter = adapter
            self.training = training
            self.validationFraction = validationFraction
            self.warmStartInverseRegularization = warmStartInverseRegularization
            self.mlp = mlp
        }
    }

    /// Fine-tunes LoRA adapters on `base` and a classifier over it for `texts` and their
    /// `labels`, keeping the epoch with the best validation loss. Deterministic for a seed.
    ///
    /// - Parameters:
    ///   - base: the pretrained embedder; its tensors are shared, not copied or changed.
    ///   - validation: held-out texts and labels; nil carves `validationFraction` of each label.
    ///   - teacher: a teacher's probabilities for `texts`, to distill from; the model then has
    ///     the teacher's labels, and validation still scores the hard labels.
    ///   - checkpointPath: written atomically after every epoch; an existing one is resumed.
    ///   - afterEpoch: called with the model and the epoch (from 1) at the end of every epoch.
    public static func fit(
        texts: [String], labels exampleLabels: [String], base: SentenceEmbedder,
        validation: (texts: [String], labels: [String])? = nil, teacher: TeacherTargets? = nil,
        recipe: Recipe = Recipe(), checkpointPath: String? = nil,
        progress: (TrainingProgress) -> TrainingAction = { _ in .proceed },
        afterEpoch: (_ model: Self, _ epoch: Int) throws -> Void = { _, _ in }
    ) throws -> (model: LoRAClassifier, summary: TrainingSummary) {
        guard texts.count == exampleLabels.count else {
            throw TrainingError.shapeMismatch("\(texts.count) texts but \(exampleLabels.count) labels")
        }
        try recipe.adapter.validate()
        try recipe.training.validate()
        let tokenizer = base.tokenizer
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
        } else if recipe.validationFraction > 0 {
            let (training, held) = try examples.splitPositions(
                holdingOut: recipe.validationFraction, seed: recipe.training.seed)
            trainingPositions = training
            validationBatch = Batch(
                sequences: held.map { sequences[$0] }, classIndices: held.map { examples.classIndices[$0] })
        }

        // Adapters first, so a misspelt target fails before the linear probe's work.
        let adapted = try base.encoder.addingAdapters(recipe.adapter, seed: recipe.training.seed ^ 0x10CA)
        func frozenFeatures() throws -> Tensor {
            var features: [Float] = []
            features.reserveCapacity(trainingPositions.count * base.dimension)
            for start in stride(from: 0, to: trainingPositions.count, by: 64) {
                let chunk = trainingPositions[start..<min(start + 64, trainingPositions.count)].map { sequences[$0] }
                features += try base.embeddings(forEncoded: chunk).scalars
            }
            return try Tensor(shape: [trainingPositions.count, base.dimension], scalars: features)
        }
        let head: MLPHead
        if var mlp = recipe.mlp {
            // A random MLP's gradients would wreck the encoder in the first steps, as a random
            // linear head's would: start from the head fitted on the frozen embeddings.
            mlp.training.seed = recipe.training.seed
            head = try MLPHead.fit(
                features: frozenFeatures(), labels: trainingPositions.map { exampleLabels[$0] },
                labelOrder: examples.labels, configuration: mlp
            ).head
        } else {
            var classifier = try Linear(
                weight: Tensor.zeros([examples.labels.count, base.dimension]),
                bias: Tensor.zeros([examples.labels.count]))
            if let inverseRegularization = recipe.warmStartInverseRegularization {
                let probe = try LogisticHead.fit(
                    features: frozenFeatures(), labels: trainingPositions.map { exampleLabels[$0] },
                    labelOrder: examples.labels, configuration: .init(inverseRegularization: inverseRegularization)
                ).head
                classifier = try Linear(weight: probe.weight, bias: probe.bias)
            }
            head = try MLPHead(
                layers: [classifier], activation: .gelu, dropout: Dropout(rate: 0), labels: examples.labels)
        }
        var model = try LoRAClassifier(
            embedder: base.replacingEncoder(adapted), head: head, configuration: recipe.adapter)
        let trainer = Trainer(configuration: recipe.training, checkpointPath: checkpointPath)
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
        if !model.hasLinearClassifier { try model.foldStandardization() }
        return (model, summary)
    }
}
