public import SquireTensor

extension BertEncoder {
    /// A freshly initialized encoder of `configuration`, as BERT initializes one: weights
    /// and embeddings normal with standard deviation 0.02, biases 0, layer norms 1 and 0.
    public init(configuration: BertConfiguration, seed: UInt64) throws {
        try configuration.validate(file: "(configuration)")
        var generator = SeededGenerator(seed: seed)
        let (d, inner, epsilon) = (
            configuration.hiddenSize, configuration.intermediateSize, configuration.layerNormEpsilon
        )
        func normal(_ shape: [Int]) throws -> Tensor {
            try Tensor.normal(shape, standardDeviation: 0.02, using: &generator)
        }
        func linear(out: Int, in input: Int) throws -> Linear {
            try Linear(weight: normal([out, input]), bias: Tensor.zeros([out]))
        }
        func norm() throws -> LayerNorm {
            LayerNorm(gamma: try Tensor.ones([d]), beta: try Tensor.zeros([d]), epsilon: epsilon)
        }
        let embeddings = try BertEmbeddings(
            words: try normal([configuration.vocabularySize, d]),
            positions: try normal([configuration.maximumPositions, d]),
            tokenTypes: try normal([configuration.tokenTypeCount, d]), norm: try norm())
        let layers = try (0..<configuration.layerCount).map { _ in
            try BertLayer(
                query: linear(out: d, in: d), key: linear(out: d, in: d), value: linear(out: d, in: d),
                attentionOutput: linear(out: d, in: d), attentionNorm: norm(),
                intermediate: linear(out: inner, in: d), output: linear(out: d, in: inner), outputNorm: norm(),
                headCount: configuration.headCount)
        }
        self.init(configuration: configuration, embeddings: embeddings, layers: layers)
    }

    /// An encoder of the same configuration with the tensors of `replacements` in place of
    /// the parameters under the same checkpoint keys (as in ``parameters``); the others stay.
    ///
    /// - Throws: ``NamedTensorsError`` for a key the encoder has no parameter for, or a tensor
    ///   of another shape than the one it replaces.
    public func replacingParameters(_ replacements: NamedTensors) throws -> BertEncoder {
        let parameters = try parameters.replacingTensors(with: replacements, context: "BertEncoder")
        let embeddings = try embeddings.replacingParameters(parameters.scoped("embeddings"))
        let layers = try layers.indices.map { index in
            try self.layers[index].replacingParameters(parameters.scoped("encoder.layer.\(index)"))
        }
        return BertEncoder(configuration: configuration, embeddings: embeddings, layers: layers)
    }

    /// An encoder of the same configuration with `tensors` as its parameters, in ``parameters`` order.
    ///
    /// - Throws: ``NamedTensorsError/countMismatch(keys:tensors:)`` for a wrong count, and
    ///   what the keyed `replacingParameters` throws.
    public func replacingParameters(_ tensors: [Tensor]) throws -> BertEncoder {
        try replacingParameters(NamedTensors(keys: parameters.keys, tensors: tensors))
    }

    /// The encoder with each projection replaced by what `transform` returns for its
    /// checkpoint key (`encoder.layer.0.attention.self.query`) and layer; nil keeps it.
    ///
    /// LoRA adapters and quantized layers are put in place this way.
    public func replacingLinearLayers(
        _ transform: (_ key: String, _ layer: any LinearLayer) throws -> (any LinearLayer)?
    ) throws -> BertEncoder {
        let layers = try self.layers.enumerated().map { index, layer in
            try layer.replacingLinearLayers { name, linear in try transform("encoder.layer.\(index).\(name)", linear) }
        }
        return BertEncoder(configuration: configuration, embeddings: embeddings, layers: layers)
    }
}
