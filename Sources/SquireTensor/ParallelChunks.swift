/// Splits large elementwise work across the machine's cores.
///
/// ``BLAS`` splits matrix products over the cores; between products, an activation over
/// `[N, 1536]` would otherwise leave all but one idle. Small inputs stay on the calling
/// thread, where a thread hand-off would cost more than it saves, and so does all work
/// inside a ``ParallelParts`` part, whose neighbours already keep the other cores busy.
enum ParallelChunks {
    /// Below this many elements the work runs on the calling thread. A hand-off to a spinning
    /// ``WorkerThreads`` worker costs about a microsecond; GELU on 16,384 floats some 30 on one
    /// core (the `gelu` rows of `Benchmarks/`), so one sentence's feed-forward activation
    /// (`[19, 1536]`) is worth splitting.
    static let threshold = 1 << 14
    static let cores = ProcessInfoCores.count

    /// Calls `body` on disjoint ranges, multiples of 8 long except the last, that cover `0..<count`.
    @inline(__always)
    static func run(count: Int, _ body: (Range<Int>) -> Void) {
        guard count >= threshold, cores > 1, !ParallelParts.isInsidePart else {
            body(0..<count)
            return
        }
        let chunk = (count / cores + 7) / 8 * 8
        let parts = (count + chunk - 1) / chunk
        let ran = WorkerThreads.shared.run(parts) { index in
            body(index * chunk..<Swift.min((index + 1) * chunk, count))
        }
        if !ran { body(0..<count) }
    }
}

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The number of online processors, read once.
package enum ProcessInfoCores {
    package static let count = Swift.max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
}
