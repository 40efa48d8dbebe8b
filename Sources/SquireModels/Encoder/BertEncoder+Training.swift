public import SquireTensor

extension BertEncoder {
    /// What ``backward(_:cache:)`` needs from ``forwardCaching(_:)``.
    public struct Cache: Sendable {
        let embeddings: BertEmbeddings.Cache
        let layers: [BertLayer.Cache]
    }

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

    /// ``hiddenStates(for:)`` that also returns what the backward pass needs, with the
    /// layers' training-time randomness (LoRA dropout) drawn from `generator`.
    public func forwardCaching(_ sequences: [[Int]], using generator: inout SeededGenerator) throws -> (
        states: Tensor, ranges: [Range<Int>], cache: Cache
    ) {
        let ranges = try packedRanges(for: sequences)
        guard !sequences.isEmpty else {
            throw TensorError.invalidArgument("a training batch needs at least one sequence")
        }
        var (states, embeddingCache) = try embeddings.forwardCaching(sequences)
        var layerCaches: [BertLayer.Cache] = []
        for layer in layers {
            let (output, cache) = try layer.forwardCaching(states, sequences: ranges, using: &generator)
            states = output
            layerCaches.append(cache)
        }
        return (states, ranges, Cache(embeddings: embeddingCache, layers: layerCaches))
    }

    /// The gradients of the parameters whose keys `selected` accepts, under those keys in
    /// ``parameters`` order, from `∂L/∂states` (`[N, D]`): the layers' backward passes in the
    /// reverse order of their forward passes, then the embeddings'.
    ///
    /// Frozen parts cost only what flows through them: a projection with no selected
    /// parameter computes no weight gradient, and when nothing below a layer is selected
    /// the backward pass stops there.
    public func backward(
        _ statesGradient: Tensor, cache: Cache, parametersWhere selected: (String) -> Bool = { _ in true }
    ) throws -> NamedTensors {
        let embeddingsWanted = embeddings.parameters.keys.contains { selected("embeddings.\($0)") }
        // The lowest layer with a selected parameter: nothing below it needs a gradient.
        let lowest =
            embeddingsWanted
            ? 0
            : layers.indices.first { index in
                layers[index].parameters.keys.contains { selected("encoder.layer.\(index).\($0)") }
            }
        guard let lowest else { return NamedTensors() }
        var upstream = statesGradient
        var layerGradients: [Int: NamedTensors] = [:]
        for index in layers.indices.reversed() where index >= lowest {
            let (input, parameters) = try layers[index].backward(
                upstream, cache: cache.layers[index], parametersWhere: { selected("encoder.layer.\(index).\($0)") })
            upstream = input
            layerGradients[index] = parameters
        }
        var result = NamedTensors()
        if embeddingsWanted {
            result = try embeddings.backward(upstream, cache: cache.embeddings) { selected("embeddings.\($0)") }
                .prefixingKeys(with: "embeddings.")
        }
        for index in layers.indices {
            for (key, tensor) in layerGradients[index] ?? NamedTensors() {
                result["encoder.layer.\(index).\(key)"] = tensor
            }
        }
        return result
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
