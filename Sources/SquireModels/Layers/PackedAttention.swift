import SquireTensor

/// Multi-head scaled dot-product attention over packed sequences: each sequence attends
/// over exactly its own rows, so no padding is computed and no mask is needed.
enum PackedAttention {
    /// The attention context `[N, D]` from queries, keys and values side by side in
    /// `projected` (`[N, 3D]`), and per sequence the `[H, T, T]` probabilities when kept.
    static func forward(
        _ projected: Tensor, sequences ranges: [Range<Int>], headCount: Int, keepingProbabilities: Bool
    ) throws -> (context: Tensor, probabilities: [[Float]]) {
        let width = projected.shape[1] / 3
        let headSize = width / headCount
        let scale = 1 / Float(headSize).squareRoot()
        let rowCount = projected.shape[0]
        var context = [Float](repeating: 0, count: rowCount * width)
        var kept: [[Float]] = []
        try projected.withUnsafeBufferPointer { qkv in
            try context.withUnsafeMutableBufferPointer { contextBuffer in
                let (qkv, out) = (qkv.baseAddress!, contextBuffer.baseAddress!)
                for range in ranges {
                    let t = range.count
                    guard t > 0 else {
                        kept.append([])
                        continue
                    }
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
                    if keepingProbabilities { kept.append(scores) }
                }
            }
        }
        return (try Tensor(shape: [rowCount, width], scalars: context), kept)
    }

    /// `∂L/∂projected` (`[N, 3D]`: queries, keys, values) from `∂L/∂context` (`[N, D]`).
    static func backward(
        _ contextGradient: Tensor, projected: Tensor, probabilities: [[Float]], sequences ranges: [Range<Int>],
        headCount: Int
    ) throws -> Tensor {
        let width = contextGradient.shape[1]
        let rowCount = contextGradient.shape[0]
        let headSize = width / headCount
        let scale = 1 / Float(headSize).squareRoot()
        var projectedGradient = [Float](repeating: 0, count: rowCount * 3 * width)
        projected.withUnsafeBufferPointer { qkvBuffer in
            contextGradient.withUnsafeBufferPointer { contextGradientBuffer in
                projectedGradient.withUnsafeMutableBufferPointer { dqkvBuffer in
                    let (qkv, dContext, dqkv) = (
                        qkvBuffer.baseAddress!, contextGradientBuffer.baseAddress!, dqkvBuffer.baseAddress!
                    )
                    for (index, range) in ranges.enumerated() where !range.isEmpty {
                        let t = range.count
                        let rows = qkv + range.lowerBound * 3 * width
                        let dRows = dqkv + range.lowerBound * 3 * width
                        let dOut = dContext + range.lowerBound * width
                        var dScores = [Float](repeating: 0, count: t * t)
                        probabilities[index].withUnsafeBufferPointer { probabilitiesBuffer in
                            for head in 0..<headCount {
                                let p = probabilitiesBuffer.baseAddress! + head * t * t
                                // dV_h = P_hᵀ · dC_h; dP_h = dC_h · V_hᵀ.
                                BLAS.gemm(
                                    transposeA: true, m: t, n: headSize, k: t, a: p, lda: t,
                                    b: dOut + head * headSize, ldb: width, c: dRows + 2 * width + head * headSize,
                                    ldc: 3 * width)
                                dScores.withUnsafeMutableBufferPointer { dS in
                                    BLAS.gemm(
                                        transposeB: true, m: t, n: t, k: headSize, a: dOut + head * headSize,
                                        lda: width,
                                        b: rows + 2 * width + head * headSize, ldb: 3 * width, c: dS.baseAddress!,
                                        ldc: t)
                                    // Softmax backward per row: dS = P ⊙ (dP − Σ dP ⊙ P), then the 1/√Dh scale.
                                    for i in 0..<t {
                                        var dot: Float = 0
                                        for j in 0..<t { dot += dS[i * t + j] * p[i * t + j] }
                                        for j in 0..<t { dS[i * t + j] = p[i * t + j] * (dS[i * t + j] - dot) * scale }
                                    }
                                    // dQ_h = dS · K_h; dK_h = dSᵀ · Q_h.
                                    BLAS.gemm(
                                        m: t, n: headSize, k: t, a: dS.baseAddress!, lda: t,
                                        b: rows + width + head * headSize, ldb: 3 * width, c: dRows + head * headSize,
                                        ldc: 3 * width)
                                    BLAS.gemm(
                                        transposeA: true, m: t, n: headSize, k: t, a: dS.baseAddress!, lda: t,
                                        b: rows + head * headSize, ldb: 3 * width, c: dRows + width + head * headSize,
                                        ldc: 3 * width)
                                }
                            }
                        }
                    }
                }
            }
        }
        return try Tensor(shape: [rowCount, 3 * width], scalars: projectedGradient)
    }
}
