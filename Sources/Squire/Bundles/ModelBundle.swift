import Foundation
public import SquireCore
import SquireLoRA
public import SquireModels
public import SquireQuantization
public import SquireTensor

#if canImport(Glibc)
    import Glibc
#endif

/// Whatever classifier bundle Squire wrote — a head on the frozen encoder, a tiny
/// transformer, a LoRA fine-tune, or any of these with a quantized encoder — opened without
/// knowing its kind first.
///
/// A bundle is itself a `TextClassifier`, answering with the model it holds, so it drops into
/// a `Cascade`, a `Shadow` or an `EvalRunner` as it is:
///
/// ```swift
/// let bundle = try ModelBundle(folder: "intent-bundle")
/// let answer = try await bundle.classify("I was charged twice")
/// print(bundle.kind, bundle.weights, bundle.version)
/// ```
///
/// Opening verifies every file against the bundle's manifest before anything is loaded, so a
/// damaged, truncated or edited bundle, one of a kind this Squire does not know, or one a
/// newer Squire wrote throws ``BundleError`` naming the file, and no model is returned.
public struct ModelBundle: TextClassifier {
    /// The kinds of model a bundle holds.
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
        /// Multinomial logistic regression on frozen sentence embeddings.
        case logisticHead = "logistic"
        /// A small MLP on frozen sentence embeddings.
        case mlpHead = "mlp"
        /// A small transformer encoder trained from scratch, with its own classifier.
        case tinyTransformer = "tiny-transformer"
        /// LoRA adapters on the sentence encoder, with a linear classifier.
        case lora

        public var description: String { rawValue }
    }

    /// How the encoder's weights are stored.
    public enum Weights: Sendable, Hashable, CustomStringConvertible {
        /// 32-bit floats, as trained.
        case float32
        /// Quantized by ``QuantizedBundle``; the head stays in float.
        case quantized(QuantizationFormat)

        /// `float32`, or the quantization format's tag (`int8`, `int4-32`, …).
        public var description: String {
            switch self {
            case .float32: "float32"
            case .quantized(let format): format.tag
            }
        }
    }

    /// The folder the bundle was opened from.
    public let folder: String
    /// What kind of model the bundle holds.
    public let kind: Kind
    /// How its encoder's weights are stored.
    public let weights: Weights
    /// A short identifier of the trained weights; predictions carry it as `model_version`.
    public let version: String
    /// What the bundle's model card says.
    public let card: ModelCard
    /// The model, ready to answer.
    public let classifier: any TextClassifier
    /// The tokenizer the model reads text with.
    public let tokenizer: WordPieceTokenizer
    /// The embedder the classifier reads embeddings from — a sentence encoder or, for a head
    /// on a static model, a ``StaticEmbedder``; nil for a tiny transformer, which has none.
    public let embedder: (any LocalEmbedder)?
    /// The answers for embeddings of ``embedder``, for callers that embed once and reuse the
    /// vectors (drift profiles, embedding-drift checks).
    private let classifyEmbeddings: (@Sendable (Tensor) throws -> [Classification])?

    /// Opens and verifies the bundle at `folder`, whatever kind it is.
    ///
    /// - Throws: ``BundleError/notABundle(folder:)`` for a folder Squire did not write;
    ///   ``BundleError/unsupportedFormat(file:format:supported:)`` for a bundle from a newer
    ///   Squire; ``BundleError/unknownKind(file:kind:known:)`` for a kind this Squire does not
    ///   know; the other ``BundleError`` cases for a missing, changed or truncated file.
    ///
    /// A bundle being replaced while it is read (`squire train` writing over the folder a
    /// service reads) is read again, as long as the writer keeps replacing it (up to a hundred
    /// times): the reader gets the old bundle or the new, never a false "changed" or
    /// "truncated" error.
    public init(folder: String) throws {
        // Every retry follows a swap seen during the read, so the reads end when the writer
        // stops swapping. Not after a few: verifying a bundle hashes its files, which can take
        // longer than saving one (under a sanitizer, or on a slow disk), so a writer saving
        // several times in a row outlasted four attempts. A writer that never stops is cut
        // off after a hundred swaps.
        for _ in 0..<100 {
            let before = Self.identity(of: folder)
            do {
                let bundle = try ModelBundle(verifying: folder)
                if Self.identity(of: folder) == before {
                    self = bundle
                    return
                }
            } catch  where Self.identity(of: folder) != before {
                // The folder was swapped for a new bundle mid-read; read the new one.
            }
        }
        self = try ModelBundle(verifying: folder)
    }

    /// The folder's device, inode and change time: a writer that swaps in a new bundle
    /// changes them. The time matters because a file system may give a new folder the inode
    /// of one just deleted.
    private static func identity(of folder: String) -> [Int]? {
        var status = stat()
        guard stat(folder, &status) == 0 else { return nil }
        return [
            Int(status.st_dev), Int(status.st_ino), status.st_ctim.tv_sec, status.st_ctim.tv_nsec,
            status.st_mtim.tv_sec, status.st_mtim.tv_nsec,
        ]
    }

    private init(verifying folder: String) throws {
        let configuration = try Self.peek(folder)
        self.folder = folder
        if let tag = configuration.quantization {
            guard QuantizationFormat(tag: tag) != nil else {
                throw BundleError.unsupportedFormat(
                    file: "config.json", format: "quantization \(tag)", supported: "int8, int4-32, int4-64, int4-128")
            }
            let bundle = try QuantizedBundle(folder: folder)
            kind = configuration.kind
            weights = .quantized(bundle.format)
            version = bundle.version
            card = bundle.card
            classifier = bundle.classifier
            tokenizer = bundle.classifier.embedder.tokenizer
            embedder = bundle.classifier.embedder
            classifyEmbeddings = bundle.classifier.classifications(forEmbeddings:)
            return
        }
        weights = .float32
        switch configuration.kind {
        case .lora:
            let bundle = try LoRABundle(folder: folder)
            kind = .lora
            version = bundle.version
            card = bundle.card
            classifier = bundle.classifier
            tokenizer = bundle.classifier.embedder.tokenizer
            embedder = bundle.classifier.embedder
            classifyEmbeddings = bundle.classifier.classifications(forEmbeddings:)
        case .logisticHead, .mlpHead, .tinyTransformer:
            let bundle = try ClassifierBundle(folder: folder)
            kind = configuration.kind
            version = bundle.version
            card = bundle.card
            classifier = bundle.classifier
            tokenizer = bundle.tokenizer
            embedder = bundle.embeddingClassifier?.embedder
            classifyEmbeddings = bundle.embeddingClassifier?.classifications(forEmbeddings:)
        }
    }

    /// The model's labels, in the order of its outputs.
    public var labels: [String] { classifier.labels }

    /// The model's answers for `texts`, one each, in order.
    public func classify(_ texts: [String]) async throws -> [Classification] {
        try await classifier.classify(texts)
    }

    /// The model's answers for `[N, D]` embeddings of ``embedder``, one per row.
    ///
    /// - Throws: `ModelError.unavailable` for a tiny transformer, which reads token ids, not
    ///   embeddings.
    public func classifications(forEmbeddings embeddings: Tensor) throws -> [Classification] {
        guard let classifyEmbeddings else {
            throw ModelError.unavailable("a \(kind) bundle reads token ids, not sentence embeddings")
        }
        return try classifyEmbeddings(embeddings)
    }

    /// What `config.json` says the bundle is, read before any weights, so that a bundle of
    /// another kind or format is turned away by name.
    private static func peek(_ folder: String) throws -> (kind: Kind, quantization: String?) {
        struct Peek: Decodable {
            struct Head: Decodable { var type: String }
            var format: String
            var head: Head
            var quantization: String?
        }
        // Every bundle Squire writes has a manifest; a model folder (config.json alone) is not one.
        let manager = FileManager.default
        guard manager.fileExists(atPath: folder + "/manifest.json") else {
            throw BundleError.notABundle(folder: folder)
        }
        guard let data = manager.contents(atPath: folder + "/config.json") else {
            throw BundleError.missingFile("config.json")
        }
        // The format first: a newer Squire's configuration may have another shape altogether.
        struct Format: Decodable { var format: String }
        if let format = try? JSONDecoder().decode(Format.self, from: data).format, format != ClassifierBundle.format {
            throw BundleError.unsupportedFormat(file: "config.json", format: format, supported: ClassifierBundle.format)
        }
        let peek: Peek
        do {
            peek = try JSONDecoder().decode(Peek.self, from: data)
        } catch {
            // The manifest tells a damaged file from one that was never a bundle configuration.
            _ = try BundleManifest.verify(folder: folder, requiring: ClassifierBundle.requiredFiles)
            throw BundleError.invalidFile(
                file: "config.json", reason: DecodingError.summary(of: error, decoding: data))
        }
        guard peek.format == ClassifierBundle.format else {
            throw BundleError.unsupportedFormat(
                file: "config.json", format: peek.format, supported: ClassifierBundle.format)
        }
        guard let kind = Kind(rawValue: peek.head.type) else {
            throw BundleError.unknownKind(
                file: "config.json", kind: peek.head.type, known: Kind.allCases.map(\.rawValue))
        }
        return (kind, peek.quantization)
    }
}
