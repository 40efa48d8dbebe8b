import Foundation
import SquireCore
import SquireTensor

/// A trained classifier as a folder you can ship, copy and reload:
///
/// ```
/// bundle/
///   config.json         head type, calibration, model card figures
///   head.safetensors    the head's weights
///   labels.json         the labels, in the head's order
///   encoder/            the sentence encoder: config, weights, tokenizer files
///   MODEL_CARD.md       intended use, training data, evaluation, limits
///   manifest.json       size and SHA-256 of every file above, verified on load
/// ```
///
/// Saving writes the whole folder beside its destination and then moves it into place, so
/// a crash never leaves a half-written bundle. Loading verifies every checksum first, so a
/// changed, truncated or missing file throws ``BundleError`` instead of answering wrongly.
public struct ClassifierBundle: Sendable {
    /// The classifier the bundle holds.
    public var classifier: EmbeddingClassifier
    /// What the model card says.
    public var card: ModelCard
    /// The folder the encoder's files are copied from when saving.
    public var encoderFolder: String

    static let format = "squire-classifier-bundle-1"
    static let encoderFiles = [
        "config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json", "vocab.txt",
        "special_tokens_map.json", "modules.json", "sentence_bert_config.json", "1_Pooling/config.json",
    ]
    static let requiredFiles = ["config.json", "head.safetensors", "labels.json", "MODEL_CARD.md", "encoder/config.json", "encoder/model.safetensors"]

    /// Creates a bundle from a trained classifier whose encoder was loaded from `encoderFolder`.
    public init(classifier: EmbeddingClassifier, card: ModelCard, encoderFolder: String) {
        self.classifier = classifier
        self.card = card
        self.encoderFolder = encoderFolder
    }

    /// A short identifier of the trained weights: the first 12 hex digits of the SHA-256 of
    /// the head's weights and labels. Predictions carry it as `model_version`.
    public var version: String {
        var hasher = SHA256()
        for (key, value) in classifier.head.parameters {
            hasher.update(Array(key.utf8))
            value.withUnsafeBufferPointer { hasher.update(UnsafeRawBufferPointer($0)) }
        }
        hasher.update(Array(classifier.labels.joined(separator: "\n").utf8))
        return String(hasher.finalize().prefix(12))
    }

    /// Loads and verifies the bundle at `folder`.
    public init(folder: String) throws {
        _ = try BundleManifest.verify(folder: folder, requiring: Self.requiredFiles)
        let configuration: BundleConfiguration = try Self.decode(folder, "config.json")
        guard configuration.format == Self.format else {
            throw BundleError.invalidFile(file: "config.json", reason: "format \"\(configuration.format)\" is not \"\(Self.format)\"")
        }
        let labels: [String] = try Self.decode(folder, "labels.json")
        let weights = try SafetensorsFile(path: folder + "/head.safetensors")
        let head: any ClassificationHead
        switch configuration.head.type {
        case "logistic":
            head = try LogisticHead(weight: weights.tensor("weight"), bias: weights.tensor("bias"), labels: labels)
        case "mlp":
            let count = (configuration.head.hiddenSizes?.count ?? 0) + 1
            let layers = try (0..<count).map { try Linear(weight: weights.tensor("layers.\($0).weight"), bias: weights.tensor("layers.\($0).bias")) }
            head = try MLPHead(
                layers: layers, activation: configuration.head.activation ?? .gelu,
                dropout: Dropout(rate: configuration.head.dropout ?? 0), labels: labels,
                inputMean: weights.tensor("input.mean"), inputScale: weights.tensor("input.scale"))
        case let other:
            throw BundleError.invalidFile(file: "config.json", reason: "unknown head type \"\(other)\"; expected logistic or mlp")
        }
        encoderFolder = folder + "/encoder"
        classifier = try EmbeddingClassifier(embedder: SentenceEmbedder(folder: encoderFolder), head: head, calibration: configuration.calibration)
        card = configuration.card
    }

    /// Writes the bundle to `folder`, replacing any bundle there only once the new one is complete.
    public func save(to folder: String) throws {
        let fileManager = FileManager.default
        let destination = URL(fileURLWithPath: folder).standardizedFileURL
        let parent = destination.deletingLastPathComponent()
        let staging = parent.appendingPathComponent(".\(destination.lastPathComponent).partial-\(UUID().uuidString)")
        try fileManager.createDirectory(at: staging.appendingPathComponent("encoder/1_Pooling"), withIntermediateDirectories: true)
        var written = ["config.json", "head.safetensors", "labels.json", "MODEL_CARD.md"]
        do {
            let head = classifier.head
            let description: BundleConfiguration.Head
            switch head {
            case is LogisticHead:
                description = .init(type: "logistic")
            case let mlp as MLPHead:
                description = .init(type: "mlp", hiddenSizes: mlp.layers.dropLast().map(\.outputDimension), activation: mlp.activation, dropout: mlp.dropout.rate)
            default:
                throw BundleError.invalidFile(file: "config.json", reason: "a \(type(of: head)) head cannot be saved in a bundle yet")
            }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            let configuration = BundleConfiguration(format: Self.format, head: description, calibration: classifier.calibration, card: card, version: version)
            try encoder.encode(configuration).write(to: staging.appendingPathComponent("config.json"))
            try encoder.encode(classifier.labels).write(to: staging.appendingPathComponent("labels.json"))
            var weights = SafetensorsWriter()
            for (key, value) in head.parameters { try weights.add(value, named: key) }
            weights.metadata = ["format": Self.format]
            try weights.write(to: staging.appendingPathComponent("head.safetensors").path)
            try Data(card.markdown.utf8).write(to: staging.appendingPathComponent("MODEL_CARD.md"))
            for file in Self.encoderFiles where fileManager.fileExists(atPath: encoderFolder + "/" + file) {
                try fileManager.copyItem(atPath: encoderFolder + "/" + file, toPath: staging.appendingPathComponent("encoder/" + file).path)
                written.append("encoder/" + file)
            }
            guard written.contains("encoder/model.safetensors") else { throw BundleError.missingFile(encoderFolder + "/model.safetensors") }
            let manifest = try BundleManifest(folder: staging.path, paths: written)
            try encoder.encode(manifest).write(to: staging.appendingPathComponent(BundleManifest.fileName))

            // Swap into place: the old bundle moves aside first and is deleted last.
            let retired = parent.appendingPathComponent(".\(destination.lastPathComponent).old-\(UUID().uuidString)")
            let hadOld = fileManager.fileExists(atPath: destination.path)
            if hadOld { try fileManager.moveItem(at: destination, to: retired) }
            do {
                try fileManager.moveItem(at: staging, to: destination)
            } catch {
                if hadOld { try? fileManager.moveItem(at: retired, to: destination) }
                throw error
            }
            if hadOld { try? fileManager.removeItem(at: retired) }
        } catch {
            try? fileManager.removeItem(at: staging)
            throw error
        }
    }

    private static func decode<T: Decodable>(_ folder: String, _ file: String) throws -> T {
        guard let data = FileManager.default.contents(atPath: folder + "/" + file) else { throw BundleError.missingFile(file) }
        do {
            return try JSONDecoder().decode(T.self, from: data)
        } catch {
            throw BundleError.invalidFile(file: file, reason: (error as? DecodingError)?.summary ?? "\(error)")
        }
    }
}

/// `config.json` of a classifier bundle.
struct BundleConfiguration: Codable {
    struct Head: Codable {
        var type: String
        var hiddenSizes: [Int]?
        var activation: Activation?
        var dropout: Float?

        enum CodingKeys: String, CodingKey {
            case type, activation, dropout
            case hiddenSizes = "hidden_sizes"
        }
    }

    var format: String
    var head: Head
    var calibration: Calibration
    var card: ModelCard
    var version: String
}
