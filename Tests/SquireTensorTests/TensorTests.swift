import SquireTensor
import Testing

@Suite struct TensorTests {
    @Test func createsFromShapeAndScalars() throws {
        let t = try Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
        #expect(t.shape == [2, 3])
        #expect(t.rank == 2)
        #expect(t.count == 6)
        #expect(t[1, 2] == 6)
        #expect(try t.element(at: [0, 1]) == 2)
    }

    @Test func rejectsScalarsThatDoNotFillTheShape() {
        #expect(throws: TensorError.invalidArgument("5 scalars cannot fill shape [2, 3], which holds 6")) {
            try Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5])
        }
        #expect(throws: TensorError.self) { try Tensor(shape: [-1, 3], scalars: []) }
        #expect(throws: TensorError.self) { try Tensor(shape: [Int.max, 3], scalars: []) }
    }

    @Test func rejectsRaggedRows() {
        #expect(throws: TensorError.invalidArgument("row 1 has 1 elements, but row 0 has 2")) {
            try Tensor(rows: [[1, 2], [3]])
        }
    }

    @Test func elementLookupOutsideTheShapeThrows() throws {
        let t = try Tensor.zeros([2, 2])
        #expect(throws: TensorError.self) { try t.element(at: [2, 0]) }
        #expect(throws: TensorError.self) { try t.element(at: [0]) }
    }

    @Test func fillsConstants() throws {
        #expect(try Tensor.zeros([2, 2]).scalars == [0, 0, 0, 0])
        #expect(try Tensor.ones([3]).scalars == [1, 1, 1])
        #expect(try Tensor(repeating: 2.5, shape: [1, 2]).scalars == [2.5, 2.5])
        #expect(try Tensor.zeros([0, 4]).count == 0)
        #expect(try Tensor.zeros([]).count == 1)  // a scalar
    }

    @Test func copiesAreIndependentValues() throws {
        let a = try Tensor(shape: [2], scalars: [1, 2])
        var b = a
        b[0] = 9
        #expect(a[0] == 1)
        #expect(b[0] == 9)
    }

    @Test func detectsNonFiniteElements() throws {
        #expect(try Tensor.ones([17]).isFinite)
        for bad in [Float.nan, .infinity, -.infinity] {
            var t = try Tensor.ones([17])
            t[16] = bad
            #expect(!t.isFinite)
            t[16] = 1
            t[3] = bad
            #expect(!t.isFinite)
        }
    }
}
