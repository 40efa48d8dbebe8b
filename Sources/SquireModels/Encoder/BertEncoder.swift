package import SquireTensor

/// A BERT-compatible transformer encoder, loaded from a safetensors checkpoint.
///
/// Parameters keep the checkpoint's own keys (`encoder.layer.0.attention.self.query.weight`),
/// so loading, saving, LoRA targeting and quantization all speak the same names. A
/// `BertEncoder` is an immutable value: safe to share and call from many tasks at once.
public struct BertEncoder: Sendable {
    /// The sizes and options from `config.json`.
    public let configuration: BertConfiguration
    /// The input layer.
    public let embeddings: BertEmbeddings
    /// The transformer layers, in order.
    public let layers: [BertLayer]

    /// Loads the encoder from `checkpoint`, checking every tensor's shape against
    /// `configuration` and that every value is finite.
    ///
    /// Keys may carry the `bert.` prefix of task checkpoints (`BertForSequenceClassification`).
    public init(checkpoint: SafetensorsFile, configuration: BertConfiguration) throws {
        try configuration.validate(file: checkpoint.path)
        let prefix = checkpoint.names.contains("embeddings.word_embeddings.weight") ? "" : "bert."
        func load(_ key: String, _ shape: [Int]) throws -> Tensor {
            let tensor = try checkpoint.tensor(prefix + key, shape: shape)
            guard tensor.isFinite else {
                throw SafetensorsError.nonFiniteValues(file: checkpoint.path, tensor: prefix + key)
            }
            return tensor
        }
        try self.init(configuration: configuration, tensor: load) { key, out, input in
            try Linear(weight: load(key + ".weight", [out, input]), bias: load(key + ".bias", [out]))
        }
        // Layers beyond num_hidden_layers would be skipped without a word: part of the model.
        let layerPrefix = prefix + "encoder.layer."
        let stored = checkpoint.names.compactMap { name -> Int? in
            guard name.hasPrefix(layerPrefix) else { return nil }
            return Int(name.dropFirst(layerPrefix.count).prefix { $0 != "." })
        }
        if let deepest = stored.max(), deepest >= configuration.layerCount {
            throw ModelLoadingError.invalidConfiguration(
                file: "config.json",
                reason:
                    "num_hidden_layers is \(configuration.layerCount) but \(checkpoint.path) holds \(deepest + 1) layers; the configuration and the weights come from different models"
            )
        }
    }

    /// An encoder of `configuration`'s shape assembled from `tensor(key, shape)` for the
    /// embeddings and layer norms and `linear(key, out, in)` for the projections (keys without
    /// `.weight`), for loaders of other checkpoint layouts (quantized ones).
    package init(
        configuration: BertConfiguration, tensor load: (_ key: String, _ shape: [Int]) throws -> Tensor,
        linear: (_ key: String, _ out: Int, _ in: Int) throws -> any LinearLayer
    ) throws {
        self.configuration = configuration
        let (d, inner, epsilon) = (
            configuration.hiddenSize, configuration.intermediateSize, configuration.layerNormEpsilon
        )
        func norm(_ key: String) throws -> LayerNorm {
            LayerNorm(gamma: try load(key + ".weight", [d]), beta: try load(key + ".bias", [d]), epsilon: epsilon)
        }
        embeddings = try BertEmbeddings(
            words: try load("embeddings.word_embeddings.weight", [configuration.vocabularySize, d]),
            positions: try load("embeddings.position_embeddings.weight", [configuration.maximumPositions, d]),
            tokenTypes: try load("embeddings.token_type_embeddings.weight", [configuration.tokenTypeCount, d]),
            norm: try norm("embeddings.LayerNorm"))
        layers = try (0..<configuration.layerCount).map { index in
            let layer = "encoder.layer.\(index)"
            return try BertLayer(
                query: linear("\(layer).attention.self.query", d, d),
                key: linear("\(layer).attention.self.key", d, d),
                value: linear("\(layer).attention.self.value", d, d),
                attentionOutput: linear("\(layer).attention.output.dense", d, d),
                attentionNorm: norm("\(layer).attention.output.LayerNorm"),
                intermediate: linear("\(layer).intermediate.dense", inner, d),
                output: linear("\(layer).output.dense", d, inner),
                outputNorm: norm("\(layer).output.LayerNorm"),
                headCount: configuration.headCount)
        }
    }

    /// Every parameter under its checkpoint key, in checkpoint order: the embeddings'
    /// (`embeddings.…`), then each layer's (`encoder.layer.<i>.…`).
    public var parameters: NamedTensors {
        var result = embeddings.parameters.prefixingKeys(with: "embeddings.")
        for (index, layer) in layers.enumerated() {
            for (key, tensor) in layer.parameters { result["encoder.layer.\(index).\(key)"] = tensor }
        }
        return result
    }

    /// Contiguous groups of sequences with about equal token counts, one per core; a single
    /// group when the batch is too small to be worth splitting.
    package static func partition(_ ranges: [Range<Int>], into cores: Int) -> [Range<Int>] {
        let total = ranges.last?.upperBound ?? 0
        guard cores > 1, ranges.count >= 2, total >= 128 else { return [0..<ranges.count] }
        var parts: [Range<Int>] = []
        var start = 0
        for core in 1...cores where start < ranges.count {
            let target = total * core / cores
            var end = start + 1
            while end < ranges.count, ranges[end - 1].upperBound < target { end += 1 }
            // Leave out the sequence that crosses the target when that cuts nearer to it.
            if end - 1 > start, target - ranges[end - 2].upperBound < ranges[end - 1].upperBound - target { end -= 1 }
            if core == cores { end = ranges.count }
            parts.append(start..<end)
            start = end
        }
        return parts
    }

    /// Each sequence's rows in the packed `[N, D]` states, after checking its ids and length.
    func packedRanges(for sequences: [[Int]]) throws -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        var start = 0
        for (index, sequence) in sequences.enumerated() {
            guard !sequence.isEmpty else {
                throw TensorError.invalidArgument(
                    "sequence \(index) is empty; encode text with the tokenizer, which adds [CLS] and [SEP]")
            }
            guard sequence.count <= configuration.maximumPositions else {
                throw TensorError.invalidArgument(
                    "sequence \(index) has \(sequence.count) tokens; the model takes at most \(configuration.maximumPositions)"
                )
            }
            if let bad = sequence.first(where: { $0 < 0 || $0 >= configuration.vocabularySize }) {
                throw TensorError.invalidArgument(
                    "sequence \(index) holds token id \(bad), outside the vocabulary of \(configuration.vocabularySize)"
                )
            }
            ranges.append(start..<(start + sequence.count))
            start += sequence.count
        }
        return ranges
    }

    /// An encoder from its parts, for code that rebuilds it with new parameters or layers;
    /// the caller has checked their shapes against `configuration`.
    package init(configuration: BertConfiguration, embeddings: BertEmbeddings, layers: [BertLayer]) {
        self.configuration = configuration
        self.embeddings = embeddings
        self.layers = layers
    }
}
