import Foundation
import SquireModels

/// The shared reference outputs (`../shared/reference`, beside the repository) and the
/// pretrained model folder. Tests that need them are skipped, with a message saying how
/// to get them, when they are missing.
enum ReferenceData {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    static let shared = repository.deletingLastPathComponent().appendingPathComponent("shared")
    static let reference = shared.appendingPathComponent("reference")
    static let modelFolder = ModelFolder.allMiniLML6V2

    static var hasReference: Bool {
        FileManager.default.fileExists(atPath: reference.appendingPathComponent("tokens.jsonl").path)
    }
    static var hasModel: Bool { FileManager.default.fileExists(atPath: modelFolder + "/model.safetensors") }
    static let missingReference = "needs ../shared/reference beside the repository"
    static let missingModel = "needs all-MiniLM-L6-v2: run Scripts/setup/fetch-model.sh (or set SQUIRE_MODEL_DIR)"

    struct Text: Decodable {
        var id: Int
        var text: String
        var source: String
    }
    struct Tokens: Decodable {
        var id: Int
        var ids: [Int]
        var ids_truncated: [Int]
    }

    static func lines<T: Decodable>(_ name: String, as type: T.Type) throws -> [T] {
        let data = try Data(contentsOf: reference.appendingPathComponent(name))
        return try data.split(separator: UInt8(ascii: "\n")).map { try JSONDecoder().decode(T.self, from: Data($0)) }
    }

    static func texts() throws -> [Text] { try lines("texts.jsonl", as: Text.self) }
    static func tokens() throws -> [Tokens] { try lines("tokens.jsonl", as: Tokens.self) }

    /// The sentence-transformers embeddings, `[1477, 384]`.
    static func embeddings() throws -> SafetensorsFile {
        try SafetensorsFile(path: reference.appendingPathComponent("embeddings.safetensors").path)
    }

    static let tokenizer: WordPieceTokenizer? = try? WordPieceTokenizer(folder: modelFolder)
    static let embedder: SentenceEmbedder? = try? SentenceEmbedder(folder: modelFolder)
}
