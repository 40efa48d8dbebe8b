import Foundation
import SquireCore
public import SquireModels
import SquireTensor

/// A LoRA-fine-tuned classifier as a folder you can ship and reload — the layout of a
/// `ClassifierBundle`, with the adapter in PEFT's format in place of `head.safetensors`:
///
/// ```
/// bundle/
///   config.json         head type "lora", calibration, model card figures
///   labels.json         the labels, in the classifier's order
///   adapter/            adapter_config.json + adapter_model.safetensors (PEFT's format,
///                       the classifier included), loadable with PeftModel.from_pretrained
///   encoder/            the base encoder: config, weights, tokenizer files
///   MODEL_CARD.md
///   manifest.json       size and SHA-256 of every file above, verified on load
/// ```
///
/// Saving is atomic as for every bundle; loading verifies every checksum first.
public struct LoRABundle: Sendable {
    /// The fine-tuned model.
    public var classifier: LoRAClassifier
    /// What the model card says.
    public var card: ModelCard
    /// The folder the base encoder's files are copied from when saving.
    public var encoderFolder: String

    static let requiredFiles = [
        "config.json", "labels.json", "MODEL_CARD.md", "adapter/adapter_config.json",
        "adapter/adapter_model.safetensors",
    ]

    /// Creates a bundle from a model whose base encoder was loaded from `encoderFolder`.
    public init(classifier: LoRAClassifier, card: ModelCard, encoderFolder: String) {
        self.classifier = classifier
        self.card = card
        self.encoderFolder = encoderFolder
    }

    /// A short identifier of the trained weights: the first 12 hex digits of the SHA-256 of
    /// the adapters, the classifier and the labels. Predictions carry it as `model_version`.
    public var version: String {
        var hasher = SHA256()
        for (key, value) in classifier.trainableParameters {
            hasher.update(Array(key.utf8))
            value.withUnsafeBufferPointer { hasher.update(UnsafeRawBufferPointer($0)) }
        }
        hasher.update(Array(classifier.labels.joined(separator: "\n").utf8))
        return String(hasher.finalize().prefix(12))
    }

    /// Loads and verifies the bundle at `folder`.
    public init(folder: String) throws {
        let parts = try Self.parts(of: folder)
        encoderFolder = folder + "/encoder"
        card = parts.card
        classifier = try parts.adapter.classifier(
            on: SentenceEmbedder(folder: encoderFolder), labels: parts.labels, calibration: parts.calibration)
    }

    /// What a verified bundle holds besides the encoder, and the SHA-256 its manifest
    /// records for the encoder's weights.
    static func parts(of folder: String) throws -> (
        adapter: LoRAAdapter, labels: [String], calibration: Calibration, card: ModelCard, encoderDigest: String
    ) {
        let manifest = try BundleManifest.verify(folder: folder, requiring: requiredFiles)
        let configuration: BundleConfiguration = try ClassifierBundle.decode(folder, "config.json")
        guard configuration.format == ClassifierBundle.format, configuration.head.type == "lora" else {
            throw BundleError.invalidFile(
                file: "config.json",
                reason:
                    "not a LoRA bundle (head type \"\(configuration.head.type)\"); load it with ClassifierBundle(folder:)"
            )
        }
        let labels: [String] = try ClassifierBundle.decode(folder, "labels.json")
        try ClassifierBundle.checkSense(labels: labels, calibration: configuration.calibration)
        guard let encoder = manifest.files.first(where: { $0.path == "encoder/model.safetensors" }),
            FileManager.default.fileExists(atPath: folder + "/encoder/config.json")
        else {
            throw BundleError.missingFile("encoder/model.safetensors")
        }
        let adapter = try LoRAAdapter(folder: folder + "/adapter")
        return (adapter, labels, configuration.calibration, configuration.card, encoder.sha256)
    }

    /// Writes the bundle to `folder`, replacing any bundle there only once the new one is complete.
    public func save(to folder: String) throws {
        try ClassifierBundle.writeFolder(to: folder) { staging in
            let configuration = BundleConfiguration(
                head: .init(type: "lora", dropout: classifier.configuration.dropout),
                calibration: classifier.calibration, card: card, version: version)
            try ClassifierBundle.writeJSON(configuration, to: staging.appendingPathComponent("config.json"))
            try ClassifierBundle.writeJSON(classifier.labels, to: staging.appendingPathComponent("labels.json"))
            try Data(card.markdown.utf8).write(to: staging.appendingPathComponent("MODEL_CARD.md"))
            try LoRAAdapter(classifier).write(
                to: staging.appendingPathComponent("adapter").path,
                baseModel: URL(fileURLWithPath: encoderFolder).lastPathComponent)
            var written = Self.requiredFiles
            written += try ClassifierBundle.copy(
                ClassifierBundle.encoderFiles.map { (encoderFolder + "/" + $0, "encoder/" + $0) }, into: staging)
            guard written.contains("encoder/model.safetensors") else {
                throw BundleError.missingFile(encoderFolder + "/model.safetensors")
            }
            return written
        }
    }
}
