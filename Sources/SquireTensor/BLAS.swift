import CSquireBLAS
import CSquireTensorKernels

/// Single-precision GEMM on raw row-major buffers, for kernels that address sub-matrices
/// in place through leading dimensions (one attention head inside a packed projection).
///
/// Prefer ``Tensor/matmul(_:_:transposeA:transposeB:alpha:)``; this is the unchecked
/// layer beneath it, and the caller guarantees every buffer holds what the sizes say.
///
/// Squire spreads products over cores itself and runs BLAS on one thread: on first use it
/// sets OpenBLAS's process-wide thread count to 1 (see ``BLASThreads``). A large product
/// is cut by rows (by columns when it has few rows) into one single-threaded call per
/// core, the cut fixed by the shape and the core count, so the same call gives the same
/// bits whatever else the process runs. Products of a few rows against a transposed matrix
/// (a short sentence through a linear layer) skip BLAS for an AVX2 kernel of Squire's own.
public enum BLAS {
    /// Below this many multiply-adds (`m · n · k`, some 50 µs of one core) a product stays on
    /// the calling thread, where waking a second core (a few µs) would be a large share of it.
    /// Chosen by that estimate, not tuned by a benchmark.
    package static let splitThreshold = 1 << 21
    /// Up to this many rows, `A · Bᵀ` runs Squire's own AVX2 kernel, which reads `B` in place
    /// where OpenBLAS would first pack it (batch-1 embedding: 17% lower latency; at about 40
    /// rows per core the two are level).
    package static let shortRows = 48

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
        BLASThreads.ensureSingle()
        let cores = ParallelParts.cores
        guard cores > 1, m * n * k >= splitThreshold, !ParallelParts.isInsidePart else {
            sgemm(transposeA, transposeB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
            return
        }
        // Cut on multiples of 16, the micro-kernels' tile, so no part computes a ragged
        // edge that the whole product would not.
        if m >= 32 * cores {
            let rows = (m / cores + 15) / 16 * 16
            ParallelParts.run((m + rows - 1) / rows) { part in
                let start = part * rows
                let count = Swift.min(rows, m - start)
                // Row i of op(A) starts at a + i·lda untransposed, at column i (a + i) transposed.
                sgemm(
                    transposeA, transposeB, count, n, k, alpha, a + (transposeA ? start : start * lda), lda,
                    b, ldb, beta, c + start * ldc, ldc)
            }
        } else if n >= 32 * cores {
            let columns = (n / cores + 15) / 16 * 16
            ParallelParts.run((n + columns - 1) / columns) { part in
                let start = part * columns
                let count = Swift.min(columns, n - start)
                // Column j of op(B) starts at b + j untransposed, at row j (b + j·ldb) transposed.
                sgemm(
                    transposeA, transposeB, m, count, k, alpha, a, lda,
                    b + (transposeB ? start * ldb : start), ldb, beta, c + start, ldc)
            }
        } else {
            sgemm(transposeA, transposeB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
        }
    }

    @inline(__always)
    private static func sgemm(
        _ transposeA: Bool, _ transposeB: Bool, _ m: Int, _ n: Int, _ k: Int, _ alpha: Float,
        _ a: UnsafePointer<Float>, _ lda: Int, _ b: UnsafePointer<Float>, _ ldb: Int,
        _ beta: Float, _ c: UnsafeMutablePointer<Float>, _ ldc: Int
    ) {
        if !transposeA, transposeB, m <= shortRows, TensorKernels.hasAVX2 {
            squire_sgemm_nt_avx2(a, lda, b, ldb, c, ldc, m, n, k, alpha, beta)
            return
        }
        cblas_sgemm(
            CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
            Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }
}
