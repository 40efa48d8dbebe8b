/// Keeps the BLAS library on one thread, so Squire alone decides how work uses the cores.
///
/// OpenBLAS threads each product itself, with a process-wide thread count, and its sgemm
/// gives different last bits on one thread and on two. Left to it, a product's answer would
/// depend on whatever else the process was running; and a batch split one share per core
/// (``ParallelParts``) needs every call inside a share to stay on its core. So the first
/// BLAS or LAPACK call Squire makes sets OpenBLAS to one thread, for the whole process, and
/// ``BLAS/gemm(transposeA:transposeB:m:n:k:alpha:a:lda:b:ldb:beta:c:ldc:)`` splits large
/// products over the cores instead. Other implementations (BLIS, MKL, Accelerate) are left
/// as they are.
package enum BLASThreads {
    private static let configured: Bool = {
        guard let path = LoadedLibrary.path(providing: "cblas_sgemm"),
            let set = LoadedLibrary.address(of: "openblas_set_num_threads", withinLibraryAt: path)
        else { return false }
        unsafeBitCast(set, to: (@convention(c) (Int32) -> Void).self)(1)
        return true
    }()

    /// Sets OpenBLAS to one thread the first time it is called; after that, a check of a flag.
    @inline(__always)
    package static func ensureSingle() { _ = configured }
}
