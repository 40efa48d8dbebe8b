import Dispatch
import SquireTensor
import Synchronization
import Testing

@Suite struct BLASTests {
    /// `C[ldc-wide] = alpha · op(A) · op(B) + beta · C` through ``BLAS/gemm``, with every
    /// matrix stored wider than it is used, so a part that strays past its block shows.
    func product(
        m: Int, n: Int, k: Int, transposeA: Bool, transposeB: Bool, beta: Float, seed: UInt64
    ) throws -> (fast: [Float], slow: [Double], ldc: Int) {
        var generator = SeededGenerator(seed: seed)
        let (rowsA, columnsA) = transposeA ? (k, m) : (m, k)
        let (rowsB, columnsB) = transposeB ? (n, k) : (k, n)
        let (lda, ldb, ldc) = (columnsA + 3, columnsB + 5, n + 7)
        let a = try Tensor.uniform([rowsA * lda], in: -1...1, using: &generator).scalars
        let b = try Tensor.uniform([rowsB * ldb], in: -1...1, using: &generator).scalars
        var c = try Tensor.uniform([m * ldc], in: -1...1, using: &generator).scalars
        var slow = c.map(Double.init)
        for i in 0..<m {
            for j in 0..<n {
                var sum = 0.0
                for p in 0..<k {
                    sum +=
                        Double(a[transposeA ? p * lda + i : i * lda + p])
                        * Double(b[transposeB ? j * ldb + p : p * ldb + j])
                }
                slow[i * ldc + j] = 0.5 * sum + Double(beta) * slow[i * ldc + j]
            }
        }
        a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                c.withUnsafeMutableBufferPointer { c in
                    BLAS.gemm(
                        transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: 0.5,
                        a: a.baseAddress!, lda: lda, b: b.baseAddress!, ldb: ldb, beta: beta, c: c.baseAddress!,
                        ldc: ldc)
                }
            }
        }
        return (c, slow, ldc)
    }

    // [150, 120] · [120, 130] is cut by rows, [8, 300] · [300, 1000] by columns, on any
    // machine with more than one core; both are above the split threshold.
    @Test(arguments: [false, true], [false, true])
    func splitProductsMatchTheReference(transposeA: Bool, transposeB: Bool) throws {
        for (m, n, k) in [(150, 130, 120), (8, 1000, 300)] {
            #expect(m * n * k >= BLAS.splitThreshold)
            for beta: Float in [0, 1] {
                let (fast, slow, ldc) = try product(
                    m: m, n: n, k: k, transposeA: transposeA, transposeB: transposeB, beta: beta, seed: 31)
                var worst: Double = 0
                for i in 0..<m {
                    for j in 0..<ldc {
                        let difference = abs(Double(fast[i * ldc + j]) - slow[i * ldc + j])
                        // Past column n, C's padding must come back exactly as it was.
                        if j >= n { #expect(difference == 0, "column \(j) of row \(i) was written") }
                        worst = max(worst, difference)
                    }
                }
                #expect(worst <= 1e-6 * Double(k) * 4, "\(m)×\(k)·\(k)×\(n), beta \(beta): max |Δ| \(worst)")
            }
        }
    }

    @Test func aProductGivesTheSameBitsWhileOtherWorkRuns() throws {
        let (alone, _, _) = try product(m: 300, n: 384, k: 1152, transposeA: false, transposeB: true, beta: 0, seed: 5)
        if BLASLibrary.loaded().implementation == .openBLAS {
            // Squire keeps OpenBLAS on one thread and splits products itself.
            #expect(BLASLibrary.loaded().threadCount == 1)
        }
        // Other products and split batches keep both cores busy meanwhile.
        let done = Atomic<Bool>(false)
        let group = DispatchGroup()
        DispatchQueue.global().async(group: group) {
            var generator = SeededGenerator(seed: 7)
            let x = try! Tensor.normal([200, 384], using: &generator)
            let w = try! Tensor.normal([1536, 384], using: &generator)
            while !done.load(ordering: .relaxed) {
                ParallelParts.run(2) { _ in _ = try! Tensor.matmul(x, w, transposeB: true) }
                _ = try! Tensor.matmul(x, w, transposeB: true)
            }
        }
        defer {
            done.store(true, ordering: .relaxed)
            group.wait()
        }
        for _ in 0..<5 {
            let (again, _, _) = try product(
                m: 300, n: 384, k: 1152, transposeA: false, transposeB: true, beta: 0, seed: 5)
            #expect(again == alone)
        }
    }
}

extension BLASTests {
    // A · Bᵀ with up to `BLAS.shortRows` rows runs Squire's own kernel on AVX2 machines:
    // every tile shape (1–6 rows, 1–2 columns), the 8-lane tail of k, strides, alpha and beta.
    @Test func shortProductsMatchTheReference() throws {
        var generator = SeededGenerator(seed: 41)
        for m in [1, 2, 5, 6, 7, 13, BLAS.shortRows] {
            for (n, k) in [(1, 1), (3, 7), (5, 8), (17, 9), (64, 33), (130, 384)] {
                for beta: Float in [0, 1] {
                    let (fast, slow, ldc) = try product(
                        m: m, n: n, k: k, transposeA: false, transposeB: true, beta: beta, seed: generator.next())
                    var worst: Double = 0
                    for i in 0..<m {
                        for j in 0..<n { worst = max(worst, abs(Double(fast[i * ldc + j]) - slow[i * ldc + j])) }
                    }
                    #expect(worst <= 1e-6 * Double(k) * 4, "\(m)×\(k)·(\(n)×\(k))ᵀ, beta \(beta): max |Δ| \(worst)")
                }
            }
        }
    }

    @Test func withBetaZeroTheOutputIsNotRead() throws {
        var generator = SeededGenerator(seed: 43)
        for (m, n, k) in [(3, 5, 9), (40, 200, 384), (300, 64, 16)] {
            let a = try Tensor.normal([m, k], using: &generator).scalars
            let b = try Tensor.normal([n, k], using: &generator).scalars
            // NaN where C starts: any read of it would show in the result.
            var c = [Float](repeating: .nan, count: m * n)
            a.withUnsafeBufferPointer { a in
                b.withUnsafeBufferPointer { b in
                    c.withUnsafeMutableBufferPointer { c in
                        BLAS.gemm(
                            transposeB: true, m: m, n: n, k: k, a: a.baseAddress!, lda: k, b: b.baseAddress!, ldb: k,
                            c: c.baseAddress!, ldc: n)
                    }
                }
            }
            #expect(c.allSatisfy { $0.isFinite }, "\(m)×\(n)×\(k)")
        }
    }
}
