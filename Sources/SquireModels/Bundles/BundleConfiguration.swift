/// `config.json` of a classifier bundle.
package struct BundleConfiguration: Codable {
    package struct Head: Codable {
        package var type: String
        var hiddenSizes: [Int]?
        var activation: Activation?
        package var dropout: Float?
        /// Absent in bundles written before label smoothing existed.
        var labelSmoothing: Float?
        var transformer: Transformer?

        enum CodingKeys: String, CodingKey {
            case type, activation, dropout, transformer
            case hiddenSizes = "hidden_sizes"
            case labelSmoothing = "label_smoothing"
        }
    }

    /// The sizes of a tiny transformer.
    struct Transformer: Codable {
        var layerCount: Int
        var hiddenSize: Int
        var headCount: Int
        var intermediateSize: Int
        var maximumLength: Int

        enum CodingKeys: String, CodingKey {
            case layerCount = "layers"
            case hiddenSize = "hidden_size"
            case headCount = "heads"
            case intermediateSize = "intermediate_size"
            case maximumLength = "max_length"
        }
    }

    package var format: String
    package var head: Head
    package var calibration: Calibration
    package var card: ModelCard
    package var version: String
    /// How the encoder's weights are quantized (`int8`, `int4-32`); absent for float.
    package var quantization: String?
    /// What `encoder/` holds: ``staticEmbedder`` for a static model; absent for a sentence
    /// encoder (and in every bundle written before static models).
    package var embedder: String?

    /// ``embedder`` for a head on a static model.
    package static let staticEmbedder = "static"
}

extension BundleConfiguration.Head {
    /// A head described by its type alone (and its dropout), for bundles of other modules.
    package init(type: String, dropout: Float?) {
        self.init(
            type: type, hiddenSizes: nil, activation: nil, dropout: dropout, labelSmoothing: nil, transformer: nil)
    }
}

extension BundleConfiguration {
    package init(
        head: Head, calibration: Calibration, card: ModelCard, version: String, quantization: String? = nil,
        embedder: String? = nil
    ) {
        self.init(
            format: ClassifierBundle.format, head: head, calibration: calibration, card: card, version: version,
            quantization: quantization, embedder: embedder)
    }
}
