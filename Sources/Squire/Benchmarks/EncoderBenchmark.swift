public import SquireEval
public import SquireLoRA
public import SquireModels
public import SquireTensor

/// What `squire bench` times, as library calls: the encoder's stages at several batch sizes,
/// `LogisticHead.fit`, and a LoRA epoch. Wall-clock times on the calling machine: compare
/// them with a peer run in the same sitting, never across sittings.
public enum EncoderBenchmark {
    /// A stage of the encoder pipeline.
    public enum Stage: String, Sendable, Hashable, Codable, CaseIterable {
        /// Tokenizer, encoder and pooling.
        case embed
        /// The tokenizer alone.
        case tokenize
        /// Tokenizer, encoder forward and backward, as fine-tuning runs it.
        case trainStep = "train-step"
    }

    /// Times `stage` over `texts` in consecutive batches of each size, after a warm-up of up
    /// to three batches, for `passes` passes.
    ///
    /// - Throws: `CancellationError` when the surrounding task is cancelled between calls.
    public static func time(
        _ stage: Stage, embedder: SentenceEmbedder, texts: [String], batchSizes: [Int], passes: Int,
        weights: String = "float32"
    ) throws -> [BatchTiming] {
        let run: ([String]) throws -> Void =
            switch stage {
            case .embed: { _ = try embedder.embeddings(for: $0) }
            case .tokenize: { batch in for text in batch { _ = embedder.tokenizer.encode(text) } }
            case .trainStep:
                { batch in
                    // Forward and backward through the whole encoder: mean pooling, then a loss that is
                    // the sum of the pooled states, so every parameter gets a gradient.
                    var generator = SeededGenerator(seed: 0)
                    let (states, ranges, cache) = try embedder.encoder.forwardCaching(
                        batch.map { embedder.tokenizer.encode($0).ids }, using: &generator)
                    let pooled = try Pooling.mean.pool(states, sequences: ranges)
                    let upstream = try Pooling.mean.backward(
                        Tensor.ones(pooled.shape), states: states, sequences: ranges)
                    _ = try embedder.encoder.backward(upstream, cache: cache)
                }
            }
        return try time(stage.rawValue, texts: texts, batchSizes: batchSizes, passes: passes, weights: weights, run)
    }

    /// Times a static model's `embeddings(for:)` (tokenizer, table lookups, mean, normalize)
    /// over `texts` as ``time(_:embedder:texts:batchSizes:passes:weights:)`` times the encoder.
    public static func time(
        static model: StaticEmbedder, texts: [String], batchSizes: [Int], passes: Int
    ) throws -> [BatchTiming] {
        try time("embed", texts: texts, batchSizes: batchSizes, passes: passes, weights: "static table") {
            _ = try model.embeddings(for: $0)
        }
    }

    private static func time(
        _ stage: String, texts: [String], batchSizes: [Int], passes: Int, weights: String,
        _ run: ([String]) throws -> Void
    ) throws -> [BatchTiming] {
        let clock = ContinuousClock()
        return try batchSizes.map { size in
            let batches = stride(from: 0, to: texts.count, by: max(size, 1)).map {
                Array(texts[$0..<min($0 + size, texts.count)])
            }
            for batch in batches.prefix(3) { try run(batch) }
            var seconds: [Double] = []
            for _ in 0..<passes {
                for batch in batches {
                    try Task.checkCancellation()
                    seconds.append(try clock.measure { try run(batch) }.seconds)
                }
            }
            return BatchTiming(
                batchSize: size, latency: BatchTiming.Latency(LatencySummary(seconds: seconds)),
                sentencesPerSecond: Double(texts.count * passes) / seconds.reduce(0, +), sentences: texts.count,
                passes: passes, stage: stage, weights: weights)
        }
    }

    /// Fits of `LogisticHead` timed, one per pass, with scikit-learn's stopping rule.
    public struct LogisticFitTiming: Sendable, Hashable, Codable {
        /// Examples fitted.
        public var examples: Int
        /// Embedding width.
        public var dimension: Int
        /// The inverse regularization.
        public var inverseRegularization: Double
        /// L-BFGS iterations of the last fit.
        public var iterations: Int
        /// Median and fastest fit, in seconds.
        public var fitSeconds: Spread
        /// Fits timed.
        public var passes: Int
        /// Always `fit-logistic`.
        public var stage = "fit-logistic"

        enum CodingKeys: String, CodingKey {
            case examples, dimension, iterations, passes, stage
            case inverseRegularization = "c"
            case fitSeconds = "fit_seconds"
        }
    }

    /// The median and the fastest of several timed runs, in seconds.
    public struct Spread: Sendable, Hashable, Codable {
        /// The median (the upper one for an even count).
        public var p50: Double
        /// The fastest.
        public var min: Double

        /// The spread of `seconds`; zeros when empty.
        public init(_ seconds: [Double]) {
            let sorted = seconds.sorted()
            p50 = sorted.isEmpty ? 0 : sorted[sorted.count / 2]
            min = sorted.first ?? 0
        }
    }

    /// Times `LogisticHead.fit` on `[N, D]` `features` with `labels`, once per pass.
    public static func logisticFit(
        features: Tensor, labels: [String], inverseRegularization: Double, passes: Int
    ) throws -> LogisticFitTiming {
        let configuration = LogisticHead.Configuration(inverseRegularization: inverseRegularization)
        let clock = ContinuousClock()
        var seconds: [Double] = []
        var steps = 0
        for _ in 0..<passes {
            try Task.checkCancellation()
            seconds.append(
                try clock.measure {
                    steps = try LogisticHead.fit(features: features, labels: labels, configuration: configuration)
                        .summary.steps
                }.seconds)
        }
        return LogisticFitTiming(
            examples: features.shape.first ?? 0, dimension: features.shape.last ?? 0,
            inverseRegularization: inverseRegularization, iterations: steps, fitSeconds: Spread(seconds),
            passes: passes)
    }

    /// One epoch of LoRA fine-tuning timed at one batch size.
    public struct LoRAEpochTiming: Sendable, Hashable, Codable {
        /// Texts per step.
        public var batchSize: Int
        /// Examples in the epoch.
        public var examples: Int
        /// Epochs timed.
        public var passes: Int
        /// Median and fastest epoch, in seconds.
        public var epochSeconds: Spread
        /// Parameters trained (adapters and classifier).
        public var trainableParameters: Int
        /// The adapters' rank.
        public var rank: Int
        /// The modules adapted.
        public var targets: [String]
        /// Always `lora-epoch`.
        public var stage = "lora-epoch"

        enum CodingKeys: String, CodingKey {
            case examples, passes, rank, targets, stage
            case batchSize = "batch_size"
            case epochSeconds = "epoch_seconds"
            case trainableParameters = "trainable_parameters"
        }
    }

    /// Times one epoch of LoRA fine-tuning (tokenization, forward, backward into the adapters
    /// and the classifier, AdamW) over `dataset`, once per pass and batch size.
    public static func loraEpoch(
        on dataset: Dataset, base: SentenceEmbedder, adapter: LoRAConfiguration, batchSizes: [Int], passes: Int
    ) throws -> [LoRAEpochTiming] {
        let clock = ContinuousClock()
        return try batchSizes.map { size in
            var recipe = LoRAClassifier.Recipe(
                adapter: adapter, validationFraction: 0, warmStartInverseRegularization: nil)
            recipe.training = TrainingConfiguration(
                epochs: 1, batchSize: size, learningRate: 1e-3, warmupFraction: 0.1, earlyStoppingPatience: nil)
            var seconds: [Double] = []
            var trainable = 0
            for _ in 0..<passes {
                try Task.checkCancellation()
                seconds.append(
                    try clock.measure {
                        trainable = try LoRAClassifier.fit(
                            texts: dataset.examples.map(\.text), labels: dataset.examples.map(\.label), base: base,
                            recipe: recipe
                        ).model.trainableParameterCount.trainable
                    }.seconds)
            }
            return LoRAEpochTiming(
                batchSize: size, examples: dataset.count, passes: passes, epochSeconds: Spread(seconds),
                trainableParameters: trainable, rank: adapter.rank, targets: adapter.targetModules)
        }
    }
}

extension Duration {
    /// The duration in seconds, as a `Double`.
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) * 1e-18 }
}
