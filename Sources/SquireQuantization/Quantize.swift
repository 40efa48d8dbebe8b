public import SquireModels

extension BertEncoder {
    /// The encoder with every float projection that `filter` accepts quantized to `format`.
    ///
    /// `filter` sees each projection's checkpoint key (`encoder.layer.0.attention.self.query`)
    /// and layer; the default takes them all. Layers already quantized, or wrapped (a LoRA
    /// adapter), stay as they are. Embeddings and layer norms stay in float.
    public func quantized(
        _ format: QuantizationFormat,
        where filter: (_ key: String, _ layer: any LinearLayer) -> Bool = { _, _ in true }
    ) throws -> BertEncoder {
        try format.validate()
        return try replacingLinearLayers { key, layer in
            guard let linear = layer as? Linear, filter(key, layer) else { return nil }
            return try QuantizedLinear(quantizing: linear, format: format)
        }
    }

    /// Bytes the projections' weights take: 4 per float, the integers plus their scales for
    /// quantized ones. Biases, embeddings and layer norms are left out, since quantization
    /// does not change them.
    public var projectionWeightBytes: Int {
        layers.flatMap(\.linearLayers).reduce(0) { total, entry in
            if let quantized = entry.layer as? QuantizedLinear { return total + quantized.weight.byteCount }
            return total + entry.layer.inputDimension * entry.layer.outputDimension * MemoryLayout<Float>.size
        }
    }
}

extension SentenceEmbedder {
    /// The same embedder over ``BertEncoder/quantized(_:where:)``'s encoder.
    public func quantized(
        _ format: QuantizationFormat,
        where filter: (_ key: String, _ layer: any LinearLayer) -> Bool = { _, _ in true }
    ) throws -> SentenceEmbedder {
        try replacingEncoder(encoder.quantized(format, where: filter))
    }
}

extension EmbeddingClassifier {
    /// The same classifier over a quantized encoder (or, on a static model, a quantized table;
    /// `filter` then has nothing to choose); the head and calibration stay in float, being a
    /// small share of the model and the most sensitive to rounding.
    public func quantized(
        _ format: QuantizationFormat,
        where filter: (_ key: String, _ layer: any LinearLayer) -> Bool = { _, _ in true }
    ) throws -> EmbeddingClassifier {
        if let table = embedder as? StaticEmbedder {
            return try EmbeddingClassifier(embedder: table.quantized(format), head: head, calibration: calibration)
        }
        guard let embedder = embedder as? SentenceEmbedder else {
            throw QuantizationError.unsupportedFormat(
                "a \(type(of: embedder)) has no weights Squire knows how to quantize")
        }
        return try EmbeddingClassifier(
            embedder: embedder.quantized(format, where: filter), head: head, calibration: calibration)
    }
}

extension StaticEmbedder {
    /// The same model over its table quantized to `format` and back (one scale per row for
    /// int8): the answers a bundle with a quantized table gives.
    public func quantized(_ format: QuantizationFormat) throws -> StaticEmbedder {
        try StaticEmbedder(
            table: QuantizedMatrix(quantizing: table, format: format).dequantized(), tokenizer: tokenizer,
            normalizes: normalizes, maximumTokens: maximumTokens)
    }
}
