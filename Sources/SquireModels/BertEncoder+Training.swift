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
        let (d, inner, epsilon) = (configuration.hiddenSize, configuration.intermediateSize, configuration.layerNormEpsilon)
        func normal(_ shape: [Int]) throws -> Tensor { try Tensor.normal(shape, standardDeviation: 0.02, using: &generator) }
        func linear(out: Int, in input: Int) throws -> Linear { try Linear(weight: normal([out, input]), bias: Tensor.zeros([out])) }
        func norm() throws -> LayerNorm { LayerNorm(gamma: try Tensor.ones([d]), beta: try Tensor.zeros([d]), epsilon: epsilon) }
        let embeddings = BertEmbeddings(
            words: try normal([configuration.vocabularySize, d]), positions: try normal([configuration.maximumPositions, d]),
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

    /// ``hiddenStates(for:)`` that also returns what the backward pass needs.
    public func forwardCaching(_ sequences: [[Int]]) throws -> (states: Tensor, ranges: [Range<Int>], cache: Cache) {
        let ranges = try packedRanges(for: sequences)
        guard !sequences.isEmpty else { throw TensorError.invalidArgument("a training batch needs at least one sequence") }
        var (states, embeddingCache) = try embeddings.forwardCaching(sequences)
        var layerCaches: [BertLayer.Cache] = []
        for layer in layers {
            let (output, cache) = try layer.forwardCaching(states, sequences: ranges)
            states = output
            layerCaches.append(cache)
        }
        return (states, ranges, Cache(embeddings: embeddingCache, layers: layerCaches))
    }

    /// The gradient of every parameter, in ``parameters`` order, from `∂L/∂states`
    /// (`[N, D]`): the layers' backward passes in the reverse order of their forward passes,
    /// then the embeddings'.
    public func backward(_ statesGradient: Tensor, cache: Cache) throws -> [Tensor] {
        var upstream = statesGradient
        var layerGradients: [[Tensor]] = []
        for (layer, layerCache) in zip(layers, cache.layers).reversed() {
            let (input, parameters) = try layer.backward(upstream, cache: layerCache)
            upstream = input
            layerGradients.append(parameters)
        }
        // Each layer's gradients are already in the checkpoint order `parameters` uses.
        return try embeddings.backward(upstream, cache: cache.embeddings) + layerGradients.reversed().flatMap { $0 }
    }

    /// An encoder of the same configuration with `tensors` as its parameters, in ``parameters`` order.
    public func replacingParameters(_ tensors: [Tensor]) throws -> BertEncoder {
        let perLayer = 16
        guard tensors.count == 5 + perLayer * layers.count else {
            throw TensorError.invalidArgument("this encoder has \(5 + perLayer * layers.count) parameter tensors, got \(tensors.count)")
        }
        for (index, (key, current)) in parameters.enumerated() where tensors[index].shape != current.shape {
            throw TensorError.shapeMismatch("BertEncoder.replacingParameters (\(key))", current.shape, tensors[index].shape)
        }
        let embeddings = BertEmbeddings(
            words: tensors[0], positions: tensors[1], tokenTypes: tensors[2],
            norm: LayerNorm(gamma: tensors[3], beta: tensors[4], epsilon: self.embeddings.norm.epsilon))
        let layers = try self.layers.enumerated().map { index, layer in
            try layer.replacingParameters(Array(tensors[(5 + index * perLayer)..<(5 + (index + 1) * perLayer)]))
        }
        return BertEncoder(configuration: configuration, embeddings: embeddings, layers: layers)
    }
}
