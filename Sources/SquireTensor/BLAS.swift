import CSquireBLAS

/// Single-precision GEMM on raw row-major buffers, for kernels that address sub-matrices
/// in place through leading dimensions (one attention head inside a packed projection).
///
/// Prefer ``Tensor/matmul(_:_:transposeA:transposeB:alpha:)``; this is the unchecked
/// layer beneath it, and the caller guarantees every buffer holds what the sizes say.
public enum BLAS {
    /// `C = alpha · op(A) · op(B) + beta · C`, row-major; `op(A)` is `m × k`, `op(B)` is `k × n`.
    ///
    /// With `beta == 0`, `C` is only written, never read, so it may be uninitialized.
    /// Leading dimensions are the distance in floats between consecutive stored rows.
    public static func gemm(
        transposeA: Bool = false, transposeB: Bool = false, m: Int, n: Int, k: Int, alpha: Float = 1,
        a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        guard m > 0, n > 0 else { return }
        guard k > 0 else {
            // No products to add: C = beta · C, without asking BLAS (some reject k = 0).
            for row in 0..<m where beta != 1 {
                for j in 0..<n { c[row * ldc + j] = beta == 0 ? 0 : beta * c[row * ldc + j] }
            }
            return
        }
        cblas_sgemm(
            CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
            Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }
}
