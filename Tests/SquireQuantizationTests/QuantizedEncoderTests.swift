import Foundation
import SquireModels
import SquireQuantization
import SquireTensor
import Testing

enum RealModel {
    static let embedder = try? SentenceEmbedder(folder: ModelFolder.allMiniLML6V2)
    static let referenceTexts = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared/reference/texts.jsonl")

    /// Every fifth text of `../shared/reference/texts.jsonl` (hard cases included).
    static func texts() throws -> [String] {
        struct Line: Decodable { var text: String }
        let data = try Data(contentsOf: referenceTexts)
        let lines = try data.split(separator: UInt8(ascii: "\n")).map {
            try JSONDecoder().decode(Line.self, from: Data($0)).text
        }
        return stride(from: 0, to: lines.count, by: 5).map { lines[$0] }
    }
}

@Suite(
    .enabled(
        if: RealModel.embedder != nil,
        "needs all-MiniLM-L6-v2: run Scripts/setup/fetch-model.sh (or set SQUIRE_MODEL_DIR)"))
struct QuantizedEncoderTests {
    @Test func filterKeepsChosenLayersInFloat() throws {
        let base = try #require(RealModel.embedder).encoder
        let quantized = try base.quantized(.int8) { key, _ in !key.hasSuffix("output.dense") }
        for (index, layer) in quantized.layers.enumerated() {
            for (name, linear) in layer.linearLayers {
                let float = name.hasSuffix("output.dense")
                #expect((linear is Linear) == float && (linear is QuantizedLinear) == !float, "layer \(index) \(name)")
            }
        }
        // Quantizing again leaves quantized layers alone.
        let twice = try quantized.quantized(.int4(groupSize: 32))
        #expect(
            twice.layers[0].linearLayers.first { $0.name.hasSuffix("query") }.map {
                ($0.layer as? QuantizedLinear)?.weight.format
            } == .int8)
        // The projections' weights: int8 is a quarter of float plus one scale per row.
        let all = try base.quantized(.int8)
        let ratio = Double(all.projectionWeightBytes) / Double(base.projectionWeightBytes)
        #expect(ratio > 0.25 && ratio < 0.252, "int8 / float32 weight bytes \(ratio)")
        let int4 = try base.quantized(.int4(groupSize: 32))
        let ratio4 = Double(int4.projectionWeightBytes) / Double(base.projectionWeightBytes)
        #expect(ratio4 > 0.15 && ratio4 < 0.16, "int4 / float32 weight bytes \(ratio4)")
    }

    /// Embedding cosine to float over 296 reference texts. Int8 holds the targets
    /// (mean ≥ 0.99, minimum ≥ 0.98; measured 0.9969 and 0.984 with the VNNI kernel, 0.9983
    /// and 0.9917 with AVX2's 7 bits per 64 values). Int4 in groups of 32
    /// measured mean 0.9696 and minimum 0.904, short of the 0.97 mean: the bounds
    /// here guard against regressions, not the target.
    @Test(
        .enabled(
            if: FileManager.default.fileExists(atPath: RealModel.referenceTexts.path),
            "needs ../shared/reference beside the repository"))
    func quantizedEmbeddingsStayCloseToFloat() throws {
        let embedder = try #require(RealModel.embedder)
        let texts = try RealModel.texts()
        let exact = try embedder.embeddings(for: texts)
        for (format, mean, minimum) in [(QuantizationFormat.int8, 0.99, 0.98), (.int4(groupSize: 32), 0.965, 0.90)] {
            // What a quantized bundle ships: projections and word embeddings quantized.
            let approximate = try QuantizedBundle(quantizing: QuantizedBundleTests.bundle(), to: format).classifier
                .embedder.embeddings(for: texts)
            let cosines = (0..<texts.count).map { row in
                // Both are L2-normalized, so the dot product is the cosine.
                (0..<384).reduce(0.0) {
                    $0 + Double(exact.scalars[row * 384 + $1]) * Double(approximate.scalars[row * 384 + $1])
                }
            }
            let average = cosines.reduce(0, +) / Double(cosines.count)
            // The figures Documentation/SquireQuantization.md quotes, per kernel.
            print(
                "\(format), \(QuantizedKernel.best.summary): mean cosine \(average), minimum \(cosines.min()!) over \(texts.count) texts"
            )
            #expect(average >= mean, "\(format): mean cosine \(average) over \(texts.count) texts")
            #expect(cosines.min()! >= minimum, "\(format): minimum cosine \(cosines.min()!)")
        }
    }
}
