extension Tensor {
    /// The matrix product `op(a) · op(b)`, where `op` transposes when asked, through ``BLAS``.
    ///
    /// Accepted shapes (before the transposes, which apply to the last two axes):
    /// - `[M, K] · [K, N]` → `[M, N]`;
    /// - `[…, M, K] · [K, N]` → `[…, M, N]`: leading axes fold into rows, one sgemm call
    ///   (a linear layer over `[B, T, D]`); not with `transposeA`;
    /// - `[…, M, K] · […, K, N]` → `[…, M, N]` with identical leading axes: one sgemm per
    ///   batch entry (attention over `[B, H, T, Dh]`).
    ///
    /// `alpha` scales the product, saving a pass for attention's `1/sqrt(Dh)`.
    public static func matmul(
        _ a: Tensor, _ b: Tensor, transposeA: Bool = false, transposeB: Bool = false, alpha: Float = 1
    ) throws -> Tensor {
        let plan = try MatMulPlan(a.shape, b.shape, transposeA: transposeA, transposeB: transposeB)
        let total = plan.batch * plan.m * plan.n
        let result = [Float](unsafeUninitializedCapacity: total) { output, initialized in
            a.scalars.withUnsafeBufferPointer { lhs in
                b.scalars.withUnsafeBufferPointer { rhs in
                    plan.run(lhs.baseAddress, rhs.baseAddress, output.baseAddress, alpha: alpha)
                }
            }
            initialized = total
        }
        return Tensor(unchecked: plan.resultShape, scalars: result)
    }

    /// The same product as ``matmul(_:_:transposeA:transposeB:alpha:)`` by plain loops,
    /// accumulating in `Double`: the reference the BLAS path is tested against.
    public static func naiveMatmul(
        _ a: Tensor, _ b: Tensor, transposeA: Bool = false, transposeB: Bool = false, alpha: Float = 1
    ) throws -> Tensor {
        let plan = try MatMulPlan(a.shape, b.shape, transposeA: transposeA, transposeB: transposeB)
        let (m, n, k) = (plan.m, plan.n, plan.k)
        var result = [Float](repeating: 0, count: plan.batch * m * n)
        for batch in 0..<plan.batch {
            let aBase = batch * m * k
            let bBase = plan.sharedB ? 0 : batch * k * n
            for i in 0..<m {
                for j in 0..<n {
                    var sum = 0.0
                    for p in 0..<k {
                        let x = a.scalars[aBase + (transposeA ? p * m + i : i * k + p)]
                        let y = b.scalars[bBase + (transposeB ? j * k + p : p * n + j)]
                        sum += Double(x) * Double(y)
                    }
                    result[batch * m * n + i * n + j] = Float(sum * Double(alpha))
                }
            }
        }
        return Tensor(unchecked: plan.resultShape, scalars: result)
    }
}

/// The sizes of one (possibly batched) matrix product, checked once.
struct MatMulPlan {
    var batch: Int
    var m: Int
    var n: Int
    var k: Int
    var transposeA: Bool
    var transposeB: Bool
    /// Whether every batch entry multiplies the same 2-D `b`.
    var sharedB: Bool
    var resultShape: [Int]

    init(_ aShape: [Int], _ bShape: [Int], transposeA: Bool, transposeB: Bool) throws {
        let mismatch = TensorError.shapeMismatch(
            "matmul(transposeA: \(transposeA), transposeB: \(transposeB))", aShape, bShape)
        guard aShape.count >= 2, bShape.count >= 2 else { throw mismatch }
        let aRows = aShape[aShape.count - 2]
        let aCols = aShape[aShape.count - 1]
        let bRows = bShape[bShape.count - 2]
        let bCols = bShape[bShape.count - 1]
        let leading = Array(aShape.dropLast(2))
        (m, k) = transposeA ? (aCols, aRows) : (aRows, aCols)
        let (bK, bN) = transposeB ? (bCols, bRows) : (bRows, bCols)
        n = bN
        guard k == bK else { throw mismatch }
        self.transposeA = transposeA
        self.transposeB = transposeB
        if bShape.count == 2 {
            guard !(transposeA && !leading.isEmpty) else {
                throw TensorError.invalidArgument(
                    "matmul: transposeA with a batched \(aShape) and a shared 2-D \(bShape) is not supported; transpose first"
                )
            }
            // Leading axes fold into rows: one call with M·(product of leading axes) rows.
            m *= leading.reduce(1, *)
            batch = 1
            sharedB = true
        } else {
            guard Array(bShape.dropLast(2)) == leading else { throw mismatch }
            batch = leading.reduce(1, *)
            sharedB = false
        }
        resultShape = leading + [transposeA ? aCols : aRows, n]
        guard [m, n, k].allSatisfy({ $0 <= Int(Int32.max) }) else {
            throw TensorError.invalidArgument("matmul: \(aShape) × \(bShape) exceeds BLAS's 32-bit dimensions")
        }
    }

    /// Runs the product into `c`, which holds `batch · m · n` uninitialized floats.
    func run(_ a: UnsafePointer<Float>?, _ b: UnsafePointer<Float>?, _ c: UnsafeMutablePointer<Float>?, alpha: Float) {
        guard m > 0, n > 0, let c else { return }
        guard k > 0, let a, let b else {
            // An empty inner dimension: the product is all zeros, and BLAS is not asked
            // (some implementations reject a zero leading dimension).
            c.initialize(repeating: 0, count: batch * m * n)
            return
        }
        for entry in 0..<batch {
            BLAS.gemm(
                transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
                a: a + entry * m * k, lda: transposeA ? m : k,
                b: b + (sharedB ? 0 : entry * k * n), ldb: transposeB ? k : n,
                c: c + entry * m * n, ldc: n)
        }
    }
}
