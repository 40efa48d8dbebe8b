import SquireTensor
import Testing

@Suite struct ShapeTests {
    let counting = try! Tensor(shape: [2, 3, 4], scalars: (0..<24).map(Float.init))

    @Test func reshapesAndInfersOneExtent() throws {
        #expect(try counting.reshaped(to: [6, 4]).shape == [6, 4])
        #expect(try counting.reshaped(to: [4, -1]).shape == [4, 6])
        #expect(try counting.reshaped(to: [24]).scalars == counting.scalars)
    }

    @Test func reshapeToAnotherCountNamesBothShapes() {
        #expect(throws: TensorError.shapeMismatch("reshape", [2, 3, 4], [5, 5])) { try counting.reshaped(to: [5, 5]) }
        #expect(throws: TensorError.shapeMismatch("reshape", [2, 3, 4], [5, -1])) {
            try counting.reshaped(to: [5, -1])
        }
        #expect(throws: TensorError.self) { try counting.reshaped(to: [-1, -1]) }
    }

    @Test func transposesAMatrix() throws {
        let m = try Tensor(rows: [[1, 2, 3], [4, 5, 6]])
        let t = try m.transposed()
        #expect(t.shape == [3, 2])
        #expect(t.scalars == [1, 4, 2, 5, 3, 6])
        #expect(try t.transposed() == m)
        #expect(throws: TensorError.self) { try counting.transposed() }
    }

    @Test func permutesHeadsAndTokensBothWays() throws {
        // [B, T, H, Dh] = [2, 3, 4, 5] ↔ [B, H, T, Dh]
        let x = try Tensor(shape: [2, 3, 4, 5], scalars: (0..<120).map(Float.init))
        let y = try x.permuted([0, 2, 1, 3])
        #expect(y.shape == [2, 4, 3, 5])
        for b in 0..<2 {
            for t in 0..<3 {
                for h in 0..<4 {
                    for d in 0..<5 {
                        #expect(y[b, h, t, d] == x[b, t, h, d])
                    }
                }
            }
        }
        #expect(try y.permuted([0, 2, 1, 3]) == x)
    }

    @Test func permutesArbitraryAxes() throws {
        let y = try counting.permuted([2, 0, 1])
        #expect(y.shape == [4, 2, 3])
        for i in 0..<2 { for j in 0..<3 { for k in 0..<4 { #expect(y[k, i, j] == counting[i, j, k]) } } }
        #expect(throws: TensorError.self) { try counting.permuted([0, 0, 1]) }
        #expect(throws: TensorError.self) { try counting.permuted([0, 1]) }
    }

    @Test func slicesRows() throws {
        let r = try counting.rows(1..<2)
        #expect(r.shape == [1, 3, 4])
        #expect(r.scalars == (12..<24).map(Float.init))
        #expect(try counting.rows(0..<0).shape == [0, 3, 4])
        #expect(throws: TensorError.self) { try counting.rows(1..<3) }
    }

    @Test func concatenatesAlongAnyAxis() throws {
        let a = try Tensor(rows: [[1, 2], [3, 4]])
        let b = try Tensor(rows: [[5, 6]])
        #expect(try Tensor.concatenating([a, b]).scalars == [1, 2, 3, 4, 5, 6])
        let c = try Tensor(rows: [[7], [8]])
        let side = try Tensor.concatenating([a, c], alongAxis: 1)
        #expect(side.shape == [2, 3])
        #expect(side.scalars == [1, 2, 7, 3, 4, 8])
        #expect(throws: TensorError.shapeMismatch("concatenating along axis 1", [2, 2], [1, 2])) {
            try Tensor.concatenating([a, b], alongAxis: 1)
        }
        #expect(throws: TensorError.self) { try Tensor.concatenating([]) }
    }
}

@Suite struct GatherTests {
    let table = try! Tensor(rows: [[0, 1], [10, 11], [20, 21]])

    @Test func gathersRowsLikeAnEmbeddingLookup() throws {
        let g = try table.gatheringRows(at: [2, 0, 2])
        #expect(g.shape == [3, 2])
        #expect(g.scalars == [20, 21, 0, 1, 20, 21])
        #expect(try table.gatheringRows(at: []).shape == [0, 2])
    }

    @Test func rejectsIndicesOutsideTheTable() {
        #expect(throws: TensorError.invalidArgument("row index 3 is outside a table of 3 rows (shape [3, 2])")) {
            try table.gatheringRows(at: [0, 3])
        }
        #expect(throws: TensorError.self) { try table.gatheringRows(at: [-1]) }
    }

    @Test func scatterAddAccumulatesRepeatedIndices() throws {
        let gradient = try Tensor(rows: [[1, 2], [3, 4], [5, 6]])
        let s = try gradient.scatterAddingRows(at: [2, 0, 2], rowCount: 4)
        #expect(s.shape == [4, 2])
        #expect(s.scalars == [3, 4, 0, 0, 6, 8, 0, 0])
        #expect(throws: TensorError.self) { try gradient.scatterAddingRows(at: [0, 1], rowCount: 4) }
        #expect(throws: TensorError.self) { try gradient.scatterAddingRows(at: [0, 1, 4], rowCount: 4) }
    }

    @Test func scatterAddIsTheAdjointOfGather() throws {
        // ⟨gather(W), G⟩ = ⟨W, scatter(G)⟩ for every W and G: the defining property of a gradient.
        var generator = SeededGenerator(seed: 4)
        let w = try Tensor.normal([9, 5], using: &generator)
        let indices = (0..<20).map { _ in generator.nextIndex(below: 9) }
        let g = try Tensor.normal([20, 5], using: &generator)
        let lhs = try (w.gatheringRows(at: indices) * g).sum()
        let rhs = try (w * g.scatterAddingRows(at: indices, rowCount: 9)).sum()
        #expect(abs(lhs - rhs) < 1e-4)
    }
}
