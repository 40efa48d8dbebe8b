import Foundation
import SquireCore
import SquireLoRA
import SquireModels
import SquireTensor
import Testing

/// Fine-tuning on a toy vocabulary with a small random base encoder (no downloaded model),
/// and the bundle round trip on the real one.
@Suite struct LoRAClassifierTests {
    static let words = [
        "card", "lost", "stolen", "refund", "money", "back", "address", "moved", "new", "my", "the", "please", "is",
        "i",
    ]

    static func base() throws -> SentenceEmbedder {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("squire-lora-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let vocabulary = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] + words
        try vocabulary.joined(separator: "\n").write(
            to: folder.appendingPathComponent("vocab.txt"), atomically: true, encoding: .utf8)
        let tokenizer = try WordPieceTokenizer(
            vocabularyFile: folder.appendingPathComponent("vocab.txt").path, maximumLength: 16)
        let configuration = try BertConfiguration(
            vocabularySize: vocabulary.count, hiddenSize: 16, layerCount: 2, headCount: 2, intermediateSize: 32,
            maximumPositions: 16)
        return try SentenceEmbedder(tokenizer: tokenizer, encoder: BertEncoder(configuration: configuration, seed: 21))
    }

    /// Sentences labelled by the topic word they contain, amid filler words.
    static func examples(count: Int, seed: UInt64) -> (texts: [String], labels: [String]) {
        var generator = SeededGenerator(seed: seed)
        let topics = [
            ("card", ["card", "lost", "stolen"]), ("refund", ["refund", "money", "back"]),
            ("address", ["address", "moved", "new"]),
        ]
        let filler = ["my", "the", "please", "is", "i"]
        var texts: [String] = []
        var labels: [String] = []
        for index in 0..<count {
            let (label, cues) = topics[index % 3]
            var tokens = (0..<4).map { _ in filler[generator.nextIndex(below: filler.count)] }
            tokens.insert(cues[generator.nextIndex(below: 3)], at: generator.nextIndex(below: tokens.count + 1))
            texts.append(tokens.joined(separator: " "))
            labels.append(label)
        }
        return (texts, labels)
    }

    /// A weak warm start (C = 1 on normalized embeddings of a random encoder), so that what
    /// the adapters add shows on held-out data.
    static let recipe = LoRAClassifier.Recipe(
        adapter: LoRAConfiguration(
            rank: 4, alpha: 8, dropout: 0.1, targetModules: ["query", "value", "intermediate.dense"]),
        training: TrainingConfiguration(
            epochs: 10, batchSize: 16, learningRate: 3e-2, warmupFraction: 0.1, earlyStoppingPatience: nil, seed: 3),
        warmStartInverseRegularization: 1)

    @Test func learnsBeyondItsWarmStartAndLeavesTheBaseAlone() async throws {
        let base = try Self.base()
        let (texts, labels) = Self.examples(count: 240, seed: 1)
        let (model, summary) = try LoRAClassifier.fit(texts: texts, labels: labels, base: base, recipe: Self.recipe)
        #expect(summary.epochs == 10)
        let (testTexts, testLabels) = Self.examples(count: 60, seed: 99)
        let answers = try await model.classify(testTexts)
        let accuracy = Double(zip(answers, testLabels).filter { $0.label == $1 }.count) / Double(testLabels.count)
        let probe = try LogisticHead.fit(
            features: base.embeddings(for: texts), labels: labels, configuration: .init(inverseRegularization: 1)
        ).head
        let probeAnswers = try probe.logits(for: base.embeddings(for: testTexts)).argmax(alongAxis: 1).map {
            probe.labels[$0]
        }
        let probeAccuracy = Double(zip(probeAnswers, testLabels).filter { $0 == $1 }.count) / Double(testLabels.count)
        #expect(
            accuracy > 0.8 && accuracy > probeAccuracy + 0.15, "fine-tuned \(accuracy), probe alone \(probeAccuracy)")
        #expect(model.embedder.encoder.adapters.count == 6)
        #expect(model.embedder.encoder.adapters.allSatisfy { $0.layer.b.scalars.contains { $0 != 0 } })
        #expect(try model.unmerged().encoder.parameters.map(\.tensor) == base.encoder.parameters.map(\.tensor))
        let (trainable, total) = model.trainableParameterCount
        // Per layer: query and value (A 4×16, B 16×4), intermediate (A 4×16, B 32×4); then the classifier.
        #expect(trainable == 2 * (2 * (4 * 16 + 16 * 4) + (4 * 16 + 32 * 4)) + 3 * 16 + 3)
        #expect(total == trainable + base.encoder.parameters.reduce(0) { $0 + $1.tensor.count })
    }

    @Test func distillsFromTeacherProbabilities() async throws {
        let base = try Self.base()
        let (texts, labels) = Self.examples(count: 240, seed: 1)
        // The teacher knows a label the data never shows; the student inherits its label set.
        let order = ["address", "card", "other", "refund"]
        let rows = labels.map { label in order.map { $0 == label ? 0.85 : 0.05 } }
        let teacher = try TeacherTargets(
            probabilities: rows, labels: order, distillation: Distillation(temperature: 2, softWeight: 0.7))
        let model = try LoRAClassifier.fit(
            texts: texts, labels: labels, base: base, teacher: teacher, recipe: Self.recipe
        ).model
        #expect(model.labels == order)
        let (testTexts, testLabels) = Self.examples(count: 60, seed: 99)
        let answers = try await model.classify(testTexts)
        let accuracy = Double(zip(answers, testLabels).filter { $0.label == $1 }.count) / Double(testLabels.count)
        #expect(accuracy > 0.8, "distilled \(accuracy)")
        let short = try TeacherTargets(
            probabilities: Array(rows.prefix(3)), labels: order, distillation: Distillation())
        #expect(throws: TrainingError.self) {
            try LoRAClassifier.fit(texts: texts, labels: labels, base: base, teacher: short, recipe: Self.recipe)
        }
    }

    @Test func mergedModelAnswersTheSame() async throws {
        let (texts, labels) = Self.examples(count: 120, seed: 2)
        var recipe = Self.recipe
        recipe.training.epochs = 3
        let model = try LoRAClassifier.fit(texts: texts, labels: labels, base: Self.base(), recipe: recipe).model
        let merged = try model.merged()
        #expect((merged.embedder as? SentenceEmbedder)?.encoder.adapters.isEmpty == true)
        let (adapted, folded) = (try await model.classify(texts), try await merged.classify(texts))
        for (a, b) in zip(adapted, folded) {
            #expect(a.label == b.label)
            for label in model.labels { #expect(abs(a.probabilities[label]! - b.probabilities[label]!) < 1e-5) }
        }
    }

    @Test func trainingIsDeterministicAndResumable() throws {
        let (texts, labels) = Self.examples(count: 90, seed: 3)
        let base = try Self.base()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "squire-lora-ckpt-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let checkpoint = folder.appendingPathComponent("checkpoint.safetensors").path
        var recipe = Self.recipe
        recipe.training.epochs = 3
        let whole = try LoRAClassifier.fit(texts: texts, labels: labels, base: base, recipe: recipe).model
        let again = try LoRAClassifier.fit(texts: texts, labels: labels, base: base, recipe: recipe).model
        #expect(whole.trainableParameters == again.trainableParameters)
        // Stop after the second epoch, then resume from the checkpoint to the same model.
        _ = try LoRAClassifier.fit(texts: texts, labels: labels, base: base, recipe: recipe, checkpointPath: checkpoint)
        { progress in
            progress.epoch == 2 && progress.validationLoss != nil ? .stop : .proceed
        }
        let resumed = try LoRAClassifier.fit(
            texts: texts, labels: labels, base: base, recipe: recipe, checkpointPath: checkpoint
        ).model
        #expect(resumed.trainableParameters == whole.trainableParameters)
    }

    @Test func refusesBadInput() throws {
        let base = try Self.base()
        #expect(throws: TrainingError.self) { try LoRAClassifier.fit(texts: ["a"], labels: [], base: base) }
        var recipe = Self.recipe
        recipe.adapter.targetModules = ["attention.self.querry"]
        #expect(throws: LoRAError.noTargets(["attention.self.querry"])) {
            try LoRAClassifier.fit(
                texts: Self.examples(count: 30, seed: 1).texts, labels: Self.examples(count: 30, seed: 1).labels,
                base: base, recipe: recipe)
        }
        recipe = Self.recipe
        recipe.training.learningRate = .nan
        #expect(throws: TrainingError.self) {
            try LoRAClassifier.fit(texts: ["card"], labels: ["card"], base: base, recipe: recipe)
        }
    }
}

/// The bundle on the real all-MiniLM-L6-v2.
/// all-MiniLM-L6-v2, loaded once, or nil when it has not been fetched.
enum RealBase {
    static let embedder = try? SentenceEmbedder(folder: ModelFolder.allMiniLML6V2)
}

@Suite(
    .enabled(
        if: RealBase.embedder != nil,
        "needs all-MiniLM-L6-v2: run Scripts/setup/fetch-model.sh (or set SQUIRE_MODEL_DIR)"))
struct LoRABundleTests {
    static let card = ModelCard(
        name: "lora-test", intendedUse: "tests", trainingData: "none", labelCounts: [:], method: "LoRA",
        evaluation: [:], evaluationData: "none", limitations: [])

    /// A model with random non-zero adapters and classifier, so answers show whether they survived.
    static func model(seed: UInt64, labels: [String] = ["address", "card", "refund"]) throws -> LoRAClassifier {
        let base = try #require(RealBase.embedder)
        let configuration = LoRAConfiguration(rank: 4, alpha: 8, targetModules: ["query", "value"])
        let adapted = try base.encoder.addingAdapters(configuration, seed: seed)
        var generator = SeededGenerator(seed: seed + 1)
        let trained = try adapted.replacingParameters(
            adapted.parameters.map {
                $0.key.hasSuffix("lora_B.weight")
                    ? try Tensor.normal($0.tensor.shape, standardDeviation: 0.05, using: &generator) : $0.tensor
            })
        return try LoRAClassifier(
            embedder: SentenceEmbedder(tokenizer: base.tokenizer, encoder: trained),
            classifier: Linear(
                weight: Tensor.normal([labels.count, 384], using: &generator),
                bias: Tensor.normal([labels.count], using: &generator)),
            configuration: configuration, labels: labels)
    }

    static func scratch() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "squire-lora-bundle-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    @Test func bundleRoundTripGivesIdenticalAnswers() async throws {
        var model = try Self.model(seed: 1)
        model.calibration = .temperature(1.7)
        let card = Self.card
        let folder = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("bundle").path
        let bundle = LoRABundle(classifier: model, card: card, encoderFolder: ModelFolder.allMiniLML6V2)
        try bundle.save(to: path)
        let reloaded = try LoRABundle(folder: path)
        #expect(reloaded.version == bundle.version)
        #expect(reloaded.classifier.calibration == .temperature(1.7))
        let texts = ["I lost my card", "where is my refund", "I moved house"]
        let (before, after) = (try await model.classify(texts), try await reloaded.classifier.classify(texts))
        #expect(before == after)
        let adapterBytes =
            try FileManager.default.attributesOfItem(atPath: path + "/adapter/adapter_model.safetensors")[.size] as? Int
        #expect((adapterBytes ?? .max) < 1_000_000)
        // A plain ClassifierBundle refuses it with a pointer to the right loader, and damage is caught.
        #expect { try ClassifierBundle(folder: path) } throws: { "\($0)".contains("LoRABundle") }
        let weights = path + "/adapter/adapter_model.safetensors"
        var bytes = try Data(contentsOf: URL(fileURLWithPath: weights))
        bytes[bytes.count - 3] ^= 0x40
        try bytes.write(to: URL(fileURLWithPath: weights))
        #expect(throws: BundleError.self) { try LoRABundle(folder: path) }
    }
}

extension LoRABundleTests {
    @Test func severalAdaptersShareOneBase() async throws {
        let folder = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let (router, moderation) = (try Self.model(seed: 3), try Self.model(seed: 7, labels: ["allowed", "blocked"]))
        try LoRABundle(classifier: router, card: Self.card, encoderFolder: ModelFolder.allMiniLML6V2).save(
            to: folder.path + "/router")
        var models = try AdapterSet(baseFolder: ModelFolder.allMiniLML6V2)
        try models.addBundle(at: folder.path + "/router", named: "router")
        try models.add(LoRAAdapter(moderation), named: "moderation", labels: moderation.labels)
        #expect(models.names == ["moderation", "router"])

        let texts = ["I lost my card", "where is my refund"]
        #expect(try await models["router"]!.classify(texts) == router.classify(texts))
        #expect(try await models["moderation"]!.classify(texts) == moderation.classify(texts))
        // One copy of the base weights: every model's base layers point at the set's storage.
        func storage(_ encoder: BertEncoder) -> UnsafeRawPointer? {
            ((encoder.adapters.first?.layer.base ?? encoder.layers[0].query) as? Linear)?.weight.withUnsafeBufferPointer
            { UnsafeRawPointer($0.baseAddress) }
        }
        let shared = storage(models.base.encoder)
        #expect(
            shared != nil && storage(models["router"]!.embedder.encoder) == shared
                && storage(models["moderation"]!.embedder.encoder) == shared)
        #expect(
            models["router"]!.embedder.encoder.layers[2].intermediate as? Linear == models.base.encoder.layers[2]
                .intermediate as? Linear)

        // A bundle trained on other base weights is refused.
        let otherBase = folder.appendingPathComponent("other-base")
        try FileManager.default.copyItem(atPath: ModelFolder.allMiniLML6V2, toPath: otherBase.path)
        let weights = otherBase.appendingPathComponent("model.safetensors")
        var bytes = try Data(contentsOf: weights)
        bytes[bytes.count - 5] ^= 0x01
        try bytes.write(to: weights)
        try LoRABundle(classifier: router, card: Self.card, encoderFolder: otherBase.path).save(
            to: folder.path + "/other")
        #expect { try models.addBundle(at: folder.path + "/other", named: "other") } throws: {
            "\($0)".contains("other base weights")
        }
    }
}
