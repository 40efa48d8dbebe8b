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

    /// The gradients of the parameters whose keys `selected` accepts, in ``parameters``
    /// order, from `∂L/∂states` (`[N, D]`): the layers' backward passes in the reverse order
    /// of their forward passes, then the embeddings'.
    ///
    /// Frozen parts cost only what flows through them: a projection with no selected
    /// parameter computes no weight gradient, and when nothing below a layer is selected
    /// the backward pass stops there.
    public func backward(
        _ statesGradient: Tensor, cache: Cache, parametersWhere selected: (String) -> Bool = { _ in true }
    ) throws -> [Tensor] {
        let embeddingKeys = [
            "embeddings.word_embeddings.weight", "embeddings.position_embeddings.weight",
            "embeddings.token_type_embeddings.weight", "embeddings.LayerNorm.weight", "embeddings.LayerNorm.bias",
        ]
        let embeddingsWanted = embeddingKeys.map(selected)
        // The lowest layer with a selected parameter: nothing below it needs a gradient.
        let lowest =
            embeddingsWanted.contains(true)
            ? 0
            : layers.indices.first { index in
                layers[index].parameters.contains { selected("encoder.layer.\(index).\($0.key)") }
            }
        guard let lowest else { return [] }
        var upstream = statesGradient
        var layerGradients: [[Tensor]] = []
        for index in layers.indices.reversed() where index >= lowest {
            let (input, parameters) = try layers[index].backward(
                upstream, cache: cache.layers[index], parametersWhere: { selected("encoder.layer.\(index).\($0)") })
            upstream = input
            layerGradients.append(parameters)
        }
        var result: [Tensor] = []
        if embeddingsWanted.contains(true) {
            let gradients = try embeddings.backward(upstream, cache: cache.embeddings)
            result = zip(gradients, embeddingsWanted).filter(\.1).map(\.0)
        }
        // Each layer's gradients are already in the order `parameters` uses.
        return result + layerGradients.reversed().flatMap { $0 }
    }

    /// An encoder of the same configuration with `tensors` as its parameters, in ``parameters`` order.
    public func replacingParameters(_ tensors: [Tensor]) throws -> BertEncoder {
        let current = parameters
        guard tensors.count == current.count else {
            throw TensorError.invalidArgument(
                "this encoder has \(current.count) parameter tensors, got \(tensors.count)")
        }
        for (index, (key, tensor)) in current.enumerated() where tensors[index].shape != tensor.shape {
            throw TensorError.shapeMismatch(
                "BertEncoder.replacingParameters (\(key))", tensor.shape, tensors[index].shape)
        }
        let embeddings = try BertEmbeddings(
            words: tensors[0], positions: tensors[1], tokenTypes: tensors[2],
            norm: LayerNorm(gamma: tensors[3], beta: tensors[4], epsilon: self.embeddings.norm.epsilon))
        var start = 5
        let layers = try self.layers.map { layer in
            let count = layer.parameters.count
            defer { start += count }
            return try layer.replacingParameters(Array(tensors[start..<(start + count)]))
        }
        return BertEncoder(configuration: configuration, embeddings: embeddings, layers: layers)
    }

    /// An encoder with the parameters whose keys `selected` accepts replaced by `tensors`,
    /// given in ``parameters`` order; the rest stay as they are.
    public func replacingParameters(_ tensors: [Tensor], where selected: (String) -> Bool) throws -> BertEncoder {
        var all = parameters.map(\.tensor)
        let positions = parameters.indices.filter { selected(parameters[$0].key) }
        guard positions.count == tensors.count else {
            throw TensorError.invalidArgument(
                "\(positions.count) parameters are selected, got \(tensors.count) tensors")
        }
        for (position, tensor) in zip(positions, tensors) { all[position] = tensor }
        return try replacingParameters(all)
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
