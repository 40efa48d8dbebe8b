import Dispatch
import Foundation
import SquireTensor
import Synchronization
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A value that parts on several threads update. Behind an `NSLock`, not a `Mutex`: on Linux
/// `Mutex` waits with raw futex calls, which ThreadSanitizer cannot see, so a TSan run of these
/// tests would report every locked update as a race.
private final class Locked<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Value
    init(_ value: Value) { stored = value }
    func update(_ body: (inout Value) -> Void) { lock.withLock { body(&stored) } }
    var value: Value { lock.withLock { stored } }
}

@Suite struct WorkerThreadsTests {
    /// A fresh pool's very first job runs on its worker too. Workers read the job generation
    /// when they started running, so one that started after the first job was published took
    /// it for done: `squire train --embeddings`, whose first parallel work is the fold search,
    /// ran all 35 fits on one core. Part 0 waits for part 1 to start; run one after the other,
    /// as the caller alone would, it would wait in vain.
    @Test(arguments: 1...5)
    func aFreshPoolsFirstJobUsesItsWorker(_ round: Int) {
        let workers = WorkerThreads(count: 1)
        let secondStarted = DispatchSemaphore(value: 0)
        let overlapped = Mutex(false)
        let ran = workers.run(2) { part in
            if part == 1 {
                secondStarted.signal()
            } else {
                overlapped.withLock { $0 = secondStarted.wait(timeout: .now() + 5) == .success }
            }
        }
        #expect(ran)
        #expect(overlapped.withLock { $0 }, "round \(round): the parts ran one after the other")
    }

    /// Runs a job on the workers, waiting while other tests' products hold them (tests run
    /// in parallel, and the few-shot suites tune an encoder for many seconds on a busy
    /// machine); false if they stayed busy for a minute.
    private func runOnWorkers(_ parts: Int, _ body: (Int) -> Void) -> Bool {
        for _ in 0..<60_000 {
            if WorkerThreads.shared.run(parts, body) { return true }
            usleep(1_000)
        }
        return false
    }

    /// Runs a job and counts how often each part ran.
    private func partCounts(_ parts: Int) -> (ran: Bool, counts: [Int]) {
        let counts = Locked([Int](repeating: 0, count: parts))
        let ran = runOnWorkers(parts) { part in counts.update { $0[part] += 1 } }
        return (ran, counts.value)
    }

    @Test func everyPartRunsExactlyOnce() {
        guard ProcessInfoCores.count > 1 else { return }
        for parts in [1, 2, 3, 17, 1000, WorkerThreads.maximumParts] {
            let (ran, counts) = partCounts(parts)
            #expect(ran)
            #expect(counts.allSatisfy { $0 == 1 }, "\(parts) parts: counts \(Set(counts))")
        }
    }

    @Test func aJobTooLargeOrWhileTheWorkersAreBusyIsDeclined() {
        guard ProcessInfoCores.count > 1 else { return }
        #expect(!WorkerThreads.shared.run(WorkerThreads.maximumParts + 1) { _ in })
        #expect(!WorkerThreads.shared.run(0) { _ in })
        // A part asking for the workers finds them held by its own job.
        let nested = Locked<[Bool]>([])
        #expect(
            runOnWorkers(4) { _ in
                let ran = WorkerThreads.shared.run(2) { _ in }
                nested.update { $0.append(ran) }
            })
        #expect(nested.value == [false, false, false, false])
    }

    @Test func workersThatFellAsleepWakeForTheNextJob() async throws {
        guard ProcessInfoCores.count > 1 else { return }
        for _ in 0..<5 {
            // Idle well past the spin limit, so every worker sleeps on the condition variable
            // and wakes into a job the caller has begun: each part must still run exactly once.
            try await Task.sleep(for: WorkerThreads.spinLimit * 10)
            let (ran, counts) = partCounts(64)
            #expect(ran && counts.allSatisfy { $0 == 1 })
        }
    }

    @Test func callersOnManyThreadsEachGetTheirPartsRunOnce() {
        let total = Atomic<Int>(0)
        let wrong = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: 8) { caller in
            for round in 0..<200 {
                let parts = 1 + (caller * 7 + round) % 13
                let counts = Locked([Int](repeating: 0, count: parts))
                // Callers that find the workers busy run their parts themselves.
                ParallelParts.run(parts) { part in counts.update { $0[part] += 1 } }
                if counts.value != [Int](repeating: 1, count: parts) { wrong.add(1, ordering: .relaxed) }
                total.add(1, ordering: .relaxed)
            }
        }
        #expect(total.load(ordering: .relaxed) == 1600)
        #expect(wrong.load(ordering: .relaxed) == 0)
    }

    @Test func aPartsErrorReachesTheCaller() {
        struct PartFailed: Error, Equatable { let part: Int }
        #expect(throws: PartFailed(part: 3)) {
            try ParallelParts.run(6) { (part: Int) throws(PartFailed) in
                if part == 3 { throw PartFailed(part: 3) }
            }
        }
    }

    @Test func partsRunInsideAPartAndNestedPartsRunInline() {
        guard ProcessInfoCores.count > 1 else { return }
        let inside = Locked<[Bool]>([])
        ParallelParts.run(4) { _ in
            inside.update { $0.append(ParallelParts.isInsidePart) }
        }
        #expect(inside.value == [true, true, true, true])
        #expect(!ParallelParts.isInsidePart)
    }
}
