import SquireTensor
import Testing

@Suite struct MatMulTests {
    /// Agreement with the Double-accumulating reference, scaled to the inner size.
    func expectClose(_ a: Tensor, _ b: Tensor, k: Int, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(a.shape == b.shape, sourceLocation: sourceLocation)
        let worst = zip(a.scalars, b.scalars).map { abs($0 - $1) }.max() ?? 0
        #expect(worst <= 1e-6 * Float(max(k, 1)) * 4, "max |Δ| \(worst)", sourceLocation: sourceLocation)
    }

    @Test func multipliesAHandWorkedExample() throws {
        let a = try Tensor(rows: [[1, 2], [3, 4], [5, 6]])
        let b = try Tensor(rows: [[7, 8, 9], [10, 11, 12]])
        let c = try Tensor.matmul(a, b)
        #expect(c.shape == [3, 3])
        #expect(c.scalars == [27, 30, 33, 61, 68, 75, 95, 106, 117])
        #expect(try Tensor.naiveMatmul(a, b) == c)
    }

    @Test(arguments: [false, true], [false, true])
    func matchesTheReferenceForEveryTransposeAndOddSizes(transposeA: Bool, transposeB: Bool) throws {
        var generator = SeededGenerator(seed: 17)
        for m in [1, 7, 33] {
            for k in [1, 7, 33] {
                for n in [1, 7, 33] {
                    let a = try Tensor.uniform(transposeA ? [k, m] : [m, k], in: -1...1, using: &generator)
                    let b = try Tensor.uniform(transposeB ? [n, k] : [k, n], in: -1...1, using: &generator)
                    let fast = try Tensor.matmul(a, b, transposeA: transposeA, transposeB: transposeB)
                    let slow = try Tensor.naiveMatmul(a, b, transposeA: transposeA, transposeB: transposeB)
                    #expect(fast.shape == [m, n])
                    expectClose(fast, slow, k: k)
                }
            }
        }
    }

    @Test func matchesTheReferenceOnRandomShapes() throws {
        var generator = SeededGenerator(seed: 23)
        for _ in 0..<20 {
            let (m, k, n) = (
                1 + generator.nextIndex(below: 70), 1 + generator.nextIndex(below: 70),
                1 + generator.nextIndex(below: 70)
            )
            let a = try Tensor.normal([m, k], using: &generator)
            let b = try Tensor.normal([n, k], using: &generator)
            expectClose(
                try Tensor.matmul(a, b, transposeB: true, alpha: 0.5),
                try Tensor.naiveMatmul(a, b, transposeB: true, alpha: 0.5), k: k)
        }
    }

    @Test(arguments: [false, true], [false, true])
    func batchesOverLeadingAxes(transposeA: Bool, transposeB: Bool) throws {
        // Attention's shapes: [B, H, T, Dh] · [B, H, Dh, T].
        var generator = SeededGenerator(seed: 29)
        let (batch, heads, t, dh) = (2, 3, 7, 5)
        let q = try Tensor.normal(transposeA ? [batch, heads, dh, t] : [batch, heads, t, dh], using: &generator)
        let k = try Tensor.normal(transposeB ? [batch, heads, t, dh] : [batch, heads, dh, t], using: &generator)
        let fast = try Tensor.matmul(q, k, transposeA: transposeA, transposeB: transposeB, alpha: 0.25)
        #expect(fast.shape == [batch, heads, t, t])
        expectClose(
            fast, try Tensor.naiveMatmul(q, k, transposeA: transposeA, transposeB: transposeB, alpha: 0.25), k: dh)
        // Each batch entry equals the 2-D product of its slices.
        let q3 = try q.reshaped(to: [batch * heads] + q.shape.suffix(2))
        let k3 = try k.reshaped(to: [batch * heads] + k.shape.suffix(2))
        let f3 = try fast.reshaped(to: [batch * heads, t, t])
        for entry in [0, 4] {
            let slice = try Tensor.matmul(
                q3.rows(entry..<(entry + 1)).reshaped(to: Array(q.shape.suffix(2))),
                k3.rows(entry..<(entry + 1)).reshaped(to: Array(k.shape.suffix(2))),
                transposeA: transposeA, transposeB: transposeB, alpha: 0.25)
            #expect(try f3.rows(entry..<(entry + 1)).reshaped(to: [t, t]) == slice)
        }
    }

    @Test func foldsLeadingAxesAgainstASharedMatrix() throws {
        // A linear layer over [B, T, D] with a weight stored [out, in].
        var generator = SeededGenerator(seed: 31)
        let x = try Tensor.normal([2, 5, 8], using: &generator)
        let w = try Tensor.normal([3, 8], using: &generator)
        let y = try Tensor.matmul(x, w, transposeB: true)
        #expect(y.shape == [2, 5, 3])
        expectClose(y, try Tensor.naiveMatmul(x, w, transposeB: true), k: 8)
        expectClose(
            try y.reshaped(to: [10, 3]), try Tensor.matmul(x.reshaped(to: [10, 8]), w, transposeB: true), k: 8)
    }

    @Test func emptyInnerDimensionGivesZeros() throws {
        let c = try Tensor.matmul(Tensor.zeros([3, 0]), Tensor.zeros([0, 2]))
        #expect(c.shape == [3, 2])
        #expect(c.scalars == [0, 0, 0, 0, 0, 0])
        #expect(try Tensor.matmul(Tensor.zeros([0, 4]), Tensor.zeros([4, 2])).shape == [0, 2])
    }

    @Test func mismatchedShapesNameBothShapes() throws {
        let a = try Tensor.zeros([2, 3])
        let b = try Tensor.zeros([4, 5])
        #expect(throws: TensorError.shapeMismatch("matmul(transposeA: false, transposeB: false)", [2, 3], [4, 5])) {
            try Tensor.matmul(a, b)
        }
        #expect(throws: TensorError.self) { try Tensor.matmul(Tensor.zeros([2, 2, 3]), Tensor.zeros([3, 3, 4])) }
        #expect(throws: TensorError.self) { try Tensor.matmul(Tensor.zeros([3]), Tensor.zeros([3, 4])) }
        #expect(throws: TensorError.self) {
            try Tensor.matmul(Tensor.zeros([2, 3, 4]), Tensor.zeros([3, 5]), transposeA: true)
        }
    }
}
