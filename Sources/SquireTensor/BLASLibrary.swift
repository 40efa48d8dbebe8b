#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The BLAS implementation this process actually runs, found from the loaded library.
///
/// Squire links the generic `libblas.so.3`, which Debian's alternatives point at
/// OpenBLAS, BLIS or the Netlib reference; this reads which one the dynamic linker
/// resolved `cblas_sgemm` to, rather than guessing from what is installed.
public struct BLASLibrary: Sendable, Hashable, Codable {
    /// A BLAS implementation family.
    public enum Implementation: String, Sendable, Hashable, Codable {
        /// OpenBLAS: optimized and multi-threaded.
        case openBLAS = "OpenBLAS"
        /// BLIS: optimized.
        case blis = "BLIS"
        /// Intel MKL: optimized.
        case mkl = "MKL"
        /// Apple Accelerate: optimized.
        case accelerate = "Accelerate"
        /// The Netlib reference BLAS: correct, single-threaded and many times slower.
        case reference = "reference (Netlib)"
        /// An implementation this check does not recognize.
        case unknown = "unknown"
    }

    /// The implementation family.
    public var implementation: Implementation
    /// The resolved path of the library that provides `cblas_sgemm`, when it can be found.
    public var path: String?
    /// How many threads the library uses, when it reports it (1 for the reference BLAS).
    public var threadCount: Int?
    /// The library's own description of its build (OpenBLAS: version, target core).
    public var configuration: String?

    /// Whether this is the slow reference implementation that a user should replace.
    public var isReference: Bool { implementation == .reference }

    /// The library loaded in this process.
    public static func loaded() -> BLASLibrary {
        let path = LoadedLibrary.path(providing: "cblas_sgemm")
        // Ask the library that provides cblas_sgemm, not the whole process: another
        // library (an OpenBLAS LAPACK beside the Netlib BLAS, say) may carry vendor
        // symbols without supplying the BLAS calls.
        func symbol(_ name: String) -> UnsafeMutableRawPointer? {
            path.flatMap { LoadedLibrary.address(of: name, withinLibraryAt: $0) }
        }

        if let getThreads = symbol("openblas_get_num_threads") {
            let threads = unsafeBitCast(getThreads, to: (@convention(c) () -> Int32).self)()
            var configuration: String?
            if let getConfig = symbol("openblas_get_config"),
                let text = unsafeBitCast(getConfig, to: (@convention(c) () -> UnsafePointer<CChar>?).self)()
            {
                configuration = String(cString: text)
            }
            if let getCore = symbol("openblas_get_corename"),
                let text = unsafeBitCast(getCore, to: (@convention(c) () -> UnsafePointer<CChar>?).self)()
            {
                configuration = [configuration, "core \(String(cString: text))"].compactMap { $0 }.joined(
                    separator: ", ")
            }
            return BLASLibrary(
                implementation: .openBLAS, path: path, threadCount: Int(threads), configuration: configuration)
        }
        if symbol("bli_info_get_version_str") != nil {
            return BLASLibrary(implementation: .blis, path: path, threadCount: nil, configuration: nil)
        }
        if symbol("mkl_get_max_threads") != nil {
            return BLASLibrary(implementation: .mkl, path: path, threadCount: nil, configuration: nil)
        }
        let file = path ?? ""
        if file.contains("Accelerate") || file.contains("vecLib") {
            return BLASLibrary(implementation: .accelerate, path: path, threadCount: nil, configuration: nil)
        }
        // Debian installs the Netlib build under .../blas/ (package libblas3); other
        // distributions name it plainly libblas. It has no symbols of its own to ask.
        if file.contains("/blas/libblas") || file.hasSuffix("/libblas.so.3") || file.contains("libblas.so.3.")
            || file.contains("/libcblas")
        {
            return BLASLibrary(implementation: .reference, path: path, threadCount: 1, configuration: nil)
        }
        return BLASLibrary(implementation: .unknown, path: path, threadCount: nil, configuration: nil)
    }
}
