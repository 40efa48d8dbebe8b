public import SquireTensor
import Synchronization

extension BertEncoder {
    /// The final hidden states of `sequences` (token ids, `[CLS]` … `[SEP]` included),
    /// packed: `[N, D]` for N tokens in all, sequence `i` in rows `ranges[i]`: the encoder's
    /// forward pass for inference.
    public func hiddenStates(for sequences: [[Int]]) throws -> (states: Tensor, ranges: [Range<Int>]) {
        let ranges = try packedRanges(for: sequences)
        guard !sequences.isEmpty else { return (try Tensor.zeros([0, configuration.hiddenSize]), []) }
        let parts = Self.partition(ranges, into: ParallelParts.cores)
        guard parts.count > 1 else { return (try forward(sequences, ranges: ranges), ranges) }
        // Sequences never see each other, so each core runs whole layers over its own share,
        // with no hand-off between cores inside a layer.
        let results = Mutex<[Int: Tensor]>([:])
        try ParallelParts.run(parts.count) { index in
            let part = parts[index]
            let first = ranges[part.lowerBound].lowerBound
            let local = ranges[part].map { ($0.lowerBound - first)..<($0.upperBound - first) }
            let states = try forward(Array(sequences[part]), ranges: local)
            results.withLock { $0[index] = states }
        }
        let collected = results.withLock { $0 }
        let states = try (0..<parts.count).map { index in
            guard let states = collected[index] else {
                throw TensorError.invalidArgument("part \(index) of the batch returned no hidden states")
            }
            return states
        }
        return (try Tensor.concatenating(states), ranges)
    }

    /// The encoder's forward pass in training, with the layers' randomness (LoRA dropout)
    /// drawn from `generator`: the hidden states as ``hiddenStates(for:)`` gives them, and
    /// what ``backward(_:cache:parametersWhere:)`` needs.
    public func forwardCaching(_ sequences: [[Int]], using generator: inout SeededGenerator) throws -> (
        states: Tensor, ranges: [Range<Int>], cache: Cache
    ) {
        let ranges = try packedRanges(for: sequences)
        guard !sequences.isEmpty else {
            throw TensorError.invalidArgument("a training batch needs at least one sequence")
        }
        let (states, cache) = try generator.training { try forward(sequences, ranges: ranges, training: &$0) }
        guard let cache else { throw missingCache(Self.self) }
        return (states, ranges, cache)
    }

    /// What ``backward(_:cache:parametersWhere:)`` needs from the forward pass.
    public struct Cache: Sendable {
        let embeddings: BertEmbeddings.Cache
        let layers: [BertLayer.Cache]
    }

    /// The one forward pass, embeddings then every layer, over packed `sequences` in rows
    /// `ranges`: for inference when `training` is nil, and otherwise drawing the layers'
    /// randomness from it and returning every layer's cache.
    private func forward(_ sequences: [[Int]], ranges: [Range<Int>], training: inout SeededGenerator?) throws -> (
        states: Tensor, cache: Cache?
    ) {
        var (states, embeddingsCache) = try embeddings.forward(sequences, training: &training)
        var layerCaches: [BertLayer.Cache] = []
        for layer in layers {
            let (output, cache) = try layer.forward(states, sequences: ranges, training: &training)
            states = output
            if let cache { layerCaches.append(cache) }
        }
        guard let embeddingsCache, layerCaches.count == layers.count else { return (states, nil) }
        return (states, Cache(embeddings: embeddingsCache, layers: layerCaches))
    }

    /// ``forward(_:ranges:training:)`` for inference: the hidden states alone.
    private func forward(_ sequences: [[Int]], ranges: [Range<Int>]) throws -> Tensor {
        var inference: SeededGenerator? = nil
        return try forward(sequences, ranges: ranges, training: &inference).states
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

}
