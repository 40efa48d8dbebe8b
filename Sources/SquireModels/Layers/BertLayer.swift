public import SquireTensor

/// One transformer encoder layer: multi-head self-attention and a GELU feed-forward
/// block, each followed by a residual connection and a layer norm (post-norm, as BERT).
///
/// The six projections are any ``LinearLayer`` — plain, LoRA-adapted or quantized — held
/// under their checkpoint names (``linearNames``).
public struct BertLayer: Sendable {
    /// The query, key and value projections, `[D, D]` each.
    public let query: any LinearLayer, key: any LinearLayer, value: any LinearLayer
    /// The projection after attention, `[D, D]`.
    public let attentionOutput: any LinearLayer
    /// Normalizes the attention block's output plus its input.
    public let attentionNorm: LayerNorm
    /// `[intermediateSize, D]`.
    public let intermediate: any LinearLayer
    /// `[D, intermediateSize]`.
    public let output: any LinearLayer
    /// Normalizes the feed-forward block's output plus its input.
    public let outputNorm: LayerNorm
    /// H.
    public let headCount: Int
    /// Query, key and value stacked `[3D, D]` when all three are plain ``Linear`` layers,
    /// so one sgemm projects all three.
    private let fusedProjection: Linear?

    /// The checkpoint names of the projections, relative to the layer, in ``linearLayers`` order.
    public static let linearNames = [
        "attention.self.query", "attention.self.key", "attention.self.value",
        "attention.output.dense", "intermediate.dense", "output.dense",
    ]

    /// Creates a layer from its parts.
    public init(
        query: any LinearLayer, key: any LinearLayer, value: any LinearLayer, attentionOutput: any LinearLayer,
        attentionNorm: LayerNorm,
        intermediate: any LinearLayer, output: any LinearLayer, outputNorm: LayerNorm, headCount: Int
    ) throws {
        let width = query.inputDimension
        for (name, layer) in zip(Self.linearNames, [query, key, value, attentionOutput])
        where layer.inputDimension != width || layer.outputDimension != width {
            throw TensorError.shapeMismatch(
                "BertLayer (\(name))", [width, width], [layer.outputDimension, layer.inputDimension])
        }
        guard intermediate.inputDimension == width, output.inputDimension == intermediate.outputDimension,
            output.outputDimension == width,
            headCount > 0, width % headCount == 0
        else {
            throw TensorError.shapeMismatch(
                "BertLayer (feed-forward)", [intermediate.outputDimension, width],
                [output.outputDimension, output.inputDimension])
        }
        (self.query, self.key, self.value) = (query, key, value)
        self.attentionOutput = attentionOutput
        self.attentionNorm = attentionNorm
        self.intermediate = intermediate
        self.output = output
        self.outputNorm = outputNorm
        self.headCount = headCount
        if let query = query as? Linear, let key = key as? Linear, let value = value as? Linear {
            fusedProjection = try Linear(
                weight: Tensor.concatenating([query.weight, key.weight, value.weight]),
                bias: Tensor.concatenating([query.bias, key.bias, value.bias]))
        } else {
            fusedProjection = nil
        }
    }

    /// The six projections under their names, in ``linearNames`` order.
    public var linearLayers: [(name: String, layer: any LinearLayer)] {
        Array(zip(Self.linearNames, [query, key, value, attentionOutput, intermediate, output]))
    }

    /// Every parameter under its key relative to the layer: each projection's parameters
    /// (``linearNames`` order), then the two layer norms (`weight` = gamma, `bias` = beta).
    public var parameters: NamedTensors {
        var result = NamedTensors()
        for (name, layer) in linearLayers {
            for (key, tensor) in layer.parameters { result["\(name).\(key)"] = tensor }
        }
        for (name, norm) in [(Self.normNames[0], attentionNorm), (Self.normNames[1], outputNorm)] {
            result["\(name).weight"] = norm.gamma
            result["\(name).bias"] = norm.beta
        }
        return result
    }

    /// The checkpoint names of the attention and output layer norms, relative to the layer.
    private static let normNames = ["attention.output.LayerNorm", "output.LayerNorm"]

    /// A layer with the same shape and the tensors of `replacements` in place of the
    /// parameters under the same keys (relative to the layer, as in ``parameters``); the
    /// others stay.
    ///
    /// - Throws: ``NamedTensorsError`` for an unknown key or a tensor of another shape.
    public func replacingParameters(_ replacements: NamedTensors) throws -> BertLayer {
        let parameters = try parameters.replacingTensors(with: replacements, context: "BertLayer")
        let linears = try linearLayers.map { name, layer in try layer.replacingParameters(parameters.scoped(name)) }
        func norm(_ name: String, like norm: LayerNorm) throws -> LayerNorm {
            LayerNorm(
                gamma: try parameters.tensor(forKey: name + ".weight"),
                beta: try parameters.tensor(forKey: name + ".bias"),
                epsilon: norm.epsilon)
        }
        return try BertLayer(
            query: linears[0], key: linears[1], value: linears[2], attentionOutput: linears[3],
            attentionNorm: norm(Self.normNames[0], like: attentionNorm),
            intermediate: linears[4], output: linears[5],
            outputNorm: norm(Self.normNames[1], like: outputNorm), headCount: headCount)
    }

    /// The layer with each projection replaced by what `transform` returns for its name
    /// (``linearNames``); nil keeps the projection.
    public func replacingLinearLayers(
        _ transform: (_ name: String, _ layer: any LinearLayer) throws -> (any LinearLayer)?
    ) throws -> BertLayer {
        let linears = try linearLayers.map { name, layer in try transform(name, layer) ?? layer }
        return try BertLayer(
            query: linears[0], key: linears[1], value: linears[2], attentionOutput: linears[3],
            attentionNorm: attentionNorm,
            intermediate: linears[4], output: linears[5], outputNorm: outputNorm, headCount: headCount)
    }

    /// What ``backward(_:cache:parametersWhere:)`` needs from the forward pass.
    public struct Cache: Sendable {
        /// What the attention block keeps.
        struct Attention: Sendable {
            /// `[N, D]`: the layer's input.
            let input: Tensor
            let ranges: [Range<Int>]
            /// `[N, 3D]`: queries, keys and values.
            let projected: Tensor
            /// One cache for the fused projection, or one each for query, key and value.
            let projectionCaches: [LinearLayerCache]
            /// Per sequence, `[H, T, T]` attention probabilities.
            let probabilities: [[Float]]
            let outputCache: LinearLayerCache
            /// `[N, D]`: input of the attention layer norm.
            let sum: Tensor
        }

        /// What the feed-forward block keeps.
        struct FeedForward: Sendable {
            let intermediateCache: LinearLayerCache
            /// `[N, intermediateSize]`: before GELU.
            let preActivation: Tensor
            let outputCache: LinearLayerCache
            /// `[N, D]`: input of the output layer norm.
            let sum: Tensor
        }

        let attention: Attention
        let feedForward: FeedForward
    }

    /// Runs the layer on `x`, `[N, D]` packed tokens whose sequences occupy `ranges` of rows:
    /// the layer's one forward pass.
    ///
    /// For inference `training` is nil: no dropout, and no cache. In training the
    /// projections' randomness (LoRA dropout) is drawn from `training`, and the cache is what
    /// ``backward(_:cache:parametersWhere:)`` needs. Attention runs per sequence over exactly
    /// its own tokens, so no padding is computed and no mask is needed: the result equals a
    /// padded, masked batch.
    public func forward(_ x: Tensor, sequences ranges: [Range<Int>], training: inout SeededGenerator?) throws -> (
        output: Tensor, cache: Cache?
    ) {
        let (attended, attention) = try attentionBlock(x, sequences: ranges, training: &training)
        let (result, feedForward) = try feedForwardBlock(attended, training: &training)
        guard let attention, let feedForward else { return (result, nil) }
        return (result, Cache(attention: attention, feedForward: feedForward))
    }

    // The two blocks are functions of their own, and each takes what training keeps as soon as
    // it exists, so that in inference every intermediate result is freed at its last use rather
    // than held to the end of the layer.

    /// Self-attention, its output projection with the residual, and the attention layer norm.
    private func attentionBlock(_ x: Tensor, sequences ranges: [Range<Int>], training: inout SeededGenerator?)
        throws -> (attended: Tensor, cache: Cache.Attention?)
    {
        let (projected, projectionCaches) = try project(x, training: &training)
        let kept = projectionCaches.map { (projected: projected, caches: $0) }
        let (context, probabilities) = try PackedAttention.forward(
            projected, sequences: ranges, headCount: headCount, keepingProbabilities: training != nil)
        let (sum, outputCache) = try attentionOutput.forward(context, adding: x, training: &training)
        let attended = try attentionNorm.forward(sum)
        guard let kept, let outputCache else { return (attended, nil) }
        return (
            attended,
            Cache.Attention(
                input: x, ranges: ranges, projected: kept.projected, projectionCaches: kept.caches,
                probabilities: probabilities, outputCache: outputCache, sum: sum)
        )
    }

    /// The GELU feed-forward, its output projection with the residual, and the output layer norm.
    private func feedForwardBlock(_ attended: Tensor, training: inout SeededGenerator?) throws -> (
        output: Tensor, cache: Cache.FeedForward?
    ) {
        let (preActivation, intermediateCache) = try intermediate.forward(attended, adding: nil, training: &training)
        let kept = intermediateCache.map { (preActivation: preActivation, cache: $0) }
        let (sum, outputCache) = try output.forward(preActivation.gelu(), adding: attended, training: &training)
        let result = try outputNorm.forward(sum)
        guard let kept, let outputCache else { return (result, nil) }
        return (
            result,
            Cache.FeedForward(
                intermediateCache: kept.cache, preActivation: kept.preActivation, outputCache: outputCache, sum: sum)
        )
    }

    /// Queries, keys and values side by side, `[N, 3D]`, in one product when they are fused;
    /// in training, the projections' caches.
    private func project(_ x: Tensor, training: inout SeededGenerator?) throws -> (Tensor, [LinearLayerCache]?) {
        if let fusedProjection {
            let (projected, cache) = try fusedProjection.forward(x, adding: nil, training: &training)
            return (projected, cache.map { [$0] })
        }
        var caches: [LinearLayerCache] = []
        func part(_ layer: any LinearLayer) throws -> Tensor {
            let (output, cache) = try layer.forward(x, adding: nil, training: &training)
            if let cache { caches.append(cache) }
            return output
        }
        let projected = try Tensor.concatenating([part(query), part(key), part(value)], alongAxis: 1)
        return (projected, caches.count == 3 ? caches : nil)
    }

    /// ``forward(_:sequences:training:)`` for inference.
    public func forward(_ x: Tensor, sequences ranges: [Range<Int>]) throws -> Tensor {
        var inference: SeededGenerator? = nil
        return try forward(x, sequences: ranges, training: &inference).output
    }

    /// ``forward(_:sequences:training:)`` in training, with its randomness drawn from `generator`.
    public func forwardCaching(_ x: Tensor, sequences ranges: [Range<Int>], using generator: inout SeededGenerator)
        throws -> (output: Tensor, cache: Cache)
    {
        let (output, cache) = try generator.training { try forward(x, sequences: ranges, training: &$0) }
        guard let cache else { throw missingCache(Self.self) }
        return (output, cache)
    }

    /// Backward of ``forward(_:sequences:training:)``, in the reverse order of the
    /// forward pass: `∂L/∂x`, and the gradients of the parameters whose keys (relative to
    /// the layer, as in ``parameters``) `selected` accepts, under those keys in ``parameters`` order.
    ///
    /// A projection none of whose parameters is selected computes no weight gradient, only
    /// what flows through it — the frozen base of a LoRA fine-tune.
    public func backward(
        _ outputGradient: Tensor, cache: Cache, parametersWhere selected: (String) -> Bool = { _ in true }
    ) throws -> (input: Tensor, parameters: NamedTensors) {
        let (attention, feedForward) = (cache.attention, cache.feedForward)
        let width = attention.input.shape[1]
        // Each projection's gradients under its name, gathered in `parameters` order at the end.
        var projections: [String: NamedTensors] = [:]
        func projectionBackward(
            _ name: String, _ layer: any LinearLayer, _ gradient: Tensor, _ cache: LinearLayerCache
        ) throws -> Tensor {
            let gradients = try layer.backward(gradient, cache: cache, parametersWhere: { selected("\(name).\($0)") })
            projections[name] = gradients.parameters
            return gradients.input
        }

        // Feed-forward block: output norm, output projection (+ residual), GELU, intermediate.
        let outputNormGradients = try outputNorm.backward(outputGradient, input: feedForward.sum)
        let activationGradient = try projectionBackward(
            "output.dense", output, outputNormGradients.input, feedForward.outputCache)
        let preActivationGradient = try Activation.gelu.backward(activationGradient, input: feedForward.preActivation)
        let intermediateInputGradient = try projectionBackward(
            "intermediate.dense", intermediate, preActivationGradient, feedForward.intermediateCache)
        // The attended states feed both the intermediate layer and the residual.
        let attendedGradient = try intermediateInputGradient + outputNormGradients.input

        // Attention block: attention norm, output projection (+ residual), attention, QKV projections.
        let attentionNormGradients = try attentionNorm.backward(attendedGradient, input: attention.sum)
        let contextGradient = try projectionBackward(
            "attention.output.dense", attentionOutput, attentionNormGradients.input, attention.outputCache)
        let projectedGradient = try PackedAttention.backward(
            contextGradient, projected: attention.projected, probabilities: attention.probabilities,
            sequences: attention.ranges, headCount: headCount)
        var projectionInputGradient: Tensor
        if let fusedProjection {
            let wanted = Self.linearNames[0..<3].contains { name in
                selected("\(name).weight") || selected("\(name).bias")
            }
            if wanted {
                let gradients = try fusedProjection.backward(projectedGradient, input: attention.input)
                for (part, name) in Self.linearNames[0..<3].enumerated() {
                    let rows = (part * width)..<((part + 1) * width)
                    var own = NamedTensors()
                    if selected("\(name).weight") { own["weight"] = try gradients.weight.rows(rows) }
                    if selected("\(name).bias") { own["bias"] = Tensor(Array(gradients.bias.scalars[rows])) }
                    projections[name] = own
                }
                projectionInputGradient = gradients.input
            } else {
                projectionInputGradient = try Tensor.matmul(projectedGradient, fusedProjection.weight)
            }
        } else {
            guard attention.projectionCaches.count == 3 else {
                throw TensorError.invalidArgument(
                    "this cache holds \(attention.projectionCaches.count) projection caches; a layer with separate query, key and value projections needs 3"
                )
            }
            projectionInputGradient = try Tensor.zeros(attention.input.shape)
            for (part, (name, layer)) in linearLayers.prefix(3).enumerated() {
                projectionInputGradient =
                    try projectionInputGradient
                    + projectionBackward(
                        name, layer, projectedGradient.columns((part * width)..<((part + 1) * width)),
                        attention.projectionCaches[part])
            }
        }
        let inputGradient = try projectionInputGradient + attentionNormGradients.input

        var parameters = NamedTensors()
        for name in Self.linearNames {
            for (key, tensor) in projections[name] ?? NamedTensors() { parameters["\(name).\(key)"] = tensor }
        }
        for (name, gradients) in zip(Self.normNames, [attentionNormGradients, outputNormGradients]) {
            if selected("\(name).weight") { parameters["\(name).weight"] = gradients.gamma }
            if selected("\(name).bias") { parameters["\(name).bias"] = gradients.beta }
        }
        return (inputGradient, parameters)
    }
}

extension Tensor {
    /// Columns `range` of a 2-D tensor.
    fileprivate func columns(_ range: Range<Int>) throws -> Tensor {
        let (rows, width) = (shape[0], shape[1])
        var result = [Float]()
        result.reserveCapacity(rows * range.count)
        withUnsafeBufferPointer { buffer in
            for row in 0..<rows {
                result.append(contentsOf: buffer[(row * width + range.lowerBound)..<(row * width + range.upperBound)])
            }
        }
        return try Tensor(shape: [rows, range.count], scalars: result)
    }
}
