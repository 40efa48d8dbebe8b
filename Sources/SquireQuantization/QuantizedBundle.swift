import Foundation
import SquireCore
public import SquireModels
import SquireTensor

/// A classifier bundle whose encoder is quantized: the layout of a `ClassifierBundle`
/// (`config.json`, `head.safetensors`, `labels.json`, `encoder/`, `MODEL_CARD.md`,
/// `manifest.json`), with `encoder/model.safetensors` holding 8- or 4-bit weights (see
/// ``QuantizationFormat``) and `config.json` naming the format. The head stays in float.
/// A head on a static model has its table quantized (``quantizedWords``), one int8 scale per
/// row; the table is dequantized on load, so the file shrinks and the lookups stay float.
///
/// `ClassifierBundle(folder:)` refuses such a bundle and says to open it here. Saving is
/// atomic and loading verifies every checksum, as for every bundle.
public struct QuantizedBundle: Sendable {
    /// The classifier over the quantized encoder.
    public var classifier: EmbeddingClassifier
    /// How the encoder's weights are stored.
    public var format: QuantizationFormat
    /// The word-embedding table's quantized form (a static model's table, for a head on one),
    /// when it is stored quantized; the model holds its dequantized values, so lookups stay float.
    public var quantizedWords: QuantizedMatrix?
    /// What the model card says.
    public var card: ModelCard
    /// The folder the encoder's tokenizer and configuration files are copied from.
    public var encoderFolder: String
    /// The quantized encoder ``classifier`` reads through, kept as its own type; nil for a
    /// head on a static model.
    private let encoder: BertEncoder?

    /// The key of the word-embedding table in ``init(quantizing:to:where:)``'s filter.
    public static let wordEmbeddingsKey = QuantizedCheckpoint.wordsKey

    /// Quantizes a bundle's encoder to `format`.
    ///
    /// - Parameter filter: which parts to quantize, by checkpoint key: the projections
    ///   (`encoder.layer.0.attention.self.query`) and ``wordEmbeddingsKey``; the default
    ///   takes them all. Position and token-type embeddings, layer norms, biases and the head
    ///   stay in float.
    ///   A static model has only its table (``wordEmbeddingsKey``) to quantize.
    /// - Throws: ``QuantizationError`` for an unsupported format, or a static model whose
    ///   table the filter leaves out; `BundleError.invalidFile` for a bundle that holds a tiny
    ///   transformer.
    public init(
        quantizing bundle: ClassifierBundle, to format: QuantizationFormat,
        where filter: (_ key: String) -> Bool = { _ in true }
    ) throws {
        guard let classifier = bundle.embeddingClassifier else {
            throw BundleError.invalidFile(
                file: "config.json",
                reason:
                    "only a head on a sentence encoder or a static model can be quantized; this bundle holds a tiny transformer"
            )
        }
        var card = bundle.card
        card.method +=
            classifier.embedder is StaticEmbedder
            ? " Static table quantized to \(format) (SquireQuantization)."
            : " Encoder weights quantized to \(format) (SquireQuantization)."
        try self.init(
            quantizing: classifier, to: format, where: filter, card: card, encoderFolder: bundle.encoderFolder)
    }

    /// Quantizes a classifier whose encoder was loaded from `encoderFolder`.
    public init(
        quantizing classifier: EmbeddingClassifier, to format: QuantizationFormat,
        where filter: (_ key: String) -> Bool = { _ in true },
        card: ModelCard, encoderFolder: String
    ) throws {
        try format.validate()
        if let table = classifier.embedder as? StaticEmbedder {
            guard filter(Self.wordEmbeddingsKey) else {
                throw QuantizationError.unsupportedFormat(
                    "a static model's only weights are its table, which the filter leaves in float")
            }
            let quantized = try QuantizedMatrix(quantizing: table.table, format: format)
            self.classifier = try EmbeddingClassifier(
                embedder: StaticEmbedder(
                    table: quantized.dequantized(), tokenizer: table.tokenizer, normalizes: table.normalizes,
                    maximumTokens: table.maximumTokens),
                head: classifier.head, calibration: classifier.calibration)
            (self.encoder, self.format, self.quantizedWords) = (nil, format, quantized)
            (self.card, self.encoderFolder) = (card, encoderFolder)
            return
        }
        guard let embedder = classifier.embedder as? SentenceEmbedder else {
            throw QuantizationError.unsupportedFormat(
                "a \(type(of: classifier.embedder)) has no weights Squire knows how to quantize")
        }
        var encoder = try embedder.encoder.quantized(format) { key, _ in filter(key) }
        var words: QuantizedMatrix?
        if filter(Self.wordEmbeddingsKey) {
            let table = try QuantizedMatrix(quantizing: encoder.embeddings.words, format: format)
            var embeddings = encoder.embeddings
            embeddings.words = try table.dequantized()
            encoder = BertEncoder(configuration: encoder.configuration, embeddings: embeddings, layers: encoder.layers)
            words = table
        }
        self.classifier = try EmbeddingClassifier(
            embedder: embedder.replacingEncoder(encoder), head: classifier.head,
            calibration: classifier.calibration)
        self.encoder = encoder
        self.format = format
        self.quantizedWords = words
        self.card = card
        self.encoderFolder = encoderFolder
    }

    /// Loads and verifies the bundle at `folder`.
    public init(folder: String) throws {
        let (configuration, labels, weights) = try ClassifierBundle.parts(of: folder)
        guard let tag = configuration.quantization else {
            throw BundleError.invalidFile(
                file: "config.json",
                reason: "this bundle's encoder is not quantized; load it with ClassifierBundle(folder:)")
        }
        guard let format = QuantizationFormat(tag: tag) else {
            throw BundleError.invalidFile(
                file: "config.json",
                reason: "unknown quantization \"\(tag)\"; expected int8 or int4-32, int4-64, int4-128")
        }
        let head = try ClassifierBundle.head(configuration.head, weights: weights, labels: labels)
        encoderFolder = folder + "/encoder"
        for file in ["encoder/config.json", "encoder/model.safetensors"]
        where !FileManager.default.fileExists(atPath: folder + "/" + file) {
            throw BundleError.missingFile(file)
        }
        let checkpoint = try SafetensorsFile(path: encoderFolder + "/model.safetensors")
        if configuration.embedder == BundleConfiguration.staticEmbedder {
            let table = try QuantizedStaticTable.read(from: checkpoint)
            guard table.format == format else {
                throw BundleError.invalidFile(
                    file: "encoder/model.safetensors",
                    reason: "holds a \(table.format) table, but config.json says \(format)")
            }
            classifier = try EmbeddingClassifier(
                embedder: StaticEmbedder(folder: encoderFolder, table: table.dequantized()), head: head,
                calibration: configuration.calibration)
            (encoder, self.format, quantizedWords, card) = (nil, format, table, configuration.card)
            return
        }
        let (encoder, words) = try QuantizedCheckpoint.encoder(
            from: checkpoint, configuration: BertConfiguration(contentsOf: encoderFolder + "/config.json"))
        classifier = try EmbeddingClassifier(
            embedder: SentenceEmbedder(folder: encoderFolder, encoder: encoder), head: head,
            calibration: configuration.calibration)
        let stored =
            encoder.layers.flatMap(\.linearLayers).compactMap { ($0.layer as? QuantizedLinear)?.weight.format }
            + (words.map { [$0.format] } ?? [])
        if let other = stored.first(where: { $0 != format }) {
            throw BundleError.invalidFile(
                file: "encoder/model.safetensors", reason: "holds \(other) weights, but config.json says \(format)")
        }
        self.encoder = encoder
        self.format = format
        quantizedWords = words
        card = configuration.card
    }

    /// A short identifier of the weights: the SHA-256 of the head, the labels and the
    /// quantized encoder's integers and scales (first 12 hex digits).
    public var version: String {
        var hasher = SHA256()
        for (key, value) in classifier.head.parameters {
            hasher.update(Array(key.utf8))
            value.withUnsafeBufferPointer { hasher.update(UnsafeRawBufferPointer($0)) }
        }
        hasher.update(Array(classifier.labels.joined(separator: "\n").utf8))
        let matrices =
            (encoder?.layers ?? []).flatMap(\.linearLayers).compactMap {
                ($0.layer as? QuantizedLinear)?.weight
            } + (quantizedWords.map { [$0] } ?? [])
        for matrix in matrices {
            hasher.update(matrix.values)
            matrix.scales.withUnsafeBufferPointer { hasher.update(UnsafeRawBufferPointer($0)) }
        }
        return String(hasher.finalize().prefix(12))
    }

    /// Writes the bundle to `folder`, replacing any bundle there only once the new one is complete.
    public func save(to folder: String) throws {
        try ClassifierBundle.writeFolder(to: folder) { staging in
            let configuration = try BundleConfiguration(
                head: ClassifierBundle.description(of: classifier.head), calibration: classifier.calibration,
                card: card, version: version, quantization: format.tag,
                embedder: encoder == nil ? BundleConfiguration.staticEmbedder : nil)
            try ClassifierBundle.writeJSON(configuration, to: staging.appendingPathComponent("config.json"))
            try ClassifierBundle.writeJSON(classifier.labels, to: staging.appendingPathComponent("labels.json"))
            try ClassifierBundle.writeHead(
                classifier.head.parameters, to: staging.appendingPathComponent("head.safetensors"))
            try Data(card.markdown.utf8).write(to: staging.appendingPathComponent("MODEL_CARD.md"))
            try FileManager.default.createDirectory(
                at: staging.appendingPathComponent("encoder"), withIntermediateDirectories: true)
            let weights = staging.appendingPathComponent("encoder/model.safetensors").path
            if let encoder {
                try QuantizedCheckpoint.write(encoder, words: quantizedWords, format: format, to: weights)
            } else if let quantizedWords {
                try QuantizedStaticTable.write(quantizedWords, to: weights)
            }
            let files = encoder == nil ? ClassifierBundle.staticFiles : ClassifierBundle.encoderFiles
            let copies = files.filter { $0 != "model.safetensors" }.map {
                (encoderFolder + "/" + $0, "encoder/" + $0)
            }
            let written = try ClassifierBundle.copy(copies, into: staging)
            guard written.contains("encoder/config.json") else {
                throw BundleError.missingFile(encoderFolder + "/config.json")
            }
            return ClassifierBundle.requiredFiles + ["encoder/model.safetensors"] + written
        }
    }
}
