import Foundation
import GradientCheck
import SquireModels
import SquireTensor
import Testing

/// The supervised contrastive loss against its definition and finite differences, and
/// contrastive tuning of a small random encoder on a toy vocabulary (no downloaded model).
@Suite struct ContrastiveTuningTests {
    /// Unit rows, so the similarities are cosines as the loss assumes.
    static func unitRows(_ rows: Int, _ width: Int, seed: UInt64) throws -> Tensor {
        var generator = SeededGenerator(seed: seed)
        return try Tensor.normal([rows, width], using: &generator).l2Normalized()
    }

    /// The loss written out from Khosla et al.'s formula in doubles, loop by loop.
    static func definition(_ z: Tensor, _ labels: [Int], temperature: Double) -> Double {
        let (rows, width) = (z.shape[0], z.shape[1])
        func similarity(_ i: Int, _ j: Int) -> Double {
            (0..<width).reduce(0.0) { $0 + Double(z.scalars[i * width + $1]) * Double(z.scalars[j * width + $1]) }
                / temperature
        }
        var total = 0.0
        var anchors = 0
        for i in 0..<rows {
            let positives = (0..<rows).filter { $0 != i && labels[$0] == labels[i] }
            guard !positives.isEmpty else { continue }
            anchors += 1
            let normalizer = log((0..<rows).filter { $0 != i }.reduce(0.0) { $0 + exp(similarity(i, $1)) })
            total -= positives.reduce(0.0) { $0 + similarity(i, $1) - normalizer } / Double(positives.count)
        }
        return anchors == 0 ? 0 : total / Double(anchors)
    }

    @Test func lossMatchesItsDefinition() throws {
        let z = try Self.unitRows(7, 5, seed: 1)
        let labels = [0, 1, 0, 2, 1, 0, 3]  // label 2 and 3 have no positive: negatives only
        for temperature: Float in [0.05, 0.5, 1] {
            let (loss, _) = try SupervisedContrastiveLoss.lossAndGradient(
                embeddings: z, classIndices: labels, temperature: temperature)
            let expected = Self.definition(z, labels, temperature: Double(temperature))
            #expect(abs(loss - expected) < 1e-4 * max(1, abs(expected)))
        }
    }

    @Test func gradientMatchesFiniteDifferences() throws {
        let z = try Self.unitRows(6, 4, seed: 2)
        let labels = [0, 1, 0, 1, 2, 0]
        let (_, gradient) = try SupervisedContrastiveLoss.lossAndGradient(
            embeddings: z, classIndices: labels, temperature: 0.5)
        #expect(
            try GradientCheck.relativeError(of: gradient, at: z) {
                try SupervisedContrastiveLoss.lossAndGradient(embeddings: $0, classIndices: labels, temperature: 0.5)
                    .loss
            } < 2e-3)
    }

    @Test func batchWithoutPositivesHasZeroLossAndGradient() throws {
        let z = try Self.unitRows(3, 4, seed: 3)
        let (loss, gradient) = try SupervisedContrastiveLoss.lossAndGradient(
            embeddings: z, classIndices: [0, 1, 2], temperature: 0.1)
        #expect(loss == 0)
        #expect(gradient.scalars.allSatisfy { $0 == 0 })
    }

    @Test func refusesBadShapesAndTemperatures() throws {
        let z = try Self.unitRows(3, 4, seed: 4)
        #expect(throws: TensorError.self) {
            try SupervisedContrastiveLoss.lossAndGradient(embeddings: z, classIndices: [0, 1], temperature: 0.1)
        }
        for bad: Float in [0, -1, .nan, .infinity] {
            #expect(throws: TensorError.self) {
                try SupervisedContrastiveLoss.lossAndGradient(embeddings: z, classIndices: [0, 0, 1], temperature: bad)
            }
        }
    }

    // MARK: Tuning a small encoder

    static let words = [
        "card", "lost", "stolen", "refund", "money", "back", "address", "moved", "new", "my", "the", "i",
    ]

    static func base() throws -> SentenceEmbedder {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("squire-contrastive-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let vocabulary = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] + words
        let path = folder.appendingPathComponent("vocab.txt").path
        try vocabulary.joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
        let configuration = try BertConfiguration(
            vocabularySize: vocabulary.count, hiddenSize: 16, layerCount: 2, headCount: 2, intermediateSize: 32,
            maximumPositions: 16)
        return try SentenceEmbedder(
            tokenizer: WordPieceTokenizer(vocabularyFile: path, maximumLength: 16),
            encoder: BertEncoder(configuration: configuration, seed: 5))
    }

    /// Four texts per topic, each a topic word amid filler.
    static let examples: (texts: [String], labels: [String]) = {
        let topics = [
            ("card", ["card", "lost", "stolen"]), ("refund", ["refund", "money", "back"]),
            ("address", ["address", "moved", "new"]),
        ]
        var texts: [String] = []
        var labels: [String] = []
        for (label, topicWords) in topics {
            for (index, filler) in ["my", "the", "i", "my the"].enumerated() {
                texts.append("\(filler) \(topicWords[index % 3]) \(topicWords[(index + 1) % 3])")
                labels.append(label)
            }
        }
        return (texts, labels)
    }()

    /// Mean within-label cosine minus mean between-label cosine of `embedder`'s embeddings.
    static func separation(_ embedder: SentenceEmbedder) throws -> Double {
        let (texts, labels) = examples
        let z = try embedder.embeddings(for: texts).l2Normalized()
        let s = try Tensor.matmul(z, z, transposeB: true).scalars
        var (within, between) = ([Double](), [Double]())
        for i in texts.indices {
            for j in texts.indices where j != i {
                (labels[i] == labels[j]
                    ? { within.append(Double(s[i * texts.count + j])) }
                    : { between.append(Double(s[i * texts.count + j])) })()
            }
        }
        return within.reduce(0, +) / Double(within.count) - between.reduce(0, +) / Double(between.count)
    }

    static let recipe = ContrastiveTuning.Recipe(
        training: TrainingConfiguration(
            epochs: 8, batchSize: 6, learningRate: 3e-3, weightDecay: 0, warmupFraction: 0, earlyStoppingPatience: nil,
            seed: 1),
        temperature: 0.2, examplesPerLabelInBatch: 2, minimumSteps: 0)

    @Test func aFewTextsTrainForTheMinimumSteps() throws {
        // 12 texts in batches of 6 are 2 steps an epoch: 8 epochs are 16 steps, and a floor
        // of 30 steps raises them to 15 epochs; more data than the floor needs keeps 8.
        var recipe = Self.recipe
        recipe.minimumSteps = 30
        #expect(recipe.training(forTexts: 12).epochs == 15)
        #expect(recipe.training(forTexts: 60).epochs == 8)
        let base = try Self.base()
        let (texts, labels) = Self.examples
        let (_, summary) = try ContrastiveTuning.fit(texts: texts, labels: labels, base: base, recipe: recipe)
        #expect(summary.steps == 30)
        recipe.minimumSteps = -1
        #expect(throws: TrainingError.self) {
            try ContrastiveTuning.fit(texts: texts, labels: labels, base: base, recipe: recipe)
        }
    }

    @Test func tuningPullsLabelsApartAndIsDeterministic() throws {
        let base = try Self.base()
        let (texts, labels) = Self.examples
        let (tuned, summary) = try ContrastiveTuning.fit(texts: texts, labels: labels, base: base, recipe: Self.recipe)
        #expect(summary.steps == 8 * 2)
        #expect(try Self.separation(tuned.embedder) > Self.separation(base) + 0.1)
        let (again, _) = try ContrastiveTuning.fit(texts: texts, labels: labels, base: base, recipe: Self.recipe)
        #expect(again.trainableParameters.tensors == tuned.trainableParameters.tensors)
        // Every batch holds pairs: the order groups each label's texts two by two.
        let evaluation = try tuned.evaluate(
            on: TokenBatch(
                sequences: texts.map { base.tokenizer.encode($0).ids },
                classIndices: labels.map { ["address", "card", "refund"].firstIndex(of: $0)! }))
        #expect(evaluation.accuracy > 0.9)
    }

    @Test func tuningOnlyTheSelectedParametersLeavesTheRestAlone() throws {
        let base = try Self.base()
        let (texts, labels) = Self.examples
        let isTopLayer: @Sendable (String) -> Bool = { $0.hasPrefix("encoder.layer.1.") }
        let (tuned, _) = try ContrastiveTuning.fit(
            texts: texts, labels: labels, base: base, recipe: Self.recipe, trains: isTopLayer)
        let before = base.encoder.parameters
        let after = tuned.embedder.encoder.parameters
        for (key, tensor) in before {
            if isTopLayer(key) { continue }
            #expect(after[key] == tensor, "\(key) changed")
        }
        #expect(before.filter(keys: isTopLayer).tensors != after.filter(keys: isTopLayer).tensors)
    }

    @Test func refusesDataWithoutPairsAndBadRecipes() throws {
        let base = try Self.base()
        #expect(throws: TrainingError.noContrastivePairs) {
            try ContrastiveTuning.fit(texts: ["my card", "the refund"], labels: ["card", "refund"], base: base)
        }
        #expect(throws: TrainingError.noExamples) { try ContrastiveTuning.fit(texts: [], labels: [], base: base) }
        #expect(throws: TrainingError.self) {
            try ContrastiveTuning.fit(texts: ["my card"], labels: ["card", "refund"], base: base)
        }
        var recipe = Self.recipe
        recipe.examplesPerLabelInBatch = 1
        #expect(throws: TrainingError.self) {
            try ContrastiveTuning.fit(
                texts: Self.examples.texts, labels: Self.examples.labels, base: base, recipe: recipe)
        }
        recipe = Self.recipe
        recipe.temperature = .nan
        #expect(throws: TrainingError.self) {
            try ContrastiveTuning.fit(
                texts: Self.examples.texts, labels: Self.examples.labels, base: base, recipe: recipe)
        }
    }

    @Test func cancellationStopsBetweenSteps() async throws {
        let base = try Self.base()
        let (texts, labels) = Self.examples
        let task = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return try ContrastiveTuning.fit(texts: texts, labels: labels, base: base, recipe: Self.recipe)
        }
        let (tuned, summary) = try await task.value
        #expect(summary.stopReason == "stopped")
        #expect(summary.steps == 0)
        #expect(tuned.trainableParameters.tensors == base.encoder.parameters.tensors)
    }
}
