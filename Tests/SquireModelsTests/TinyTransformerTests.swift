import Foundation
import SquireCore
import SquireModels
import SquireTensor
import Testing

/// The tiny transformer on a toy vocabulary, so these tests need no downloaded model.
@Suite struct TinyTransformerTests {
    static let words = [
        "card", "lost", "stolen", "refund", "money", "back", "address", "moved", "new", "my", "the", "please", "is",
        "i",
    ]

    static func tokenizer() throws -> WordPieceTokenizer {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("squire-tiny-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let vocabulary = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] + words
        try vocabulary.joined(separator: "\n").write(
            to: folder.appendingPathComponent("vocab.txt"), atomically: true, encoding: .utf8)
        return try WordPieceTokenizer(
            vocabularyFile: folder.appendingPathComponent("vocab.txt").path, maximumLength: 16)
    }

    /// Sentences whose label is given by which topic word they contain, amid filler words.
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

    static let small = TinyTransformerClassifier.Configuration(
        layerCount: 1, hiddenSize: 16, headCount: 2, intermediateSize: 32, maximumLength: 12, dropoutRate: 0,
        training: TrainingConfiguration(
            epochs: 8, batchSize: 16, learningRate: 5e-3, warmupFraction: 0.1, earlyStoppingPatience: nil, seed: 2))

    @Test func learnsAToyTaskFromScratch() async throws {
        let (texts, labels) = Self.examples(count: 240, seed: 1)
        let (model, summary) = try TinyTransformerClassifier.fit(
            texts: texts, labels: labels, tokenizer: Self.tokenizer(), configuration: Self.small)
        #expect(summary.epochs == 8)
        let (testTexts, testLabels) = Self.examples(count: 60, seed: 99)
        let answers = try await model.classify(testTexts)
        let accuracy = Double(zip(answers, testLabels).filter { $0.label == $1 }.count) / Double(testLabels.count)
        #expect(accuracy > 0.95, "\(accuracy)")
        #expect(model.labels == ["address", "card", "refund"])
    }

    @Test func trainingIsDeterministicAndResumable() throws {
        let (texts, labels) = Self.examples(count: 90, seed: 3)
        let tokenizer = try Self.tokenizer()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "squire-tiny-ckpt-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let checkpoint = folder.appendingPathComponent("checkpoint.safetensors").path
        var configuration = Self.small
        configuration.training.epochs = 3
        let whole = try TinyTransformerClassifier.fit(
            texts: texts, labels: labels, tokenizer: tokenizer, configuration: configuration
        ).model
        let again = try TinyTransformerClassifier.fit(
            texts: texts, labels: labels, tokenizer: tokenizer, configuration: configuration
        ).model
        #expect(whole.trainableParameters == again.trainableParameters)
        _ = try TinyTransformerClassifier.fit(
            texts: texts, labels: labels, tokenizer: tokenizer, configuration: configuration, checkpointPath: checkpoint
        ) {
            $0.validationLoss != nil && $0.epoch == 1 ? .stop : .proceed
        }
        let resumed = try TinyTransformerClassifier.fit(
            texts: texts, labels: labels, tokenizer: tokenizer, configuration: configuration, checkpointPath: checkpoint
        ).model
        #expect(resumed.trainableParameters == whole.trainableParameters)
    }

    @Test func bundleRoundTripGivesIdenticalAnswers() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "squire-tiny-bundle-\(UUID().uuidString)")
        let vocabularyFolder = folder.appendingPathComponent("vocabulary")
        try FileManager.default.createDirectory(at: vocabularyFolder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let vocabulary = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] + Self.words
        try vocabulary.joined(separator: "\n").write(
            to: vocabularyFolder.appendingPathComponent("vocab.txt"), atomically: true, encoding: .utf8)
        let tokenizer = try WordPieceTokenizer(folder: vocabularyFolder.path)
        let (texts, labels) = Self.examples(count: 60, seed: 5)
        var configuration = Self.small
        configuration.training.epochs = 2
        var (model, _) = try TinyTransformerClassifier.fit(
            texts: texts, labels: labels, tokenizer: tokenizer, configuration: configuration)
        model.calibration = .temperature(1.3)
        let card = ModelCard(
            name: "tiny", intendedUse: "tests", trainingData: "toy",
            labelCounts: ["card": 20, "refund": 20, "address": 20], method: "tiny transformer")
        let bundle = ClassifierBundle(tinyTransformer: model, card: card, tokenizerFolder: vocabularyFolder.path)
        let path = folder.appendingPathComponent("bundle").path
        try bundle.save(to: path)
        #expect(!FileManager.default.fileExists(atPath: path + "/encoder"))
        #expect(FileManager.default.fileExists(atPath: path + "/tokenizer/vocab.txt"))
        let reloaded = try ClassifierBundle(folder: path)
        let probes = ["my card is lost", "refund please", "i moved", "", "unknown words only"]
        #expect(try await reloaded.classifier.classify(probes) == model.classify(probes))
        #expect(reloaded.version == bundle.version)
        #expect(reloaded.embeddingClassifier == nil)
    }

    @Test func learnsFromTheTeachersProbabilitiesAlone() async throws {
        let (texts, labels) = Self.examples(count: 96, seed: 11)
        let (testTexts, testLabels) = Self.examples(count: 30, seed: 12)
        // The hard labels are scrambled; only the teacher's probabilities carry the task.
        let scrambled = labels.map { ["address": "card", "card": "refund", "refund": "address"][$0]! }
        let order = ["address", "card", "other", "refund"]
        let rows = labels.map { label in order.map { $0 == label ? 0.85 : 0.05 } }
        let tokenizer = try Self.tokenizer()
        func accuracy(softWeight: Double) throws -> Double {
            let teacher = try TeacherTargets(
                probabilities: rows, labels: order, distillation: Distillation(temperature: 2, softWeight: softWeight))
            let (model, _) = try TinyTransformerClassifier.fit(
                texts: texts, labels: scrambled, tokenizer: tokenizer, validation: (testTexts, testLabels),
                teacher: teacher, configuration: Self.small)
            #expect(model.labels == order)
            let predicted = try model.logits(for: testTexts.map { model.tokenizer.encode($0).ids }).argmax(alongAxis: 1)
                .map { order[$0] }
            return Double(zip(predicted, testLabels).filter { $0 == $1 }.count) / Double(testLabels.count)
        }
        #expect(try accuracy(softWeight: 1) > 0.9)
        #expect(try accuracy(softWeight: 0) < 0.2)

        let short = try TeacherTargets(
            probabilities: Array(rows.prefix(5)), labels: order, distillation: Distillation())
        #expect(throws: TrainingError.self) {
            try TinyTransformerClassifier.fit(
                texts: texts, labels: labels, tokenizer: tokenizer, teacher: short, configuration: Self.small)
        }
    }

    @Test func refusesBadShapes() throws {
        #expect(throws: TrainingError.self) {
            try TinyTransformerClassifier.fit(texts: ["a"], labels: [], tokenizer: Self.tokenizer())
        }
        var odd = Self.small
        odd.headCount = 3
        #expect(throws: TrainingError.self) {
            try TinyTransformerClassifier.fit(
                texts: ["card", "refund"], labels: ["card", "refund"], tokenizer: Self.tokenizer(), configuration: odd)
        }
    }
}
