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
        let width = x.shape[1]
        let headSize = width / headCount
        let projected = try projection.forward(x)  // [N, 3D]: queries, keys, values side by side
        let scale = 1 / Float(headSize).squareRoot()
        let rowCount = x.shape[0]
        var context = [Float](repeating: 0, count: rowCount * width)
        try projected.withUnsafeBufferPointer { qkv in
            try context.withUnsafeMutableBufferPointer { contextBuffer in
                let (qkv, out) = (qkv.baseAddress!, contextBuffer.baseAddress!)
                for range in ranges where !range.isEmpty {
                    let t = range.count
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
                }
            }
        }
        let attended = try attentionNorm.forward(
            attentionOutput.forward(Tensor(shape: [rowCount, width], scalars: context), adding: x))
        let inner = try intermediate.forward(attended).gelu()
        return try outputNorm.forward(output.forward(inner, adding: attended))
    }
}
