import Foundation
import SquireCore

/// A BERT encoder's `config.json`: sizes and the options Squire's encoder honours.
public struct BertConfiguration: Sendable, Hashable, Codable {
    /// V: the vocabulary size.
    public var vocabularySize: Int
    /// D: the model width.
    public var hiddenSize: Int
    /// The number of encoder layers.
    public var layerCount: Int
    /// H: attention heads per layer; D must be a multiple of H.
    public var headCount: Int
    /// The feed-forward width.
    public var intermediateSize: Int
    /// The longest sequence the position embeddings cover.
    public var maximumPositions: Int
    /// The number of token types (segments).
    public var tokenTypeCount: Int
    /// The ε of every layer norm.
    public var layerNormEpsilon: Float
    /// The feed-forward activation; Squire supports `gelu` (the erf form).
    public var hiddenActivation: String
    /// How positions are embedded; Squire supports `absolute`.
    public var positionEmbeddingType: String

    /// Dh: the width of one head.
    public var headSize: Int { hiddenSize / headCount }

    enum CodingKeys: String, CodingKey {
        case vocabularySize = "vocab_size"
        case hiddenSize = "hidden_size"
        case layerCount = "num_hidden_layers"
        case headCount = "num_attention_heads"
        case intermediateSize = "intermediate_size"
        case maximumPositions = "max_position_embeddings"
        case tokenTypeCount = "type_vocab_size"
        case layerNormEpsilon = "layer_norm_eps"
        case hiddenActivation = "hidden_act"
        case positionEmbeddingType = "position_embedding_type"
    }

    /// Creates a configuration from its sizes.
    public init(
        vocabularySize: Int, hiddenSize: Int, layerCount: Int, headCount: Int, intermediateSize: Int,
        maximumPositions: Int = 512, tokenTypeCount: Int = 2, layerNormEpsilon: Float = 1e-12,
        hiddenActivation: String = "gelu", positionEmbeddingType: String = "absolute"
    ) throws {
        self.vocabularySize = vocabularySize
        self.hiddenSize = hiddenSize
        self.layerCount = layerCount
        self.headCount = headCount
        self.intermediateSize = intermediateSize
        self.maximumPositions = maximumPositions
        self.tokenTypeCount = tokenTypeCount
        self.layerNormEpsilon = layerNormEpsilon
        self.hiddenActivation = hiddenActivation
        self.positionEmbeddingType = positionEmbeddingType
        try validate(file: "(configuration)")
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        vocabularySize = try container.decode(Int.self, forKey: .vocabularySize)
        hiddenSize = try container.decode(Int.self, forKey: .hiddenSize)
        layerCount = try container.decode(Int.self, forKey: .layerCount)
        headCount = try container.decode(Int.self, forKey: .headCount)
        intermediateSize = try container.decode(Int.self, forKey: .intermediateSize)
        maximumPositions = try container.decodeIfPresent(Int.self, forKey: .maximumPositions) ?? 512
        tokenTypeCount = try container.decodeIfPresent(Int.self, forKey: .tokenTypeCount) ?? 2
        layerNormEpsilon = Float(try container.decodeIfPresent(Double.self, forKey: .layerNormEpsilon) ?? 1e-12)
        hiddenActivation = try container.decodeIfPresent(String.self, forKey: .hiddenActivation) ?? "gelu"
        positionEmbeddingType = try container.decodeIfPresent(String.self, forKey: .positionEmbeddingType) ?? "absolute"
    }

    /// Reads and validates `config.json` at `path`.
    public init(contentsOf path: String) throws {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw ModelLoadingError.missingFile(path)
        }
        do {
            self = try JSONDecoder().decode(BertConfiguration.self, from: data)
        } catch let error as DecodingError {
            throw ModelLoadingError.invalidConfiguration(
                file: path, reason: DecodingError.summary(of: error, decoding: data))
        }
        try validate(file: path)
    }

    /// Throws unless the sizes are positive and consistent, and the options supported.
    public func validate(file: String) throws {
        let sizes = [
            vocabularySize, hiddenSize, layerCount, headCount, intermediateSize, maximumPositions, tokenTypeCount,
        ]
        guard sizes.allSatisfy({ $0 > 0 }) else {
            throw ModelLoadingError.invalidConfiguration(file: file, reason: "every size must be positive")
        }
        guard hiddenSize % headCount == 0 else {
            throw ModelLoadingError.invalidConfiguration(
                file: file, reason: "hidden_size \(hiddenSize) is not a multiple of num_attention_heads \(headCount)")
        }
        guard hiddenActivation == "gelu" else {
            throw ModelLoadingError.invalidConfiguration(
                file: file, reason: "hidden_act \"\(hiddenActivation)\" is not supported; Squire implements gelu (erf)")
        }
        guard positionEmbeddingType == "absolute" else {
            throw ModelLoadingError.invalidConfiguration(
                file: file, reason: "position_embedding_type \"\(positionEmbeddingType)\" is not supported")
        }
        guard layerNormEpsilon.isFinite, layerNormEpsilon >= 0 else {
            throw ModelLoadingError.invalidConfiguration(
                file: file, reason: "layer_norm_eps must be a finite, non-negative number")
        }
    }
}
