import Foundation
import SquireCore
import SquireModels
import SquireQuantization
import SquireTensor
import Testing

@Suite(
    .enabled(
        if: RealModel.embedder != nil,
        "needs all-MiniLM-L6-v2: run Scripts/setup/fetch-model.sh (or set SQUIRE_MODEL_DIR)"))
struct QuantizedBundleTests {
    static let texts = [
        "where is my card?", "I want a refund for this order", "change my address please", "¿dónde está mi tarjeta?",
        "",
    ]

    static func bundle() throws -> ClassifierBundle {
        let embedder = try #require(RealModel.embedder)
        var generator = SeededGenerator(seed: 21)
        let head = try LogisticHead(
            weight: Tensor.normal([3, 384], standardDeviation: 3, using: &generator), bias: Tensor.zeros([3]),
            labels: ["address", "card", "refund"])
        let card = ModelCard(
            name: "quantized-test", intendedUse: "tests", trainingData: "none", labelCounts: [:], method: "random head",
            evaluation: [:], evaluationData: "none", limitations: [])
        return ClassifierBundle(
            classifier: try EmbeddingClassifier(embedder: embedder, head: head), card: card,
            encoderFolder: ModelFolder.allMiniLML6V2)
    }

    static func scratch() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "squire-quantized-bundle-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    static func fileSize(_ path: String) throws -> Int {
        try #require(FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
    }

    @Test(arguments: [QuantizationFormat.int8, .int4(groupSize: 32), .int4(groupSize: 128)])
    func roundTripAnswersIdenticallyAndShrinksTheEncoder(format: QuantizationFormat) async throws {
        let folder = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let quantized = try QuantizedBundle(quantizing: Self.bundle(), to: format)
        try quantized.save(to: folder.path)
        let loaded = try QuantizedBundle(folder: folder.path)
        #expect(loaded.format == format)
        #expect(loaded.version == quantized.version)
        #expect(loaded.quantizedWords == quantized.quantizedWords && loaded.quantizedWords != nil)
        let before = try quantized.classifier.embedder.embeddings(for: Self.texts)
        let after = try loaded.classifier.embedder.embeddings(for: Self.texts)
        #expect(before == after, "the loaded encoder computes exactly what the saved one did")
        let labels = try await loaded.classifier.classify(Self.texts).map(\.label)
        #expect(try await quantized.classifier.classify(Self.texts).map(\.label) == labels)

        // The size targets, against the float checkpoint: ≤ 27% for int8, ≤ 16% for int4.
        let ratio =
            Double(try Self.fileSize(folder.path + "/encoder/model.safetensors"))
            / Double(try Self.fileSize(ModelFolder.allMiniLML6V2 + "/model.safetensors"))
        #expect(ratio <= (format == .int8 ? 0.27 : 0.16), "\(format): \(ratio) of the float checkpoint")
        #expect(ratio >= (format == .int8 ? 0.24 : 0.13), "\(format): \(ratio) is smaller than its integers alone")
    }

    @Test func filterKeepsTheEmbeddingsInFloat() throws {
        let folder = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let quantized = try QuantizedBundle(quantizing: Self.bundle(), to: .int8) {
            $0 != QuantizedBundle.wordEmbeddingsKey
        }
        #expect(quantized.quantizedWords == nil)
        try quantized.save(to: folder.path)
        let loaded = try QuantizedBundle(folder: folder.path)
        #expect(loaded.quantizedWords == nil)
        #expect(
            (loaded.classifier.embedder as? SentenceEmbedder)?.encoder.embeddings.words
                == RealModel.embedder?.encoder.embeddings.words)
    }

    @Test func aBundleWithEverythingKeptInFloatStillLoads() async throws {
        let folder = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        try QuantizedBundle(quantizing: Self.bundle(), to: .int4(groupSize: 64)) { _ in false }.save(to: folder.path)
        let loaded = try QuantizedBundle(folder: folder.path)
        #expect(loaded.format == .int4(groupSize: 64) && loaded.quantizedWords == nil)
        let float = try Self.bundle().classifier
        #expect(try await loaded.classifier.classify(Self.texts) == float.classify(Self.texts))
        for format in [QuantizationFormat.int8, .int4(groupSize: 32), .int4(groupSize: 64), .int4(groupSize: 128)] {
            #expect(QuantizationFormat(tag: format.tag) == format)
        }
        #expect(QuantizationFormat(tag: "int4") == nil)
    }

    @Test func otherLoadersRefuseAndDamageIsCaught() throws {
        let folder = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        try QuantizedBundle(quantizing: Self.bundle(), to: .int4(groupSize: 32)).save(to: folder.path)
        #expect(throws: BundleError.self) { try ClassifierBundle(folder: folder.path) }

        let float = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: float) }
        try Self.bundle().save(to: float.path)
        #expect(throws: BundleError.self) { try QuantizedBundle(folder: float.path) }

        // One flipped byte in the quantized weights fails the manifest's checksum.
        let weights = folder.path + "/encoder/model.safetensors"
        var bytes = try Data(contentsOf: URL(fileURLWithPath: weights))
        bytes[bytes.count - 100] ^= 0x40
        try bytes.write(to: URL(fileURLWithPath: weights))
        #expect(throws: BundleError.self) { try QuantizedBundle(folder: folder.path) }
        // A truncated file too.
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: weights))
        #expect(throws: BundleError.self) { try QuantizedBundle(folder: folder.path) }
    }
}
