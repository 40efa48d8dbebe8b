import Foundation
import SquireCore
public import SquireTensor

/// A sentence-transformers model (tokenizer, BERT encoder, pooling, normalization) that
/// embeds texts with no Python anywhere, and gives the same vectors sentence-transformers does.
///
/// ```swift
/// let embedder = try SentenceEmbedder(folder: ModelFolder.allMiniLML6V2)
/// let vectors = try await embedder.embed(["Where is my card?", "I lost my card"])
/// ```
///
/// A value: safe to share and to call from many tasks at once.
public struct SentenceEmbedder: LocalEmbedder {
    /// Turns text into token ids.
    public let tokenizer: WordPieceTokenizer
    /// Turns token ids into hidden states.
    public let encoder: BertEncoder
    /// Turns hidden states into one vector per text.
    public let pooling: Pooling
    /// Whether vectors are scaled to unit length (the `Normalize` module), making dot products cosines.
    public let normalizes: Bool
    /// How many texts go through the encoder at once; bounds memory for long inputs.
    public var batchSize = 32

    public var dimension: Int { encoder.configuration.hiddenSize }

    /// The tokenizer's ``WordPieceTokenizer/maximumLength``, special tokens included.
    public var maximumTokens: Int { tokenizer.maximumLength }

    /// Loads the model folder at `folder`: `config.json`, `model.safetensors`, the tokenizer
    /// files, and, when present, `modules.json`, `1_Pooling/config.json` and `sentence_bert_config.json`.
    public init(folder: String) throws {
        let configuration = try BertConfiguration(contentsOf: folder + "/config.json")
        let weights = folder + "/model.safetensors"
        guard FileManager.default.fileExists(atPath: weights) else { throw ModelLoadingError.missingFile(weights) }
        let modules = try SentenceTransformersModules(folder: folder)
        let tokenizer = try WordPieceTokenizer(folder: folder)
        // A vocabulary of another size than the embedding table comes from another model: its
        // ids would pick the wrong rows, silently.
        guard tokenizer.vocabularySize == configuration.vocabularySize else {
            let file =
                FileManager.default.fileExists(atPath: folder + "/tokenizer.json") ? "tokenizer.json" : "vocab.txt"
            throw ModelLoadingError.invalidConfiguration(
                file: folder + "/" + file,
                reason:
                    "it holds \(tokenizer.vocabularySize) tokens but config.json's vocab_size is \(configuration.vocabularySize); the tokenizer and the model come from different models"
            )
        }
        try self.init(
            tokenizer: tokenizer,
            encoder: BertEncoder(checkpoint: SafetensorsFile(path: weights), configuration: configuration),
            pooling: modules.pooling, normalizes: modules.normalizes)
    }

    /// The tokenizer and pooling of the model folder at `folder` over `encoder`, for
    /// checkpoints (quantized ones) that ``init(folder:)`` cannot read.
    package init(folder: String, encoder: BertEncoder) throws {
        let modules = try SentenceTransformersModules(folder: folder)
        try self.init(
            tokenizer: WordPieceTokenizer(folder: folder), encoder: encoder, pooling: modules.pooling,
            normalizes: modules.normalizes)
    }

    /// Assembles an embedder from its parts.
    public init(tokenizer: WordPieceTokenizer, encoder: BertEncoder, pooling: Pooling = .mean, normalizes: Bool = true)
        throws
    {
        guard tokenizer.vocabularySize <= encoder.configuration.vocabularySize else {
            throw ModelLoadingError.incompatibleParts(
                "the tokenizer has \(tokenizer.vocabularySize) ids but the encoder's embedding table only \(encoder.configuration.vocabularySize) rows"
            )
        }
        self.tokenizer = tokenizer
        self.encoder = encoder
        self.pooling = pooling
        self.normalizes = normalizes
    }

    /// The same tokenizer, pooling, normalization and batch size over another encoder (an
    /// adapted, merged or quantized one).
    public func replacingEncoder(_ encoder: BertEncoder) throws -> SentenceEmbedder {
        var embedder = try SentenceEmbedder(
            tokenizer: tokenizer, encoder: encoder, pooling: pooling, normalizes: normalizes)
        embedder.batchSize = batchSize
        return embedder
    }

    public func embed(_ texts: [String]) async throws -> [[Float]] {
        let matrix = try embeddings(for: texts)
        return (0..<texts.count).map { Array(matrix.scalars[($0 * dimension)..<(($0 + 1) * dimension)]) }
    }

    /// The embeddings of `texts` as one `[B, D]` tensor, computed on the calling thread.
    ///
    /// - Parameter progress: called after each batch of ``batchSize`` texts with the number
    ///   embedded so far.
    /// - Throws: `CancellationError` when the surrounding task is cancelled, checked between
    ///   batches.
    public func embeddings(for texts: [String], progress: (_ done: Int) -> Void = { _ in }) throws -> Tensor {
        var rows: [Float] = []
        rows.reserveCapacity(texts.count * dimension)
        var start = 0
        while start < texts.count {
            try Task.checkCancellation()
            let batch = texts[start..<min(start + max(batchSize, 1), texts.count)]
            rows += try embeddings(forEncoded: batch.map { tokenizer.encode($0).ids }).scalars
            start += batch.count
            progress(start)
        }
        return try Tensor(shape: [texts.count, dimension], scalars: rows)
    }

    /// The embeddings of already tokenized sequences, `[B, D]`.
    public func embeddings(forEncoded sequences: [[Int]]) throws -> Tensor {
        let (states, ranges) = try encoder.hiddenStates(for: sequences)
        let pooled = try pooling.pool(states, sequences: ranges)
        return normalizes ? try pooled.l2Normalized() : pooled
    }
}

/// What `modules.json` and `1_Pooling/config.json` say about the pipeline after the encoder.
struct SentenceTransformersModules {
    var pooling: Pooling = .mean
    var normalizes = true

    init(folder: String) throws {
        let modulesPath = folder + "/modules.json"
        // A bare BERT folder: mean pooling, then normalize.
        guard let data = FileManager.default.contents(atPath: modulesPath) else { return }
        struct Module: Decodable {
            var type: String
            var path: String
        }
        let modules: [Module]
        do {
            modules = try JSONDecoder().decode([Module].self, from: data)
        } catch {
            throw ModelLoadingError.invalidConfiguration(file: modulesPath, reason: "not a modules.json list")
        }
        normalizes = modules.contains { $0.type.hasSuffix(".Normalize") }
        for module in modules
        where
            !(module.type.hasSuffix(".Transformer") || module.type.hasSuffix(".Pooling")
            || module.type.hasSuffix(".Normalize"))
        {
            throw ModelLoadingError.invalidConfiguration(
                file: modulesPath, reason: "module \(module.type) is not supported")
        }
        guard let poolingModule = modules.first(where: { $0.type.hasSuffix(".Pooling") }) else { return }
        let poolingPath = folder + "/" + poolingModule.path + "/config.json"
        struct PoolingConfig: Decodable {
            var classifierToken: Bool?
            var meanTokens: Bool?
            var maxTokens: Bool?
            var meanSquareRootLengthTokens: Bool?
            enum CodingKeys: String, CodingKey {
                case classifierToken = "pooling_mode_cls_token"
                case meanTokens = "pooling_mode_mean_tokens"
                case maxTokens = "pooling_mode_max_tokens"
                case meanSquareRootLengthTokens = "pooling_mode_mean_sqrt_len_tokens"
            }
        }
        guard let poolingData = FileManager.default.contents(atPath: poolingPath),
            let config = try? JSONDecoder().decode(PoolingConfig.self, from: poolingData)
        else {
            throw ModelLoadingError.invalidConfiguration(
                file: poolingPath, reason: "missing or not a pooling configuration")
        }
        let modes: [(Bool?, Pooling)] = [
            (config.meanTokens, .mean), (config.classifierToken, .classifierToken),
            (config.maxTokens, .max), (config.meanSquareRootLengthTokens, .meanSquareRootLength),
        ]
        let chosen = modes.filter { $0.0 == true }.map(\.1)
        guard chosen.count == 1 else {
            throw ModelLoadingError.invalidConfiguration(
                file: poolingPath, reason: "exactly one pooling mode must be on (found \(chosen.count))")
        }
        pooling = chosen[0]
    }
}
