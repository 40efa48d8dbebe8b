public import SquireTensor

/// One transformer encoder layer: multi-head self-attention and a GELU feed-forward
/// block, each followed by a residual connection and a layer norm (post-norm, as BERT).
public struct BertLayer: Sendable {
    /// The query, key and value projections, `[D, D]` each; constants, because the fused
    /// projection below is built from them.
    public let query: Linear, key: Linear, value: Linear
    /// The projection after attention, `[D, D]`.
    public var attentionOutput: Linear
    /// Normalizes the attention block's output plus its input.
    public var attentionNorm: LayerNorm
    /// `[intermediateSize, D]`.
    public var intermediate: Linear
    /// `[D, intermediateSize]`.
    public var output: Linear
    /// Normalizes the feed-forward block's output plus its input.
    public var outputNorm: LayerNorm
    /// H.
    public let headCount: Int
    /// Query, key and value stacked `[3D, D]`, so one sgemm projects all three.
    private let projection: Linear

    /// Creates a layer from its parts; the fused projection is built here once.
    public init(
        query: Linear, key: Linear, value: Linear, attentionOutput: Linear, attentionNorm: LayerNorm,
        intermediate: Linear, output: Linear, outputNorm: LayerNorm, headCount: Int
    ) throws {
        (self.query, self.key, self.value) = (query, key, value)
        self.attentionOutput = attentionOutput
        self.attentionNorm = attentionNorm
        self.intermediate = intermediate
        self.output = output
        self.outputNorm = outputNorm
        self.headCount = headCount
        projection = try Linear(
            weight: Tensor.concatenating([query.weight, key.weight, value.weight]),
            bias: Tensor.concatenating([query.bias, key.bias, value.bias]))
    }

    /// Runs the layer on `x`, `[N, D]` packed tokens whose sequences occupy `ranges` of rows.
    ///
    /// Attention runs per sequence over exactly its own tokens, so no padding is computed
    /// and no mask is needed: the result equals a padded, masked batch.
    public func forward(_ x: Tensor, sequences ranges: [Range<Int>]) throws -> Tensor {
        try run(x, sequences: ranges, keepingCache: false).output
    }

    /// What ``backward(_:cache:)`` needs from the forward pass.
    public struct Cache: Sendable {
        let input: Tensor
        let ranges: [Range<Int>]
        /// `[N, 3D]`: queries, keys and values.
        let projected: Tensor
        /// Per sequence, `[H, T, T]` attention probabilities.
        let probabilities: [[Float]]
        /// `[N, D]`: attention output before its projection.
        let context: Tensor
        /// `[N, D]`: input of the attention layer norm.
        let attentionSum: Tensor
        /// `[N, D]`: output of the attention layer norm.
        let attended: Tensor
        /// `[N, intermediateSize]`: before GELU.
        let preActivation: Tensor
        /// `[N, intermediateSize]`: after GELU.
        let inner: Tensor
        /// `[N, D]`: input of the output layer norm.
        let outputSum: Tensor
    }

    /// ``forward(_:sequences:)`` that also returns what ``backward(_:cache:)`` needs.
    public func forwardCaching(_ x: Tensor, sequences ranges: [Range<Int>]) throws -> (output: Tensor, cache: Cache) {
        let (output, cache) = try run(x, sequences: ranges, keepingCache: true)
        return (output, cache!)
    }

    private func run(_ x: Tensor, sequences ranges: [Range<Int>], keepingCache: Bool) throws -> (output: Tensor, cache: Cache?) {
        let width = x.shape[1]
        let headSize = width / headCount
        let projected = try projection.forward(x)  // [N, 3D]: queries, keys, values side by side
        let scale = 1 / Float(headSize).squareRoot()
        let rowCount = x.shape[0]
        var context = [Float](repeating: 0, count: rowCount * width)
        var kept: [[Float]] = []
        try projected.withUnsafeBufferPointer { qkv in
            try context.withUnsafeMutableBufferPointer { contextBuffer in
                let (qkv, out) = (qkv.baseAddress!, contextBuffer.baseAddress!)
                for range in ranges {
                    let t = range.count
                    guard t > 0 else { kept.append([]); continue }
                    let rows = qkv + range.lowerBound * 3 * width
                    // scores[h] = Q_h · K_hᵀ / √Dh, every head into one [H, T, T] buffer.
                    var scores = [Float](unsafeUninitializedCapacity: headCount * t * t) { buffer, initialized in
                        for head in 0..<headCount {
                            BLAS.gemm(
                                transposeB: true, m: t, n: t, k: headSize, alpha: scale,
                                a: rows + head * headSize, lda: 3 * width,
                                b: rows + width + head * headSize, ldb: 3 * width,
                                c: buffer.baseAddress! + head * t * t, ldc: t)
                        }
                        initialized = headCount * t * t
                    }
                    scores = try Tensor(shape: [headCount, t, t], scalars: scores).softmax().scalars
                    // context[:, h] = P_h · V_h, written straight into the head's columns.
                    scores.withUnsafeBufferPointer { probabilities in
                        for head in 0..<headCount {
                            BLAS.gemm(
                                m: t, n: headSize, k: t,
                                a: probabilities.baseAddress! + head * t * t, lda: t,
                                b: rows + 2 * width + head * headSize, ldb: 3 * width,
                                c: out + range.lowerBound * width + head * headSize, ldc: width)
                        }
                    }
                    if keepingCache { kept.append(scores) }
                }
            }
        }
        let contextTensor = try Tensor(shape: [rowCount, width], scalars: context)
        let attentionSum = try attentionOutput.forward(contextTensor, adding: x)
        let attended = try attentionNorm.forward(attentionSum)
        let preActivation = try intermediate.forward(attended)
        let inner = preActivation.gelu()
        let outputSum = try output.forward(inner, adding: attended)
        let result = try outputNorm.forward(outputSum)
        guard keepingCache else { return (result, nil) }
        return (result, Cache(
            input: x, ranges: ranges, projected: projected, probabilities: kept, context: contextTensor,
            attentionSum: attentionSum, attended: attended, preActivation: preActivation, inner: inner, outputSum: outputSum))
    }

    /// The layer's parameters in checkpoint order: query, key, value, attention output,
    /// intermediate and output (weight, bias each), then the two layer norms (gamma, beta).
    public var parameterTensors: [Tensor] {
        [query.weight, query.bias, key.weight, key.bias, value.weight, value.bias,
         attentionOutput.weight, attentionOutput.bias, intermediate.weight, intermediate.bias, output.weight, output.bias,
         attentionNorm.gamma, attentionNorm.beta, outputNorm.gamma, outputNorm.beta]
    }

    /// A layer with the same shape and these parameters, in ``parameterTensors`` order.
    public func replacingParameters(_ tensors: [Tensor]) throws -> BertLayer {
        guard tensors.count == 16 else { throw TensorError.invalidArgument("a BERT layer has 16 parameter tensors, got \(tensors.count)") }
        return try BertLayer(
            query: Linear(weight: tensors[0], bias: tensors[1]), key: Linear(weight: tensors[2], bias: tensors[3]),
            value: Linear(weight: tensors[4], bias: tensors[5]), attentionOutput: Linear(weight: tensors[6], bias: tensors[7]),
            attentionNorm: LayerNorm(gamma: tensors[12], beta: tensors[13], epsilon: attentionNorm.epsilon),
            intermediate: Linear(weight: tensors[8], bias: tensors[9]), output: Linear(weight: tensors[10], bias: tensors[11]),
            outputNorm: LayerNorm(gamma: tensors[14], beta: tensors[15], epsilon: outputNorm.epsilon), headCount: headCount)
    }

    /// Backward of ``forwardCaching(_:sequences:)``, in the reverse order of the forward pass:
    /// `∂L/∂x` and the gradient of every parameter, in ``parameterTensors`` order.
    public func backward(_ outputGradient: Tensor, cache: Cache) throws -> (input: Tensor, parameters: [Tensor]) {
        let width = cache.input.shape[1]
        let rowCount = cache.input.shape[0]
        let headSize = width / headCount
        let scale = 1 / Float(headSize).squareRoot()

        // Feed-forward block: output norm, output projection (+ residual), GELU, intermediate.
        let outputNormGradients = try outputNorm.backward(outputGradient, input: cache.outputSum)
        let outputGradients = try output.backward(outputNormGradients.input, input: cache.inner)
        let preActivationGradient = try Activation.gelu.backward(outputGradients.input, input: cache.preActivation)
        let intermediateGradients = try intermediate.backward(preActivationGradient, input: cache.attended)
        // The attended states feed both the intermediate layer and the residual.
        let attendedGradient = try intermediateGradients.input + outputNormGradients.input

        // Attention block: attention norm, output projection (+ residual), attention, QKV projection.
        let attentionNormGradients = try attentionNorm.backward(attendedGradient, input: cache.attentionSum)
        let attentionOutputGradients = try attentionOutput.backward(attentionNormGradients.input, input: cache.context)
        var projectedGradient = [Float](repeating: 0, count: rowCount * 3 * width)
        cache.projected.withUnsafeBufferPointer { qkvBuffer in
            attentionOutputGradients.input.withUnsafeBufferPointer { contextGradientBuffer in
                projectedGradient.withUnsafeMutableBufferPointer { dqkvBuffer in
                    let (qkv, dContext, dqkv) = (qkvBuffer.baseAddress!, contextGradientBuffer.baseAddress!, dqkvBuffer.baseAddress!)
                    for (index, range) in cache.ranges.enumerated() where !range.isEmpty {
                        let t = range.count
                        let rows = qkv + range.lowerBound * 3 * width
                        let dRows = dqkv + range.lowerBound * 3 * width
                        let dOut = dContext + range.lowerBound * width
                        var dScores = [Float](repeating: 0, count: t * t)
                        cache.probabilities[index].withUnsafeBufferPointer { probabilitiesBuffer in
                            for head in 0..<headCount {
                                let p = probabilitiesBuffer.baseAddress! + head * t * t
                                // dV_h = P_hᵀ · dC_h; dP_h = dC_h · V_hᵀ.
                                BLAS.gemm(transposeA: true, m: t, n: headSize, k: t, a: p, lda: t,
                                          b: dOut + head * headSize, ldb: width, c: dRows + 2 * width + head * headSize, ldc: 3 * width)
                                dScores.withUnsafeMutableBufferPointer { dS in
                                    BLAS.gemm(transposeB: true, m: t, n: t, k: headSize, a: dOut + head * headSize, lda: width,
                                              b: rows + 2 * width + head * headSize, ldb: 3 * width, c: dS.baseAddress!, ldc: t)
                                    // Softmax backward per row: dS = P ⊙ (dP − Σ dP ⊙ P), then the 1/√Dh scale.
                                    for i in 0..<t {
                                        var dot: Float = 0
                                        for j in 0..<t { dot += dS[i * t + j] * p[i * t + j] }
                                        for j in 0..<t { dS[i * t + j] = p[i * t + j] * (dS[i * t + j] - dot) * scale }
                                    }
                                    // dQ_h = dS · K_h; dK_h = dSᵀ · Q_h.
                                    BLAS.gemm(m: t, n: headSize, k: t, a: dS.baseAddress!, lda: t,
                                              b: rows + width + head * headSize, ldb: 3 * width, c: dRows + head * headSize, ldc: 3 * width)
                                    BLAS.gemm(transposeA: true, m: t, n: headSize, k: t, a: dS.baseAddress!, lda: t,
                                              b: rows + head * headSize, ldb: 3 * width, c: dRows + width + head * headSize, ldc: 3 * width)
                                }
                            }
                        }
                    }
                }
            }
        }
        let projectionGradients = try projection.backward(Tensor(shape: [rowCount, 3 * width], scalars: projectedGradient), input: cache.input)
        let inputGradient = try projectionGradients.input + attentionNormGradients.input
        let qkvWeights = projectionGradients.weight
        let qkvBias = projectionGradients.bias
        return (inputGradient, [
            try qkvWeights.rows(0..<width), try qkvBias.slice(0..<width),
            try qkvWeights.rows(width..<(2 * width)), try qkvBias.slice(width..<(2 * width)),
            try qkvWeights.rows((2 * width)..<(3 * width)), try qkvBias.slice((2 * width)..<(3 * width)),
            attentionOutputGradients.weight, attentionOutputGradients.bias,
            intermediateGradients.weight, intermediateGradients.bias,
            outputGradients.weight, outputGradients.bias,
            attentionNormGradients.gamma, attentionNormGradients.beta,
            outputNormGradients.gamma, outputNormGradients.beta,
        ])
    }
}

private extension Tensor {
    /// Elements `range` of a 1-D tensor.
    func slice(_ range: Range<Int>) throws -> Tensor {
        Tensor(Array(scalars[range]))
    }
}
