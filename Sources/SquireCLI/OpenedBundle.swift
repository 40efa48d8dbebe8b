import Foundation
import SquireCore
import SquireLoRA
import SquireModels
import SquireQuantization
import SquireTensor

/// A bundle of any kind `squire train` or `squire quantize` writes (a head on the frozen
/// encoder, a tiny transformer, a LoRA fine-tune, or a quantized encoder with its head),
/// opened for the commands that run one.
struct OpenedBundle: Sendable {
    let classifier: any TextClassifier
    let tokenizer: WordPieceTokenizer
    let version: String
    /// How the encoder's weights are stored: `float32`, or the quantization format.
    let weights: String
    /// The sentence embedder and the answers from its embeddings, when the model has one;
    /// a tiny transformer has none.
    let embedding: (embedder: SentenceEmbedder, classify: @Sendable (Tensor) throws -> [Classification])?

    init(folder: String) throws {
        struct Peek: Decodable {
            struct Head: Decodable { var type: String }
            var head: Head
            var quantization: String?
        }
        let peek = FileManager.default.contents(atPath: folder + "/config.json").flatMap {
            try? JSONDecoder().decode(Peek.self, from: $0)
        }
        if peek?.quantization != nil {
            let bundle = try QuantizedBundle(folder: folder)
            let model = bundle.classifier
            classifier = model
            tokenizer = model.embedder.tokenizer
            version = bundle.version
            weights = bundle.format.description
            embedding = (model.embedder, model.classifications(forEmbeddings:))
        } else if peek?.head.type == "lora" {
            let bundle = try LoRABundle(folder: folder)
            let model = bundle.classifier
            classifier = model
            tokenizer = model.embedder.tokenizer
            version = bundle.version
            weights = "float32"
            embedding = (model.embedder, model.classifications(forEmbeddings:))
        } else {
            let bundle = try ClassifierBundle(folder: folder)
            classifier = bundle.classifier
            tokenizer = bundle.tokenizer
            version = bundle.version
            weights = "float32"
            embedding = bundle.embeddingClassifier.map { ($0.embedder, $0.classifications(forEmbeddings:)) }
        }
    }
}
