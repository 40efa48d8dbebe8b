import CSquireBLAS

/// The eigenvalues and eigenvectors of a symmetric matrix.
public struct SymmetricEigendecomposition: Sendable, Hashable {
    /// `[n]`, in ascending order.
    public var eigenvalues: Tensor
    /// `[n, n]`; column `j` is the unit eigenvector for `eigenvalues[j]`.
    public var eigenvectors: Tensor
}

/// The thin singular value decomposition `A = U · diag(S) · Vᵀ` of an `[m, n]` matrix, k = min(m, n).
public struct SingularValueDecomposition: Sendable, Hashable {
    /// `[m, k]`, orthonormal columns.
    public var u: Tensor
    /// `[k]`, non-negative, in descending order.
    public var singularValues: Tensor
    /// `[k, n]`, orthonormal rows.
    public var vt: Tensor
}

extension Tensor {
    /// The solution `X` of `A · X = B` for a square, non-singular `A` (LU with partial pivoting, LAPACK `sgesv`).
    ///
    /// - Parameters:
    ///   - a: `[n, n]`.
    ///   - b: `[n]` or `[n, k]`; the result has the same shape.
    /// - Throws: ``TensorError/singularMatrix(pivot:)`` when `A` is singular.
    public static func solve(_ a: Tensor, _ b: Tensor) throws -> Tensor {
        let n = try squareSide(a, b, for: "solve")
        guard n > 0 else { return b }
        var lu = try a.transposed().scalars  // row-major Aᵀ is column-major A
        var x = try columnMajor(b)
        var pivots = [Int32](repeating: 0, count: n)
        var (size, rhs, lead, info) = (Int32(n), Int32(x.count / n), Int32(n), Int32(0))
        BLASThreads.ensureSingle()
        sgesv_(&size, &rhs, &lu, &lead, &pivots, &x, &lead, &info)
        if info > 0 { throw TensorError.singularMatrix(pivot: Int(info) - 1) }
        try checkArguments(info, routine: "sgesv")
        return try rowMajor(x, like: b)
    }

    /// The solution `X` of `A · X = B` for a symmetric positive definite `A` (Cholesky, LAPACK `sposv`).
    ///
    /// About twice as fast as ``solve(_:_:)``; only the lower triangle of `A` is read.
    /// - Throws: ``TensorError/notPositiveDefinite(order:)`` when `A` is not positive definite.
    public static func solvePositiveDefinite(_ a: Tensor, _ b: Tensor) throws -> Tensor {
        let n = try squareSide(a, b, for: "solvePositiveDefinite")
        guard n > 0 else { return b }
        // Row-major lower triangle = column-major upper triangle.
        var factor = a.scalars
        var x = try columnMajor(b)
        var upper = CChar(UInt8(ascii: "U"))
        var (size, rhs, lead, info) = (Int32(n), Int32(x.count / n), Int32(n), Int32(0))
        BLASThreads.ensureSingle()
        sposv_(&upper, &size, &rhs, &factor, &lead, &x, &lead, &info, 1)
        if info > 0 { throw TensorError.notPositiveDefinite(order: Int(info)) }
        try checkArguments(info, routine: "sposv")
        return try rowMajor(x, like: b)
    }

    /// The eigenvalues and eigenvectors of this symmetric `[n, n]` matrix (LAPACK `ssyevd`).
    ///
    /// Only the lower triangle is read.
    public func symmetricEigendecomposition() throws -> SymmetricEigendecomposition {
        let n = try Tensor.squareSide(self, nil, for: "symmetricEigendecomposition")
        var vectors = scalars  // row-major lower = column-major upper
        var values = [Float](repeating: 0, count: n)
        if n > 0 {
            var (job, upper) = (CChar(UInt8(ascii: "V")), CChar(UInt8(ascii: "U")))
            var (size, lead, info) = (Int32(n), Int32(n), Int32(0))
            var (workSize, iworkSize): (Float, Int32) = (0, 0)
            var query: Int32 = -1
            BLASThreads.ensureSingle()
            ssyevd_(&job, &upper, &size, &vectors, &lead, &values, &workSize, &query, &iworkSize, &query, &info, 1, 1)
            try Tensor.checkArguments(info, routine: "ssyevd")
            var lwork = Int32(workSize.rounded(.up))
            var liwork = iworkSize
            var work = [Float](repeating: 0, count: Int(lwork))
            var iwork = [Int32](repeating: 0, count: Int(liwork))
            ssyevd_(&job, &upper, &size, &vectors, &lead, &values, &work, &lwork, &iwork, &liwork, &info, 1, 1)
            if info > 0 { throw TensorError.noConvergence("ssyevd", info: Int(info)) }
            try Tensor.checkArguments(info, routine: "ssyevd")
        }
        // Column-major eigenvectors read row-major are the transpose: one eigenvector per row.
        let perRow = Tensor(unchecked: [n, n], scalars: vectors)
        return SymmetricEigendecomposition(eigenvalues: Tensor(values), eigenvectors: try perRow.transposed())
    }

    /// The thin singular value decomposition of this `[m, n]` matrix (LAPACK `sgesdd`).
    public func singularValueDecomposition() throws -> SingularValueDecomposition {
        try requireRank(2, for: "singularValueDecomposition")
        guard isFinite else {
            throw TensorError.invalidArgument("singularValueDecomposition: the matrix holds NaN or infinity")
        }
        let (m, n) = (shape[0], shape[1])
        let k = Swift.min(m, n)
        guard k > 0 else {
            return SingularValueDecomposition(
                u: try .zeros([m, 0]), singularValues: try .zeros([0]), vt: try .zeros([0, n]))
        }
        // LAPACK sees the row-major [m, n] buffer as the column-major n×m matrix Aᵀ = V S Uᵀ,
        // so its U is our V (read back as Vᵀ) and its Vᵀ is our U.
        var matrix = scalars
        var values = [Float](repeating: 0, count: k)
        var lapackU = [Float](repeating: 0, count: n * k)
        var lapackVT = [Float](repeating: 0, count: k * m)
        var iwork = [Int32](repeating: 0, count: 8 * k)
        var job = CChar(UInt8(ascii: "S"))
        var (rows, columns, lead, leadU, leadVT, info) = (Int32(n), Int32(m), Int32(n), Int32(n), Int32(k), Int32(0))
        var workSize: Float = 0
        var query: Int32 = -1
        BLASThreads.ensureSingle()
        sgesdd_(
            &job, &rows, &columns, &matrix, &lead, &values, &lapackU, &leadU, &lapackVT, &leadVT, &workSize, &query,
            &iwork, &info, 1)
        try Tensor.checkArguments(info, routine: "sgesdd")
        var lwork = Int32(workSize.rounded(.up))
        var work = [Float](repeating: 0, count: Int(lwork))
        sgesdd_(
            &job, &rows, &columns, &matrix, &lead, &values, &lapackU, &leadU, &lapackVT, &leadVT, &work, &lwork, &iwork,
            &info, 1)
        if info > 0 { throw TensorError.noConvergence("sgesdd", info: Int(info)) }
        try Tensor.checkArguments(info, routine: "sgesdd")
        return SingularValueDecomposition(
            u: Tensor(unchecked: [m, k], scalars: lapackVT),
            singularValues: Tensor(values),
            vt: Tensor(unchecked: [k, n], scalars: lapackU))
    }

    /// The side of a square `a`, checked against `b`'s rows and for finite values.
    private static func squareSide(_ a: Tensor, _ b: Tensor?, for operation: String) throws -> Int {
        guard a.rank == 2, a.shape[0] == a.shape[1] else {
            throw TensorError.invalidArgument("\(operation) needs a square matrix, got shape \(a.shape)")
        }
        let n = a.shape[0]
        guard n <= Int(Int32.max / 2) else {
            throw TensorError.invalidArgument("\(operation): shape \(a.shape) exceeds LAPACK's 32-bit sizes")
        }
        if let b {
            guard b.rank == 1 || b.rank == 2, b.shape[0] == n else {
                throw TensorError.shapeMismatch(operation, a.shape, b.shape)
            }
            guard b.isFinite else {
                throw TensorError.invalidArgument("\(operation): the right-hand side holds NaN or infinity")
            }
        }
        guard a.isFinite else { throw TensorError.invalidArgument("\(operation): the matrix holds NaN or infinity") }
        return n
    }

    private static func columnMajor(_ b: Tensor) throws -> [Float] {
        b.rank == 1 ? b.scalars : try b.transposed().scalars
    }

    private static func rowMajor(_ x: [Float], like b: Tensor) throws -> Tensor {
        b.rank == 1 ? Tensor(x) : try Tensor(unchecked: [b.shape[1], b.shape[0]], scalars: x).transposed()
    }

    /// A negative `info` means an argument LAPACK rejected: a bug here, reported rather than trapped.
    private static func checkArguments(_ info: Int32, routine: String) throws {
        if info < 0 { throw TensorError.invalidArgument("LAPACK \(routine) rejected argument \(-info)") }
    }
}
