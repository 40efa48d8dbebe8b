import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Runs independent parts of a computation one per core.
///
/// Squire, not BLAS, decides how work spreads over cores (see ``BLAS``): a batch by its
/// sequences, a large product by rows, a short one by columns. A part runs everything it
/// calls on its own thread — ``isInsidePart`` tells nested products and ``ParallelChunks``
/// not to fan out again — so two parts never compete for the same core.
package enum ParallelParts {
    private static let partKey: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key, nil)
        return key
    }()

    /// The cores parts can run on.
    package static var cores: Int { ProcessInfoCores.count }

    /// Whether the calling thread is running a part, so its own work should not fan out again.
    package static var isInsidePart: Bool { pthread_getspecific(partKey) != nil }

    /// Marks the calling thread as running a part: a worker for its whole life, a caller
    /// until ``run(_:_:)`` clears the mark on return.
    static func markInsidePart() {
        pthread_setspecific(partKey, UnsafeRawPointer(bitPattern: 1))
    }

    /// Runs `body(part)` for every part in `0..<count` concurrently and returns when all have;
    /// rethrows the first error a part threw. Inside a part, the parts run one after another.
    ///
    /// The parts run on the calling thread and ``WorkerThreads``; while another thread's
    /// parts hold the workers, they run one after another on the calling thread.
    package static func run<Failure: Error>(_ count: Int, _ body: (Int) throws(Failure) -> Void) throws(Failure) {
        guard count > 1, !isInsidePart else {
            for part in 0..<count { try body(part) }
            return
        }
        markInsidePart()
        defer { pthread_setspecific(partKey, nil) }
        let failure = Mutex<Failure?>(nil)
        let ran = WorkerThreads.shared.run(count) { part in
            do throws(Failure) { try body(part) } catch { failure.withLock { $0 = $0 ?? error } }
        }
        guard ran else {
            for part in 0..<count { try body(part) }
            return
        }
        if let error = failure.withLock({ $0 }) { throw error }
    }
}
