import Foundation
import SquireDrift
import Testing

// Keeps the example in Documentation/WatchingDrift.md compiling and true; edit both together.

/// The drift watch of an agent service: one actor owns the monitor and saves its state after
/// every window, so a restart neither loses nor double-counts a window.
actor DriftWatch {
    private var monitor: DriftMonitor
    private let stateFile: URL

    init(profile: ReferenceProfile, budget: DriftBudget, stateFile: URL) throws {
        monitor =
            FileManager.default.fileExists(atPath: stateFile.path)
            ? try DriftMonitor(profile: profile, budget: budget, resumingFrom: stateFile)
            : try DriftMonitor(profile: profile, budget: budget)
        self.stateFile = stateFile
    }

    /// Call after every answer; `previous` is the previous version's answer to the same
    /// request while it runs in shadow after a deploy.
    func record(_ answer: Observation, previous: Observation? = nil) throws -> DriftDecision? {
        guard let decision = try monitor.observe(answer, previousVersion: previous) else { return nil }
        try monitor.save(to: stateFile)
        return decision
    }
}

@Suite struct WatchingDriftGuideTests {
    let budget = DriftBudget(
        maximumAccuracyDrop: 0.05, allowedDriftingWindows: 2, horizon: 6, confirmationWindows: 2, labellingQueueSize: 20
    )

    func scratchFile() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("drift-watch-\(UUID()).json")
    }

    @Test func holdsThroughARestartThenAsksForARetrainWithALabellingQueue() async throws {
        let stateFile = scratchFile()
        defer { try? FileManager.default.removeItem(at: stateFile) }
        var actions: [DriftDecision.Action] = []

        var watch = try DriftWatch(profile: Traffic.profile, budget: budget, stateFile: stateFile)
        for answer in (0..<2).flatMap({ Traffic.make(200, seed: 600 + UInt64($0)) }) {
            if let decision = try await watch.record(answer) { actions.append(decision.action) }
        }
        // The service restarts in the middle of a window: 150 answers in, then a new process.
        let interrupted = Traffic.make(200, seed: 602)
        for answer in interrupted.prefix(150) { _ = try await watch.record(answer) }
        watch = try DriftWatch(profile: Traffic.profile, budget: budget, stateFile: stateFile)
        // Only whole windows are saved; the answers since the last save are fed again.
        for answer in interrupted {
            if let decision = try await watch.record(answer) { actions.append(decision.action) }
        }
        // Traffic shifts: longer requests, no delayed labels yet. A mild breach spends the
        // budget window by window; the third alarming window in a row spends it.
        var queue: [Observation] = []
        for w in 0..<3 {
            let shifted = Traffic.make(200, seed: 610 + UInt64(w), length: 80...200, labelled: false)
            for answer in shifted {
                guard let decision = try await watch.record(answer) else { continue }
                actions.append(decision.action)
                switch decision.action {
                case .hold: break
                case .retrain: queue = decision.labellingQueue  // label these first, then retrain
                case .rollback: break  // redeploy the previous version
                }
            }
        }
        #expect(actions == [.hold, .hold, .hold, .hold, .hold, .retrain])
        #expect(queue.count == 20)
        #expect(queue.map(\.confidence) == queue.map(\.confidence).sorted())
    }

    @Test func aBrokenDeployIsRolledBackWhenThePreviousVersionDoesBetter() async throws {
        let stateFile = scratchFile()
        defer { try? FileManager.default.removeItem(at: stateFile) }
        let watch = try DriftWatch(profile: Traffic.profile, budget: budget, stateFile: stateFile)
        var actions: [DriftDecision.Action] = []
        for answer in Traffic.make(200, seed: 700) {
            if let decision = try await watch.record(answer) { actions.append(decision.action) }
        }
        // v2 goes out answering badly; v1 answers the same requests in shadow, as before.
        let v2 = Traffic.make(200, seed: 701, accuracy: 0.55, confidence: 0.9, version: "v2")
        let v1 = Traffic.make(200, seed: 701, version: "v1")
        for (answer, previous) in zip(v2, v1) {
            if let decision = try await watch.record(answer, previous: previous) {
                actions.append(decision.action)
                #expect(decision.window.previousVersionAccuracy.map { $0 > 0.85 } == true)
            }
        }
        #expect(actions == [.hold, .rollback])
    }
}
