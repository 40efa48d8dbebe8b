import Foundation
import Squire
import Testing

/// Heads on a static model: trained, saved, reopened and answering like heads on the encoder,
/// and refused by the recipes and tools that need a transformer.
@Suite(.enabled(if: Fixtures.hasModel, "needs all-MiniLM-L6-v2: run Scripts/setup/fetch-model.sh"))
struct StaticHeadTests {
    /// Both heads train on a static base; the bundle holds the static model's own files (the
    /// table byte for byte), says so in `config.json`, and reopens as the model that was trained.
    @Test(arguments: [ClassifierRecipe.HeadKind.logistic, .mlp])
    func trainsSavesAndReopensAHead(_ head: ClassifierRecipe.HeadKind) async throws {
        let folder = try Fixtures.scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let base = try Fixtures.staticModel()
        let bundleFolder = folder.appendingPathComponent("bundle").path
        var recipe = ClassifierRecipe(head: head, inverseRegularizations: [10], weightDecays: [0.01])
        recipe.mlp.training.epochs = 20
        let trained = try ClassifierTraining.frozenHead(
            recipe, on: try Fixtures.dataset(), options: TrainingOptions(base: base, bundleFolder: bundleFolder))
        #expect(trained.embeddingClassifier?.embedder is StaticEmbedder)
        #expect(trained.card.method.contains("static embeddings"))

        let table = try Data(contentsOf: URL(fileURLWithPath: base + "/model.safetensors"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: bundleFolder + "/encoder/model.safetensors")) == table)
        let configuration = try #require(
            try JSONSerialization.jsonObject(
                with: Data(contentsOf: URL(fileURLWithPath: bundleFolder + "/config.json")))
                as? [String: Any])
        #expect(configuration["embedder"] as? String == "static")

        let bundle = try ModelBundle(folder: bundleFolder)
        #expect(bundle.kind == (head == .logistic ? .logisticHead : .mlpHead))
        #expect(bundle.embedder is StaticEmbedder)
        #expect(bundle.version == trained.version)
        let opened = try await bundle.classify(Fixtures.probes)
        let original = try await trained.classifier.classify(Fixtures.probes)
        #expect(opened.map(\.label) == original.map(\.label))
        for (a, b) in zip(opened, original) { #expect(abs(a.confidence - b.confidence) < 1e-6) }
        // The training texts themselves: a head on word rows separates three labels this plain.
        let data = try Fixtures.dataset()
        let answers = try await bundle.classify(data.examples.map(\.text))
        let right = zip(answers, data.examples).filter { $0.label == $1.label }.count
        #expect(right >= data.count * 9 / 10, "\(right) of \(data.count)")
    }

    /// A text with no token in the table embeds as zeros: its answer is still a distribution
    /// (the head's bias alone), and its record flags every token unknown for drift.
    @Test func aTextOfUnknownTokensIsAnsweredAndFlagged() async throws {
        let folder = try Fixtures.scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let bundleFolder = folder.appendingPathComponent("bundle").path
        _ = try ClassifierTraining.frozenHead(
            ClassifierRecipe(head: .logistic, inverseRegularizations: [1]), on: try Fixtures.dataset(),
            options: TrainingOptions(base: try Fixtures.staticModel(), bundleFolder: bundleFolder))
        let bundle = try ModelBundle(folder: bundleFolder)
        let texts = ["\u{1F99C}\u{1F99C}\u{1F99C}", "", "I lost my card"]
        let records = try await bundle.predictionRecords(for: texts, includingEmbeddings: true)
        #expect(records[0].unknownTokenRate == 1)
        #expect(records[0].embedding?.allSatisfy { $0 == 0 } == true)
        #expect(records[1].embedding?.allSatisfy { $0 == 0 } == true)
        #expect(records[2].unknownTokenRate == 0)
        #expect(records[2].embedding?.contains { $0 != 0 } == true)
        for record in records {
            #expect(record.confidence.isFinite && record.confidence > 0)
            #expect(abs(record.probabilities.values.reduce(0, +) - 1) < 1e-6)
        }
    }

    /// The recipes that change a transformer say a static model is not one before doing anything.
    @Test func refusesWhatNeedsATransformer() throws {
        let folder = try Fixtures.scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let base = try Fixtures.staticModel()
        let data = try Fixtures.dataset()
        let options = TrainingOptions(base: base, bundleFolder: folder.appendingPathComponent("b").path)
        for train in [
            { try ClassifierTraining.lora(Fixtures.smallLoRA, on: data, options: options) },
            { try ClassifierTraining.tinyTransformer(Fixtures.smallTransformer, on: data, options: options) },
        ] as [() throws -> TrainedClassifier] {
            #expect {
                _ = try train()
            } throws: { error in
                guard case TrainingError.invalidConfiguration(let reason) = error else { return false }
                return reason.contains("is a static model")
            }
        }
        #expect(!FileManager.default.fileExists(atPath: options.bundleFolder!))

    }

    /// A quantized table: the bundle file shrinks (int8: a byte a value and a scale a row,
    /// against float16's two bytes), reopens as the same model, and answers as the float model
    /// does on these texts; leaving the table out of the filter leaves nothing to quantize.
    @Test(arguments: [QuantizationFormat.int8, .int4(groupSize: 32)])
    func quantizesTheTable(_ format: QuantizationFormat) async throws {
        let folder = try Fixtures.scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let base = try Fixtures.staticModel()
        let data = try Fixtures.dataset()
        let floatFolder = folder.appendingPathComponent("float").path
        _ = try ClassifierTraining.frozenHead(
            ClassifierRecipe(head: .logistic, inverseRegularizations: [10]), on: data,
            options: TrainingOptions(base: base, bundleFolder: floatFolder))
        let float = try ClassifierBundle(folder: floatFolder)
        let quantized = try QuantizedBundle(quantizing: float, to: format)
        let quantizedFolder = folder.appendingPathComponent("quantized").path
        try quantized.save(to: quantizedFolder)

        func size(_ bundle: String) throws -> Int {
            try #require(
                FileManager.default.attributesOfItem(atPath: bundle + "/encoder/model.safetensors")[.size] as? Int)
        }
        let table = try #require(float.embeddingClassifier?.embedder as? StaticEmbedder).table
        let halfBytes = table.scalars.count * 2
        #expect(abs(try size(floatFolder) - halfBytes) < halfBytes / 100)
        #expect(try size(quantizedFolder) < halfBytes * (format == .int8 ? 55 : 30) / 100)

        let reopened = try ModelBundle(folder: quantizedFolder)
        #expect(reopened.weights == .quantized(format))
        #expect(reopened.kind == .logisticHead)
        #expect(reopened.version == quantized.version && reopened.version != float.version)
        let reopenedTable = try #require(reopened.embedder as? StaticEmbedder).table
        #expect(reopenedTable == (quantized.classifier.embedder as? StaticEmbedder)?.table)
        // Every value within half a step of its row's (or group's) scale: the int8 step is the
        // row's largest magnitude over 127.
        let width = table.shape[1]
        if format == .int8 {
            for row in stride(from: 0, to: table.shape[0], by: 997) {
                let values = table.scalars[(row * width)..<((row + 1) * width)]
                let step = (values.map(abs).max() ?? 0) / 127
                for j in 0..<width {
                    #expect(abs(reopenedTable.scalars[row * width + j] - values[row * width + j]) <= step / 2 + 1e-7)
                }
            }
        }
        let texts = data.examples.map(\.text) + Fixtures.probes
        let floatAnswers = try await float.classifier.classify(texts)
        let quantizedAnswers = try await reopened.classify(texts)
        #expect(floatAnswers.map(\.label) == quantizedAnswers.map(\.label))
        // The in-memory route gives the same answers as the bundle.
        let inMemory = try #require(try float.embeddingClassifier?.quantized(format))
        #expect(try await inMemory.classify(texts).map(\.label) == quantizedAnswers.map(\.label))

        #expect(throws: QuantizationError.self) {
            try QuantizedBundle(quantizing: float, to: format) { $0 != QuantizedBundle.wordEmbeddingsKey }
        }
    }
}
