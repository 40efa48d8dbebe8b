import SquireTensor
import Testing

@Suite struct LinearAlgebraTests {
    let fixture = TensorFixture.shared.linalg

    @Test func solvesAGeneralSystemLikeNumPy() throws {
        let a = try Tensor(doubleRows: fixture.a)
        let b = try Tensor(doubleRows: fixture.b)
        let x = try Tensor.solve(a, b)
        #expect(x.shape == [6, 3])
        #expect(maxAbsDifference(x, fixture.solve) < 1e-5)
        // A vector right-hand side gives a vector.
        let column = try b.transposed().rows(0..<1).reshaped(to: [6])
        let v = try Tensor.solve(a, column)
        #expect(v.shape == [6])
        #expect(maxAbsDifference(v, fixture.solve.map { $0[0] }) < 1e-5)
    }

    @Test func solvesAPositiveDefiniteSystemLikeNumPy() throws {
        let x = try Tensor.solvePositiveDefinite(Tensor(doubleRows: fixture.spd), Tensor(doubleRows: fixture.b))
        #expect(maxAbsDifference(x, fixture.solve_spd) < 1e-5)
    }

    @Test func singularMatricesThrow() throws {
        let singular = try Tensor(rows: [[1, 2], [2, 4]])
        #expect(throws: TensorError.singularMatrix(pivot: 1)) { try Tensor.solve(singular, Tensor([1, 1])) }
        let indefinite = try Tensor(rows: [[1, 2], [2, 1]])
        #expect(throws: TensorError.notPositiveDefinite(order: 2)) {
            try Tensor.solvePositiveDefinite(indefinite, Tensor([1, 1]))
        }
    }

    @Test func rejectsBadShapesAndValues() throws {
        #expect(throws: TensorError.self) { try Tensor.solve(Tensor.zeros([2, 3]), Tensor.zeros([2])) }
        #expect(throws: TensorError.shapeMismatch("solve", [2, 2], [3])) {
            try Tensor.solve(Tensor.ones([2, 2]), Tensor.zeros([3]))
        }
        #expect(throws: TensorError.self) { try Tensor.solve(Tensor(rows: [[1, .nan], [0, 1]]), Tensor.zeros([2])) }
        #expect(throws: TensorError.self) { try Tensor(rows: [[.infinity]]).singularValueDecomposition() }
    }

    @Test func decomposesASymmetricMatrix() throws {
        let a = try Tensor(doubleRows: fixture.symmetric)
        let e = try a.symmetricEigendecomposition()
        #expect(maxAbsDifference(e.eigenvalues, fixture.eigenvalues) < 1e-5)
        // A·v = λ·v for every column, and the columns are orthonormal.
        let av = try Tensor.matmul(a, e.eigenvectors)
        let lv = try e.eigenvectors * e.eigenvalues
        #expect(maxAbsDifference(av, lv.scalars.map(Double.init)) < 1e-5)
        let gram = try Tensor.matmul(e.eigenvectors, e.eigenvectors, transposeA: true)
        for i in 0..<6 { for j in 0..<6 { #expect(abs(gram[i, j] - (i == j ? 1 : 0)) < 1e-5) } }
    }

    @Test(arguments: [false, true])
    func decomposesARectangularMatrix(wide: Bool) throws {
        let tall = try Tensor(doubleRows: fixture.rect)  // [7, 4]
        let a = wide ? try tall.transposed() : tall
        let svd = try a.singularValueDecomposition()
        #expect(svd.u.shape == (wide ? [4, 4] : [7, 4]))
        #expect(svd.vt.shape == (wide ? [4, 7] : [4, 4]))
        #expect(maxAbsDifference(svd.singularValues, fixture.singular_values) < 1e-5)
        let rebuilt = try Tensor.matmul(svd.u * svd.singularValues, svd.vt)
        #expect(maxAbsDifference(rebuilt, a.scalars.map(Double.init)) < 1e-5)
    }

    @Test func handlesEmptyMatrices() throws {
        #expect(try Tensor.solve(Tensor.zeros([0, 0]), Tensor.zeros([0])).count == 0)
        #expect(try Tensor.zeros([0, 0]).symmetricEigendecomposition().eigenvalues.count == 0)
        #expect(try Tensor.zeros([3, 0]).singularValueDecomposition().u.shape == [3, 0])
    }
}

@Suite struct BLASLibraryTests {
    @Test func identifiesTheLoadedLibrary() throws {
        let blas = BLASLibrary.loaded()
        let path = try #require(blas.path, "the file providing cblas_sgemm should be found in /proc/self/maps")
        #expect(blas.implementation != .unknown, "unrecognized BLAS at \(path)")
        if path.contains("openblas") {
            #expect(blas.implementation == .openBLAS)
            #expect((blas.threadCount ?? 0) >= 1)
        }
        #expect(LAPACKLibrary.path() != nil)
    }
}
