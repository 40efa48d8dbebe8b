import Foundation
import SquireCore
import SquireModels
import SquireQuantization
import SquireTensor
import Testing

/// Keeps the example in Documentation/SquireQuantization.md compiling and true; edit both together.
@Suite(
    .enabled(
        if: RealModel.embedder != nil,
        "needs all-MiniLM-L6-v2: run Scripts/setup/fetch-model.sh (or set SQUIRE_MODEL_DIR)"))
struct DocumentationExampleTests {
    @Test func quantizesShipsAndReloadsABundle() async throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent(
            "squire-quantization-doc-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let floatBundlePath = scratch.appendingPathComponent("float").path
        let int8BundlePath = scratch.appendingPathComponent("int8").path
        try QuantizedBundleTests.bundle().save(to: floatBundlePath)

        // A bundle from `squire train` (a logistic or MLP head on the frozen encoder).
        let bundle = try ClassifierBundle(folder: floatBundlePath)

        // int8: one scale per output channel. int4: one binary16 scale per 32 values (Q4_0's layout).
        let int8 = try QuantizedBundle(quantizing: bundle, to: .int8)
        try int8.save(to: int8BundlePath)  // encoder file: about a quarter of float

        // Keep chosen parts in float: the filter sees checkpoint keys.
        let int4 = try QuantizedBundle(quantizing: bundle, to: .int4(groupSize: 32)) { key in
            key != QuantizedBundle.wordEmbeddingsKey
        }
        let reloaded = try QuantizedBundle(folder: int8BundlePath)  // checksums verified first
        let answer = try await reloaded.classifier.classify("where is my card?")  // a TextClassifier

        // Or quantize in memory, without a bundle.
        let embedder = try SentenceEmbedder(folder: ModelFolder.allMiniLML6V2).quantized(.int8)
        let vectors = try embedder.embeddings(for: ["where is my card?"])

        #expect(int4.quantizedWords == nil && int8.quantizedWords != nil)
        #expect(try await int8.classifier.classify("where is my card?") == answer)
        #expect(vectors.shape == [1, 384])
    }
}
