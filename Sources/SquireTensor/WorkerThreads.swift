import CSquireTensorKernels
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Threads, one per core beyond the caller's, that run the parts of ``ParallelParts`` and
/// ``ParallelChunks`` beside the calling thread, and spin for a while after each job so the
/// next one starts within a microsecond.
///
/// A sleeping thread takes 35–45 µs to wake on a 2-core virtual machine: handed the second half
/// of 20 µs of work, `DispatchQueue.concurrentPerform` took 56 µs, the caller doing both halves
/// itself before the worker arrived. A batch-1 forward pass hands work over some thirty
/// times, each a product of a few dozen microseconds, so it ran on one core in effect. These
/// workers spin (``spinLimit``) between jobs, and only then sleep on a condition variable.
///
/// One job at a time: a caller that finds the workers busy (another thread's job) gets
/// `false` back and runs its parts itself, since the cores are taken anyway.
package final class WorkerThreads: @unchecked Sendable {
    /// How long an idle worker spins before it sleeps: long enough to bridge the gaps
    /// between the products of a forward pass, short enough not to hold a core from the rest
    /// of the process for long.
    package static let spinLimit: Duration = .microseconds(200)

    /// The process's workers: `cores − 1` of them, started on first use.
    package static let shared = WorkerThreads(count: ProcessInfoCores.count - 1)

    /// A job's body, behind a pointer the workers load atomically.
    private struct Job {
        let body: (Int) -> Void
    }

    /// Generation (high 32 bits), part count (16 bits) and parts claimed (low 16 bits), in
    /// one word so that claiming a part and checking its job is still current are one step.
    private let state = Atomic<UInt64>(0)
    /// Parts of the current job that have finished.
    private let finished = Atomic<Int>(0)
    /// The current job's `Job`, as an address.
    private let job = Atomic<UInt>(0)
    /// Whether a caller holds the workers.
    private let busy = Atomic<Bool>(false)
    /// Workers asleep (or about to be) on `wake`.
    private let sleepers = Atomic<Int>(0)
    // Used only through pthread calls; they outlive every worker (the process's, never freed).
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let wake: UnsafeMutablePointer<pthread_cond_t>
    private let count: Int

    /// Starts `count` workers. The process's are ``shared``; tests make their own to see a
    /// pool's first job.
    package init(count: Int) {
        self.count = max(0, count)
        mutex = .allocate(capacity: 1)
        wake = .allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(wake, nil)
        for _ in 0..<self.count { start() }
    }

    /// The largest job: part indices share 16 bits of ``state``.
    package static let maximumParts = 0xFFFF

    /// Runs `body(part)` for every part in `0..<parts`, on the calling thread and the workers,
    /// and returns `true` when all have run; returns `false` without running any when there
    /// are no workers, too many parts, or another caller holds the workers.
    package func run(_ parts: Int, _ body: (Int) -> Void) -> Bool {
        guard count > 0, (1...Self.maximumParts).contains(parts),
            busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged
        else { return false }
        defer { busy.store(false, ordering: .releasing) }
        withoutActuallyEscaping(body) { body in
            let box = UnsafeMutablePointer<Job>.allocate(capacity: 1)
            box.initialize(to: Job(body: body))
            defer {
                box.deinitialize(count: 1)
                box.deallocate()
            }
            job.store(UInt(bitPattern: box), ordering: .relaxed)
            finished.store(0, ordering: .relaxed)
            let generation = (state.load(ordering: .relaxed) >> 32) &+ 1
            // Publishes the job and the reset counter to every worker that sees this generation.
            state.store(generation << 32 | UInt64(parts) << 16, ordering: .sequentiallyConsistent)
            if sleepers.load(ordering: .sequentiallyConsistent) > 0 {
                pthread_mutex_lock(mutex)
                pthread_cond_broadcast(wake)
                pthread_mutex_unlock(mutex)
            }
            work(generation: generation)
            // The job (and `body`) must outlive every part a worker claimed.
            while finished.load(ordering: .acquiring) < parts { squire_spin_pause() }
        }
        return true
    }

    /// Claims and runs parts of `generation`'s job until none is left or a newer job started.
    private func work(generation: UInt64) {
        var current = state.load(ordering: .acquiring)
        while true {
            let parts = Int((current >> 16) & 0xFFFF)
            let claimed = Int(current & 0xFFFF)
            guard current >> 32 == generation & 0xFFFF_FFFF, claimed < parts else { return }
            let (exchanged, original) = state.compareExchange(
                expected: current, desired: current + 1, ordering: .acquiringAndReleasing)
            guard exchanged else {
                current = original
                continue
            }
            // Claiming a part of a live generation keeps its job alive until the part finishes.
            let box = UnsafePointer<Job>(bitPattern: job.load(ordering: .relaxed))!
            box.pointee.body(claimed)
            finished.add(1, ordering: .releasing)
            current = state.load(ordering: .acquiring)
        }
    }

    /// A worker's life: wait for a new generation (spinning, then asleep), work on it, repeat.
    private func serve() -> Never {
        ParallelParts.markInsidePart()
        // Generation 0 is the one before any job: workers are started by `init`, before a job
        // can exist. Reading the current generation here instead made a worker that started
        // after the first job was published take that job for done and leave it all to the
        // caller — the whole of `squire train --embeddings`' fold search ran on one core.
        var seen: UInt64 = 0
        while true {
            var current = state.load(ordering: .acquiring)
            let idleSince = ContinuousClock.now
            var spins = 0
            while current >> 32 == seen {
                spins += 1
                // The clock costs a few dozen nanoseconds; look at it once in a while.
                if spins & 255 != 0 || ContinuousClock.now - idleSince < Self.spinLimit {
                    squire_spin_pause()
                } else {
                    sleepers.add(1, ordering: .sequentiallyConsistent)
                    pthread_mutex_lock(mutex)
                    while state.load(ordering: .sequentiallyConsistent) >> 32 == seen {
                        pthread_cond_wait(wake, mutex)
                    }
                    pthread_mutex_unlock(mutex)
                    sleepers.subtract(1, ordering: .sequentiallyConsistent)
                }
                current = state.load(ordering: .acquiring)
            }
            seen = current >> 32
            work(generation: seen)
        }
    }

    /// Starts one worker. Should the system refuse a thread, callers do the work themselves.
    private func start() {
        let context = Unmanaged.passRetained(self)
        #if canImport(Darwin)
            var thread: pthread_t?
            let started = pthread_create(
                &thread, nil, { Unmanaged<WorkerThreads>.fromOpaque($0).takeRetainedValue().serve() },
                context.toOpaque())
            if started == 0, let thread { pthread_detach(thread) }
        #else
            var thread = pthread_t()
            let started = pthread_create(
                &thread, nil, { Unmanaged<WorkerThreads>.fromOpaque($0!).takeRetainedValue().serve() },
                context.toOpaque())
            if started == 0 { pthread_detach(thread) }
        #endif
        if started != 0 { context.release() }
    }
}
