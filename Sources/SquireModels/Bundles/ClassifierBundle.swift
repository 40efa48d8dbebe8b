package import Foundation
public import SquireCore
import SquireTensor

/// A trained classifier as a folder you can ship, copy and reload:
///
/// ```
/// bundle/
///   config.json         head type, calibration, model card figures
///   head.safetensors    the head's weights (the whole model, for a tiny transformer)
///   labels.json         the labels, in the head's order
///   encoder/            the sentence encoder: config, weights, tokenizer files
///                       (a static model's table in model2vec's format, for a head on one;
///                       a tiny transformer has tokenizer/ instead: only the tokenizer files)
///   MODEL_CARD.md       intended use, training data, evaluation, limits
///   manifest.json       size and SHA-256 of every file above, verified on load
/// ```
///
/// Saving writes the whole folder beside its destination and then moves it into place, so
/// a crash never leaves a half-written bundle. Loading verifies every checksum first, so a
/// changed, truncated or missing file throws ``BundleError`` instead of answering wrongly.
public struct ClassifierBundle: Sendable {
    /// The kinds of model a bundle holds.
    public enum Model: Sendable {
        /// A frozen sentence encoder with a trained head.
        case embedding(EmbeddingClassifier)
        /// A small transformer trained from scratch.
        case tinyTransformer(TinyTransformerClassifier)
    }

    /// The model the bundle holds.
    public var model: Model
    /// What the model card says.
    public var card: ModelCard
    /// The folder the encoder's (or, for a tiny transformer, the tokenizer's) files are
    /// copied from when saving.
    public var encoderFolder: String
    /// Whether the sentence encoder was fine-tuned (a few-shot recipe's contrastive tuning):
    /// saving then writes its weights as `encoder/model.safetensors` instead of copying the
    /// base folder's, and copies only the folder's tokenizer and configuration files.
    public var writesEncoderWeights = false

    /// The model as a `TextClassifier`.
    public var classifier: any TextClassifier {
        switch model {
        case .embedding(let classifier): classifier
        case .tinyTransformer(let classifier): classifier
        }
    }

    /// The embedding classifier, when that is what the bundle holds.
    public var embeddingClassifier: EmbeddingClassifier? {
        if case .embedding(let classifier) = model { classifier } else { nil }
    }

    /// The tokenizer the model reads text with.
    public var tokenizer: WordPieceTokenizer {
        switch model {
        case .embedding(let classifier): classifier.embedder.tokenizer
        case .tinyTransformer(let classifier): classifier.tokenizer
        }
    }

    private var parameters: NamedTensors {
        switch model {
        case .embedding(let classifier): classifier.head.parameters
        case .tinyTransformer(let classifier): classifier.trainableParameters
        }
    }

    package static let format = "squire-classifier-bundle-1"
    package static let encoderFiles = [
        "config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json", "vocab.txt",
        "special_tokens_map.json", "modules.json", "sentence_bert_config.json", "1_Pooling/config.json",
    ]
    /// A static model's files, in model2vec's format.
    package static let staticFiles = ["config.json", "model.safetensors", "tokenizer.json", "modules.json"]
    static let tokenizerFiles = ["tokenizer.json", "tokenizer_config.json", "vocab.txt", "special_tokens_map.json"]
    package static let requiredFiles = ["config.json", "head.safetensors", "labels.json", "MODEL_CARD.md"]

    /// Creates a bundle from a trained classifier whose embedder (a sentence encoder or a static
    /// model) was loaded from `encoderFolder`.
    public init(classifier: EmbeddingClassifier, card: ModelCard, encoderFolder: String) {
        self.model = .embedding(classifier)
        self.card = card
        self.encoderFolder = encoderFolder
    }

    /// Creates a bundle from a tiny transformer whose tokenizer was loaded from `tokenizerFolder`.
    public init(tinyTransformer: TinyTransformerClassifier, card: ModelCard, tokenizerFolder: String) {
        self.model = .tinyTransformer(tinyTransformer)
        self.card = card
        self.encoderFolder = tokenizerFolder
    }

    /// A short identifier of the trained weights: the first 12 hex digits of the SHA-256 of
    /// the head's weights and labels. Predictions carry it as `model_version`.
    public var version: String {
        var hasher = SHA256()
        for (key, value) in parameters {
            hasher.update(Array(key.utf8))
            value.withUnsafeBufferPointer { hasher.update(UnsafeRawBufferPointer($0)) }
        }
        hasher.update(Array(classifier.labels.joined(separator: "\n").utf8))
        return String(hasher.finalize().prefix(12))
    }

    /// Loads and verifies the bundle at `folder`.
    public init(folder: String) throws {
        if let peek: BundleConfiguration = try? Self.decode(folder, "config.json"), peek.head.type == "lora" {
            throw BundleError.invalidFile(
                file: "config.json",
                reason: "this bundle holds a LoRA adapter; load it with SquireLoRA's LoRABundle(folder:)")
        }
        let (configuration, labels, weights) = try Self.parts(of: folder)
        if let quantization = configuration.quantization {
            throw BundleError.invalidFile(
                file: "config.json",
                reason:
                    "this bundle's encoder is quantized (\(quantization)); load it with SquireQuantization's QuantizedBundle(folder:)"
            )
        }
        card = configuration.card
        if configuration.head.type == "tiny-transformer" {
            guard let shape = configuration.head.transformer else {
                throw BundleError.invalidFile(
                    file: "config.json", reason: "a tiny-transformer head needs its \"transformer\" sizes")
            }
            encoderFolder = folder + "/tokenizer"
            var tokenizer = try WordPieceTokenizer(folder: encoderFolder)
            tokenizer.maximumLength = shape.maximumLength
            let bertConfiguration = try BertConfiguration(
                vocabularySize: tokenizer.vocabularySize, hiddenSize: shape.hiddenSize, layerCount: shape.layerCount,
                headCount: shape.headCount, intermediateSize: shape.intermediateSize,
                maximumPositions: shape.maximumLength, tokenTypeCount: 1)
            let blank = try BertEncoder(configuration: bertConfiguration, seed: 0)
            let encoder = try blank.replacingParameters(blank.parameters.mapTensors { try weights.tensor($0.key) })
            model = .tinyTransformer(
                try TinyTransformerClassifier(
                    tokenizer: tokenizer, encoder: encoder,
                    classifier: Linear(
                        weight: weights.tensor("classifier.weight"), bias: weights.tensor("classifier.bias")),
                    dropout: Dropout(rate: configuration.head.dropout ?? 0), labels: labels,
                    calibration: configuration.calibration))
            return
        }
        let head = try Self.head(configuration.head, weights: weights, labels: labels)
        encoderFolder = folder + "/encoder"
        for file in ["encoder/config.json", "encoder/model.safetensors"]
        where !FileManager.default.fileExists(atPath: folder + "/" + file) {
            throw BundleError.missingFile(file)
        }
        let embedder: any LocalEmbedder
        switch configuration.embedder {
        case nil: embedder = try SentenceEmbedder(folder: encoderFolder)
        case BundleConfiguration.staticEmbedder?: embedder = try StaticEmbedder(folder: encoderFolder)
        case let other?:
            throw BundleError.invalidFile(
                file: "config.json",
                reason:
                    "unknown embedder \"\(other)\"; expected \"\(BundleConfiguration.staticEmbedder)\" or none (a sentence encoder)"
            )
        }
        model = .embedding(
            try EmbeddingClassifier(embedder: embedder, head: head, calibration: configuration.calibration))
    }

    /// A verified bundle's configuration, labels and `head.safetensors`.
    package static func parts(of folder: String) throws -> (
        configuration: BundleConfiguration, labels: [String], weights: SafetensorsFile
    ) {
        _ = try BundleManifest.verify(folder: folder, requiring: requiredFiles)
        let configuration: BundleConfiguration = try decode(folder, "config.json")
        guard configuration.format == format else {
            throw BundleError.unsupportedFormat(file: "config.json", format: configuration.format, supported: format)
        }
        let labels: [String] = try decode(folder, "labels.json")
        try checkSense(labels: labels, calibration: configuration.calibration)
        return (configuration, labels, try SafetensorsFile(path: folder + "/head.safetensors"))
    }

    /// What checksums cannot catch, since they only prove the files are the ones saved: labels
    /// that are empty or repeated (answers would be ambiguous) and a calibration that is not a
    /// positive, finite temperature or finite Platt scaling (confidences would be NaN).
    package static func checkSense(labels: [String], calibration: Calibration?) throws {
        guard !labels.isEmpty else { throw BundleError.invalidFile(file: "labels.json", reason: "it holds no label") }
        var seen = Set<String>()
        for label in labels {
            guard !label.isEmpty else {
                throw BundleError.invalidFile(file: "labels.json", reason: "it holds an empty label")
            }
            guard seen.insert(label).inserted else {
                throw BundleError.invalidFile(file: "labels.json", reason: "the label \"\(label)\" appears twice")
            }
        }
        switch calibration {
        case .temperature(let temperature) where !(temperature > 0 && temperature.isFinite):
            throw BundleError.invalidFile(
                file: "config.json",
                reason: "the calibration temperature is \(temperature); it must be positive and finite")
        case .platt(let slope, let intercept) where !(slope.isFinite && intercept.isFinite):
            throw BundleError.invalidFile(
                file: "config.json", reason: "the Platt calibration (\(slope), \(intercept)) must be finite")
        default: break
        }
    }

    /// The head a bundle's configuration describes, from its weights.
    package static func head(_ description: BundleConfiguration.Head, weights: SafetensorsFile, labels: [String]) throws
        -> any ClassificationHead
    {
        let head: any ClassificationHead
        switch description.type {
        case "logistic":
            head = try LogisticHead(weight: weights.tensor("weight"), bias: weights.tensor("bias"), labels: labels)
        case "mlp":
            let count = (description.hiddenSizes?.count ?? 0) + 1
            let layers = try (0..<count).map {
                try Linear(weight: weights.tensor("layers.\($0).weight"), bias: weights.tensor("layers.\($0).bias"))
            }
            head = try MLPHead(
                layers: layers, activation: description.activation ?? .gelu,
                dropout: Dropout(rate: description.dropout ?? 0), labels: labels,
                inputMean: weights.tensor("input.mean"), inputScale: weights.tensor("input.scale"),
                labelSmoothing: description.labelSmoothing ?? 0)
        case let other:
            throw BundleError.invalidFile(
                file: "config.json", reason: "unknown head type \"\(other)\"; expected logistic or mlp")
        }
        return head
    }

    /// How a head is described in `config.json`, for the heads a bundle can hold.
    package static func description(of head: any ClassificationHead) throws -> BundleConfiguration.Head {
        switch head {
        case is LogisticHead:
            return .init(type: "logistic")
        case let mlp as MLPHead:
            return .init(
                type: "mlp", hiddenSizes: mlp.layers.dropLast().map(\.outputDimension), activation: mlp.activation,
                dropout: mlp.dropout.rate, labelSmoothing: mlp.labelSmoothing)
        default:
            throw BundleError.invalidFile(
                file: "config.json", reason: "a \(type(of: head)) head cannot be saved in a bundle yet")
        }
    }

    /// Writes a head's weights as `head.safetensors`.
    package static func writeHead(_ parameters: NamedTensors, to url: URL) throws {
        var weights = SafetensorsWriter()
        for (key, tensor) in parameters { try weights.add(tensor, named: key) }
        weights.metadata = ["format": format]
        try weights.write(to: url.path)
    }

    /// Writes the bundle to `folder`, replacing any bundle there only once the new one is complete.
    public func save(to folder: String) throws {
        try Self.writeFolder(to: folder) { staging in
            var written = ["config.json", "head.safetensors", "labels.json", "MODEL_CARD.md"]
            let description: BundleConfiguration.Head
            let calibration: Calibration
            let labels: [String]
            var copies: [(from: String, to: String)] = []
            var embedderKind: String?
            switch model {
            case .embedding(let classifier):
                description = try Self.description(of: classifier.head)
                (calibration, labels) = (classifier.calibration, classifier.labels)
                let isStatic = classifier.embedder is StaticEmbedder
                embedderKind = isStatic ? BundleConfiguration.staticEmbedder : nil
                copies = (isStatic ? Self.staticFiles : Self.encoderFiles).map {
                    (encoderFolder + "/" + $0, "encoder/" + $0)
                }
                if writesEncoderWeights, let embedder = classifier.embedder as? SentenceEmbedder {
                    copies.removeAll { $0.to == "encoder/model.safetensors" }
                    var weights = SafetensorsWriter()
                    for (key, tensor) in embedder.encoder.parameters { try weights.add(tensor, named: key) }
                    weights.metadata = ["format": "pt", "tuned_by": "squire"]
                    try FileManager.default.createDirectory(
                        at: staging.appendingPathComponent("encoder"), withIntermediateDirectories: true)
                    try weights.write(to: staging.appendingPathComponent("encoder/model.safetensors").path)
                    written.append("encoder/model.safetensors")
                }
            case .tinyTransformer(let classifier):
                let c = classifier.encoder.configuration
                description = .init(
                    type: "tiny-transformer", dropout: classifier.dropout.rate,
                    transformer: .init(
                        layerCount: c.layerCount, hiddenSize: c.hiddenSize, headCount: c.headCount,
                        intermediateSize: c.intermediateSize, maximumLength: c.maximumPositions))
                (calibration, labels) = (classifier.calibration, classifier.labels)
                copies = Self.tokenizerFiles.map { (encoderFolder + "/" + $0, "tokenizer/" + $0) }
            }
            let configuration = BundleConfiguration(
                format: Self.format, head: description, calibration: calibration, card: card, version: version,
                embedder: embedderKind)
            try Self.writeJSON(configuration, to: staging.appendingPathComponent("config.json"))
            try Self.writeJSON(labels, to: staging.appendingPathComponent("labels.json"))
            try Self.writeHead(parameters, to: staging.appendingPathComponent("head.safetensors"))
            try Data(card.markdown.utf8).write(to: staging.appendingPathComponent("MODEL_CARD.md"))
            written += try Self.copy(copies, into: staging)
            if case .embedding = model, !written.contains("encoder/model.safetensors") {
                throw BundleError.missingFile(encoderFolder + "/model.safetensors")
            }
            return written
        }
    }

    /// Throws unless `folder` is absent, empty, or a previous bundle: anything else at a
    /// bundle's destination is the user's own data, never replaced.
    package static func checkReplaceable(_ folder: String) throws {
        _ = try OutputDestination(folder, kind: .bundle, inputs: [])
    }

    /// Builds a bundle in a staging folder beside `folder` with `fill` (which returns the
    /// paths it wrote), adds the manifest, and puts it in place of the old one in one step
    /// (``AtomicFolder``), so readers and crashes see one complete bundle or the other.
    /// Leftovers of earlier interrupted writes to `folder` are removed first.
    package static func writeFolder(to folder: String, _ fill: (_ staging: URL) throws -> [String]) throws {
        let fileManager = FileManager.default
        let destination = URL(fileURLWithPath: folder).standardizedFileURL
        try checkReplaceable(folder)
        LeftoverFiles.removeStale(beside: destination.path)
        let staging = destination.deletingLastPathComponent()
            .appendingPathComponent(LeftoverFiles.stagingName(for: destination.lastPathComponent, stage: "partial"))
        try fileManager.createDirectory(at: staging, withIntermediateDirectories: true)
        do {
            let written = try fill(staging)
            try writeJSON(
                BundleManifest(folder: staging.path, paths: written),
                to: staging.appendingPathComponent(BundleManifest.fileName))
            try AtomicFolder.replace(destination.path, with: staging.path)
        } catch {
            try? fileManager.removeItem(at: staging)
            throw error
        }
    }

    /// Copies the files of `copies` that exist into `staging`; returns the paths written.
    package static func copy(_ copies: [(from: String, to: String)], into staging: URL) throws -> [String] {
        var written: [String] = []
        for (from, to) in copies where FileManager.default.fileExists(atPath: from) {
            let destination = staging.appendingPathComponent(to)
            try FileManager.default.createDirectory(
                at: destination.deletingLastPathComponent(), withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: from, toPath: destination.path)
            written.append(to)
        }
        return written
    }

    package static func writeJSON(_ value: some Encodable, to url: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(value).write(to: url)
    }

    package static func decode<T: Decodable>(_ folder: String, _ file: String) throws -> T {
        guard let data = FileManager.default.contents(atPath: folder + "/" + file) else {
            throw BundleError.missingFile(file)
        }
        do {
            return try JSONDecoder().decode(T.self, from: data)
        } catch {
            throw BundleError.invalidFile(file: file, reason: DecodingError.summary(of: error, decoding: data))
        }
    }
}
