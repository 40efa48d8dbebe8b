import Foundation
import Squire
import Testing

/// `LiveModel`: swaps under load with no failed or mixed call, in-flight calls finishing on
/// their version, label-set changes refused, rollback.
@Suite struct LiveModelTests {
    static let labels = ["a", "b"]

    static func answering(_ label: String) -> ScriptedClassifier {
        ScriptedClassifier(labels: labels) { _ in Classification(label: label, confidence: 0.9) }
    }

    /// A call that started on v1 answers from v1 even when v2 is swapped in while it runs;
    /// a call that starts after the swap answers from v2.
    @Test func callsInFlightFinishOnTheVersionTheyStartedWith() async throws {
        let latch = Latch()
        let live = LiveModel(LiveModel.Version("v1", Held(label: "a", labels: Self.labels, latch: latch)))
        let inFlight = Task { try await live.classify(["started before the swap"]) }
        await latch.waitUntilEntered()
        try live.swap(to: LiveModel.Version("v2", Self.answering("b")))
        #expect(try await live.classify(["started after"]).map(\.label) == ["b"])
        await latch.open()
        #expect(try await inFlight.value.map(\.label) == ["a"])
        #expect(live.current.name == "v2")
        #expect(live.previous?.name == "v1")
    }

    /// Hundreds of concurrent calls while the slot swaps back and forth: none fails, and every
    /// call's answers come from one version.
    @Test func concurrentCallsAcrossSwapsNeitherFailNorMix() async throws {
        let live = LiveModel(LiveModel.Version("v1", Slow(Self.answering("a"), delay: .milliseconds(1))))
        let versions = [
            LiveModel.Version("v1", Slow(Self.answering("a"), delay: .milliseconds(1))),
            LiveModel.Version("v2", Slow(Self.answering("b"), delay: .milliseconds(1))),
        ]
        // Twenty callers making twenty calls each, while the slot swaps every couple of milliseconds.
        let outcomes = try await withThrowingTaskGroup(of: [[String]].self) { group in
            group.addTask {
                for round in 0..<60 {
                    try live.swap(to: versions[(round + 1) % 2])
                    try await Task.sleep(for: .milliseconds(2))
                }
                return []
            }
            for caller in 0..<20 {
                group.addTask {
                    var answers: [[String]] = []
                    for call in 0..<20 {
                        answers.append(try await live.classify(["x\(caller)-\(call)", "y", "z"]).map(\.label))
                    }
                    return answers
                }
            }
            var all: [[String]] = []
            for try await answers in group { all += answers }
            return all
        }
        #expect(outcomes.count == 400)
        #expect(outcomes.allSatisfy { Set($0).count == 1 })
        #expect(Set(outcomes.flatMap { $0 }) == ["a", "b"])
    }

    @Test func refusesOtherLabelsUnlessToldAndRollsBack() throws {
        let live = LiveModel(LiveModel.Version("v1", Self.answering("a")))
        #expect(throws: LiveModel.SwapError.nothingToRollBackTo(current: "v1")) { try live.rollBack() }
        let other = ScriptedClassifier(labels: ["a", "c"]) { _ in Classification(label: "c", confidence: 1) }
        #expect(throws: LiveModel.SwapError.labelsDiffer(current: ["a", "b"], new: ["a", "c"])) {
            try live.swap(to: LiveModel.Version("v2", other))
        }
        #expect(live.current.name == "v1")
        try live.swap(to: LiveModel.Version("v2", other), acceptingNewLabels: true)
        #expect(live.labels == ["a", "c"])
        #expect(try live.rollBack().name == "v1")
        #expect(live.labels == ["a", "b"])
        // A second rollback undoes the first.
        #expect(try live.rollBack().name == "v2")
    }
}

/// A model that signals when a call enters and answers only once opened.
private struct Held: TextClassifier {
    let label: String
    let labels: [String]
    let latch: Latch

    func classify(_ texts: [String]) async throws -> [Classification] {
        await latch.enterAndWait()
        return texts.map { _ in Classification(label: label, confidence: 0.9) }
    }
}

/// One call held until the test opens it.
private actor Latch {
    private var entered = false
    private var isOpen = false
    private var enteredWaiters: [CheckedContinuation<Void, Never>] = []
    private var openWaiters: [CheckedContinuation<Void, Never>] = []

    func enterAndWait() async {
        entered = true
        for waiter in enteredWaiters { waiter.resume() }
        enteredWaiters = []
        if isOpen { return }
        await withCheckedContinuation { openWaiters.append($0) }
    }

    func waitUntilEntered() async {
        if entered { return }
        await withCheckedContinuation { enteredWaiters.append($0) }
    }

    func open() {
        isOpen = true
        for waiter in openWaiters { waiter.resume() }
        openWaiters = []
    }
}
