public import SquireModels

/// Several LoRA models over one base encoder in memory — one all-MiniLM-L6-v2 serving the
/// router, the moderation check and the reranker — each a `TextClassifier`, chosen per call
/// by name.
///
/// Every model shares the base's tensors (they are values with copy-on-write storage and no
/// adapter ever writes to them), so each one added costs only its adapter and classifier.
///
/// ```swift
/// var models = try AdapterSet(baseFolder: ModelFolder.allMiniLML6V2)
/// try models.addBundle(at: "router-bundle", named: "router")
/// try models.addBundle(at: "moderation-bundle", named: "moderation")
/// let route = try await models["router"]!.classify("cancel my order")
/// ```
public struct AdapterSet: Sendable {
    /// The shared base embedder.
    public let base: SentenceEmbedder
    /// The models, by name.
    public private(set) var classifiers: [String: LoRAClassifier] = [:]
    /// The SHA-256 of the base's weights file, which a bundle's encoder must match.
    private let baseDigest: String?

    /// A set over the base model in `baseFolder`.
    public init(baseFolder: String) throws {
        base = try SentenceEmbedder(folder: baseFolder)
        baseDigest = try SHA256.hexDigest(ofFile: baseFolder + "/model.safetensors")
    }

    /// A set over an already loaded base; bundles are then checked by shape only.
    public init(base: SentenceEmbedder) {
        self.base = base
        baseDigest = nil
    }

    /// The model called `name`, if there is one.
    public subscript(name: String) -> LoRAClassifier? {
        classifiers[name]
    }

    /// The names of the models, sorted.
    public var names: [String] {
        classifiers.keys.sorted()
    }

    /// Applies `adapter` (with its classifier) to the base under `name`, replacing any
    /// model of that name.
    public mutating func add(
        _ adapter: LoRAAdapter, named name: String, labels: [String], calibration: Calibration = .none
    ) throws {
        classifiers[name] = try adapter.classifier(on: base, labels: labels, calibration: calibration)
    }

    /// Adds the model of a LoRA bundle (``LoRABundle``) without loading its copy of the
    /// encoder. Throws when the bundle was trained on other base weights than this set's.
    public mutating func addBundle(at folder: String, named name: String) throws {
        let parts = try LoRABundle.parts(of: folder)
        if let baseDigest, parts.encoderDigest != baseDigest {
            throw LoRAError.invalidAdapter(
                file: folder + "/encoder/model.safetensors",
                reason: "the bundle was trained on other base weights than this set's base")
        }
        try add(parts.adapter, named: name, labels: parts.labels, calibration: parts.calibration)
    }
}
