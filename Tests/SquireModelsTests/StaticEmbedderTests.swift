import Foundation
import SquireCore
import SquireModels
import SquireTensor
import Testing

/// model2vec's outputs for the static tier, made by Scripts/fixtures/make-static-fixtures.py
/// (model2vec 0.10.0 distilling all-MiniLM-L6-v2 to 256 dimensions): sampled table rows and
/// `encode` of 46 texts.
struct StaticReference: Decodable {
    struct Row: Decodable {
        var token: String
        var id: Int
        var row: [Float]
    }
    struct Table: Decodable {
        var shape: [Int]
        var rows: [Row]
    }
    struct Case: Decodable {
        var name: String
        var text: String
        var ids: [Int]
        /// model2vec's output: float16 values.
        var vector: [Float]
        /// The same maths without float16 rounding (numpy float32).
        var vector_float32: [Float]
    }
    struct Encode: Decodable { var cases: [Case] }

    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/static")
    static let table: Table = try! JSONDecoder().decode(
        Table.self, from: Data(contentsOf: folder.appendingPathComponent("table.json")))
    static let encode: Encode = try! JSONDecoder().decode(
        Encode.self, from: Data(contentsOf: folder.appendingPathComponent("encode.json")))

    /// A static model with model2vec's vocabulary (derived from the base tokenizer) and a table
    /// holding only the fixture's rows, which are every row the encode cases use.
    static func sparseModel() throws -> StaticEmbedder {
        let base = try WordPieceTokenizer(folder: ReferenceData.modelFolder)
        let (tokenizer, _) = try base.staticVocabulary()
        var scalars = [Float](repeating: 0, count: table.shape[0] * table.shape[1])
        for row in table.rows {
            for (j, value) in row.row.enumerated() { scalars[row.id * table.shape[1] + j] = value }
        }
        return try StaticEmbedder(
            table: try Tensor(shape: table.shape, scalars: scalars), tokenizer: tokenizer, normalizes: true)
    }
}

@Suite(.enabled(if: ReferenceData.hasModel, "\(ReferenceData.missingModel)"))
struct StaticEmbedderTests {
    /// The vocabulary model2vec keeps (no [unusedN], [CLS], [SEP], [MASK]), renumbered in order.
    @Test func theVocabularyIsModel2VecsAndItsIds() throws {
        let model = try StaticReference.sparseModel()
        #expect(model.tokenizer.vocabularySize == StaticReference.table.shape[0])
        for row in StaticReference.table.rows {
            #expect(model.tokenizer.token(for: row.id) == row.token, "id \(row.id)")
        }
        #expect(model.tokenizer.classifierID == nil)
        #expect(model.maximumScalars == 512 * 6)
    }

    /// Squire's sentence vectors equal model2vec's `encode` maths to 1e-5 (model2vec's own
    /// output, float16, is reproduced from Squire's means within one float16 step), on ordinary and edge-case texts (empty, unknown
    /// only, over 512 tokens, over the 3,072-scalar cut, literal special tokens).
    @Test func encodesAsModel2VecDoes() throws {
        let model = try StaticReference.sparseModel()
        let cases = StaticReference.encode.cases
        let vectors = try model.embeddings(for: cases.map(\.text))
        for (index, reference) in cases.enumerated() {
            #expect(model.tokenIDs(of: reference.text) == reference.ids, "\(reference.name)")
            let row = Array(vectors.scalars[(index * 256)..<((index + 1) * 256)])
            let worst = zip(row, reference.vector_float32).map { abs($0 - $1) }.max() ?? 0
            #expect(worst <= 1e-5, "\(reference.name): max |Δ| \(worst) against model2vec's float32 maths")
        }
        // model2vec's own output is float16: it rounds the mean, then the normalized vector.
        // Rounding Squire's unnormalized means the same way gives its values, within one
        // float16 step (numpy sums the norm in another order).
        let raw = try StaticEmbedder(table: model.table, tokenizer: model.tokenizer, normalizes: false)
        let means = try raw.embeddings(for: cases.map(\.text))
        for (index, reference) in cases.enumerated() {
            let mean = means.scalars[(index * 256)..<((index + 1) * 256)].map { Float(Float16($0)) }
            let norm = mean.map { $0 * $0 }.reduce(0, +).squareRoot() + 1e-32
            for (value, expected) in zip(mean.map { Float(Float16($0 / norm)) }, reference.vector) {
                #expect(abs(value - expected) <= Float(Float16(expected).ulp), "\(reference.name)")
            }
        }
        // No known token: zeros, and said so.
        let empty = try #require(cases.firstIndex { $0.name == "unknown-snowmen" })
        #expect(vectors.scalars[(empty * 256)..<((empty + 1) * 256)].allSatisfy { $0 == 0 })
        #expect(model.knownTokenCount(of: cases[empty].text) == 0)
    }

    /// A saved model loads back with the same vectors, and refuses damaged parts by name.
    @Test func savesAndLoadsModel2VecsFormat() async throws {
        let model = try StaticReference.sparseModel()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("static-\(UUID())")
        defer { try? FileManager.default.removeItem(at: folder) }
        try model.save(to: folder.path)
        #expect(StaticEmbedder.isModelFolder(folder.path))
        let loaded = try StaticEmbedder(folder: folder.path)
        let texts = StaticReference.encode.cases.map(\.text)
        #expect(try loaded.embeddings(for: texts).scalars == model.embeddings(for: texts).scalars)
        #expect(try await loaded.embed(["How do I locate my card?"]).first?.count == 256)

        // A config whose width disagrees with the table.
        let config = folder.appendingPathComponent("config.json")
        var object = try #require(JSONSerialization.jsonObject(with: Data(contentsOf: config)) as? [String: Any])
        object["hidden_dim"] = 128
        try JSONSerialization.data(withJSONObject: object).write(to: config)
        #expect { try StaticEmbedder(folder: folder.path) } throws: { "\($0)".contains("hidden_dim is 128") }
        // A table whose rows are not the tokenizer's vocabulary.
        #expect(throws: StaticModelError.self) {
            try StaticEmbedder(table: try Tensor.zeros([10, 4]), tokenizer: model.tokenizer)
        }
        // The encoder's own tokenizer adds [CLS] and [SEP], which would be averaged in.
        let base = try WordPieceTokenizer(folder: ReferenceData.modelFolder)
        #expect { try StaticEmbedder(table: try Tensor.zeros([base.vocabularySize, 4]), tokenizer: base) } throws: {
            "\($0)".contains("adds [CLS] and [SEP]")
        }
        #expect(throws: StaticModelError.self) { try StaticEmbedder(folder: folder.path + "-missing") }
    }

    /// Squire's distillation of all-MiniLM-L6-v2 against model2vec's `distill` with the same
    /// settings: every fixture row (both stored as float16) at cosine ≥ 0.999 — compared
    /// directly, since both fix each component's sign the same way (its largest-magnitude
    /// score positive).
    @Test func distillsAsModel2VecDoes() throws {
        let encoder = try SentenceEmbedder(folder: ReferenceData.modelFolder)
        let model = try StaticDistillation(dimensions: 256).distill(from: encoder)
        #expect(model.table.shape == StaticReference.table.shape)
        var worst: Float = 1
        for reference in StaticReference.table.rows {
            let row = Array(model.table.scalars[(reference.id * 256)..<((reference.id + 1) * 256)])
            let dot = zip(row, reference.row).map(*).reduce(0, +)
            let norms = (row.map { $0 * $0 }.reduce(0, +) * reference.row.map { $0 * $0 }.reduce(0, +)).squareRoot()
            worst = min(worst, dot / norms)
        }
        #expect(worst >= 0.999, "the least similar row has cosine \(worst)")
    }
}
