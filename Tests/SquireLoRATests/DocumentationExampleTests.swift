import Foundation
import SquireCore
import SquireLoRA
import SquireModels
import Testing

/// Keeps the example in Documentation/SquireLoRA.md compiling and true; edit both together.
@Suite(
    .enabled(
        if: RealBase.embedder != nil,
        "needs all-MiniLM-L6-v2: run Scripts/setup/fetch-model.sh (or set SQUIRE_MODEL_DIR)"))
struct DocumentationExampleTests {
    @Test func fineTunesShipsAndServesAnAdapter() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "squire-lora-doc-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let bundlePath = folder.path

        let base = try SentenceEmbedder(folder: ModelFolder.allMiniLML6V2)
        let texts = ["I lost my card", "my card was stolen", "where is my refund", "I want my money back"]
        let labels = ["card", "card", "refund", "refund"]

        // Rank-8 adapters on query and value, a classifier warm-started from a linear probe.
        var recipe = LoRAClassifier.Recipe(
            adapter: LoRAConfiguration(rank: 8, alpha: 16, dropout: 0.1, targetModules: ["query", "value"]))
        recipe.training.epochs = 2
        let (model, _) = try LoRAClassifier.fit(
            texts: texts, labels: labels, base: base,
            validation: (["card gone", "refund please"], ["card", "refund"]), recipe: recipe)
        let answer = try await model.classify("someone took my card")  // a TextClassifier like any other
        let (trainable, total) = model.trainableParameterCount  // 0.5% of the model trains

        // Ship it: the adapter in PEFT's format beside the base encoder, with a SHA-256 manifest.
        let card = ModelCard(
            name: "intents", intendedUse: "Route support requests.", trainingData: "inline",
            labelCounts: ["card": 2, "refund": 2], method: "LoRA r=8 on query, value")
        try LoRABundle(classifier: model, card: card, encoderFolder: ModelFolder.allMiniLML6V2).save(to: bundlePath)

        // Serve several adapters over one base in memory, chosen by name per call.
        var models = try AdapterSet(baseFolder: ModelFolder.allMiniLML6V2)
        try models.addBundle(at: bundlePath, named: "intents")
        let served = try await models["intents"]!.classify("someone took my card")

        // Or fold the adapters into the weights: a plain EmbeddingClassifier at the base's speed.
        let merged = try model.merged()

        #expect(answer.label == "card")
        #expect(Double(trainable) / Double(total) < 0.01)
        #expect(served == answer)
        #expect(try await merged.classify("someone took my card").label == "card")
    }
}
