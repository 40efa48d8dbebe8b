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

    /// The recipes that change a transformer, and quantizing an encoder, say a static model
    /// is not one before doing anything.
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

        let bundleFolder = folder.appendingPathComponent("bundle").path
        _ = try ClassifierTraining.frozenHead(
            ClassifierRecipe(head: .logistic, inverseRegularizations: [1]), on: data,
            options: TrainingOptions(base: base, bundleFolder: bundleFolder))
        let bundle = try ClassifierBundle(folder: bundleFolder)
        #expect(throws: BundleError.self) { try QuantizedBundle(quantizing: bundle, to: .int8) }
        #expect(throws: QuantizationError.self) { try bundle.embeddingClassifier?.quantized(.int8) }
    }
}
