import Foundation
import SquireCore
import SquireDrift
import Testing

@Suite struct DriftMonitorTests {
    let profile = Traffic.profile

    /// Feeds windows of 200 and returns the decision of each.
    func run(_ monitor: inout DriftMonitor, _ windows: [[Observation]], shadows: [[Observation]]? = nil) throws
        -> [DriftDecision]
    {
        var decisions: [DriftDecision] = []
        for (w, window) in windows.enumerated() {
            for (i, observation) in window.enumerated() {
                if let decision = try monitor.observe(observation, previousVersion: shadows?[w][i]) {
                    decisions.append(decision)
                }
            }
        }
        return decisions
    }

    @Test func profileRecordsTheReference() throws {
        #expect(profile.labels == Traffic.labels)
        #expect(profile.confidences.count == 4000)
        #expect(abs(try #require(profile.shippedAccuracy) - 0.9) < 0.02)
        #expect(profile.bands.labelDistance > 0)
        #expect(profile.bands.textLengthStability != nil)
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("profile-\(UUID()).json")
        defer { try? FileManager.default.removeItem(at: url) }
        try profile.write(to: url)
        #expect(try ReferenceProfile(contentsOf: url) == profile)
    }

    @Test func referenceLikeTrafficHolds() throws {
        var monitor = try DriftMonitor(profile: profile)
        let decisions = try run(&monitor, (0..<20).map { Traffic.make(200, seed: 100 + UInt64($0)) })
        #expect(decisions.count == 20)
        #expect(decisions.allSatisfy { $0.action == .hold })
        // With 99.5% bands on a handful of signals, at most a window or two may alarm by chance.
        #expect(decisions.filter(\.window.alarming).count <= 2)
    }

    @Test func gradualDriftSpendsTheBudgetThenRetrains() throws {
        var monitor = try DriftMonitor(
            profile: profile,
            budget: DriftBudget(allowedDriftingWindows: 2, horizon: 6, confirmationWindows: 2, labellingQueueSize: 10))
        let clean = (0..<3).map { Traffic.make(200, seed: 200 + UInt64($0)) }
        // New traffic, no delayed labels yet: more refunds, longer texts. Beyond the bands and
        // allowances, but not wholesale (the confidences hold): a mild breach, window by window.
        let shifted = (0..<4).map {
            Traffic.make(200, seed: 300 + UInt64($0), mix: [0.2, 0.2, 0.6], length: 80...200, labelled: false)
        }
        let decisions = try run(&monitor, clean + shifted)
        #expect(decisions.map(\.action) == [.hold, .hold, .hold, .hold, .hold, .retrain, .retrain])
        let retrain = decisions[5]
        #expect(retrain.budgetSpent == 3)
        #expect(retrain.labellingQueue.count == 10)
        let lowest = shifted[2].map(\.confidence).sorted().prefix(10)
        #expect(retrain.labellingQueue.map(\.confidence) == Array(lowest))
        #expect(retrain.reasons[0].contains("drift budget spent"))
        #expect(retrain.window.signals.first { $0.name == "predicted_labels" }?.exceeded == true)
        #expect(retrain.window.signals.first { $0.name == "text_length" }?.exceeded == true)
    }

    @Test func hysteresisKeepsOneOddWindowFromFlippingTheDecision() throws {
        var monitor = try DriftMonitor(
            profile: profile, budget: DriftBudget(allowedDriftingWindows: 0, horizon: 4, confirmationWindows: 2))
        // Without delayed labels, so the predicted labels decide.
        let odd = Traffic.make(200, seed: 400, mix: [0.1, 0.1, 0.8], labelled: false)
        let clean = (0..<2).map { Traffic.make(200, seed: 410 + UInt64($0)) }
        let first = try run(&monitor, [odd] + clean)
        #expect(first.map(\.action) == [.hold, .hold, .hold])  // one alarm is not two in a row
        let drift = (0..<2).map { Traffic.make(200, seed: 420 + UInt64($0), mix: [0.1, 0.1, 0.8], labelled: false) }
        let more = (0..<3).map { Traffic.make(200, seed: 430 + UInt64($0)) }
        let second = try run(&monitor, drift + more)
        // Two alarms in a row spend the budget; it takes two clean windows to come back.
        #expect(second.map(\.action) == [.hold, .retrain, .retrain, .hold, .hold])
    }

    @Test func driftBeyondTheBandButWithinTheAllowanceDoesNotAlarm() throws {
        // On windows of 2,000 the bands are narrow: texts a little longer than the
        // reference's 20…60 are more than sampling noise, yet less than the PSI of 0.1 the
        // budget allows by default.
        let profile = try ReferenceProfile(
            observations: Traffic.make(8000, seed: 2), labels: Traffic.labels, windowSize: 2000, chunks: 100, seed: 7)
        let window = Traffic.make(2000, seed: 450, length: 20...64, labelled: false)
        var strict = try DriftMonitor(profile: profile, budget: DriftBudget(allowedDrift: .none))
        let bandOnly = try #require(try run(&strict, [window]).first).window
        var lenient = try DriftMonitor(profile: profile)
        let withAllowance = try #require(try run(&lenient, [window]).first).window
        let strictLength = try #require(bandOnly.signals.first { $0.name == "text_length" })
        let length = try #require(withAllowance.signals.first { $0.name == "text_length" })
        #expect(length.value > length.band && length.value < 0.1)
        #expect(strictLength.exceeded && strictLength.allowed == 0)
        #expect(!length.exceeded && length.allowed == 0.1)
        #expect(bandOnly.alarming && !withAllowance.alarming)

        // Far beyond both: the default allowance does not hide real drift.
        var monitor = try DriftMonitor(profile: profile)
        let shifted = try #require(
            try run(&monitor, [Traffic.make(2000, seed: 451, length: 80...200, labelled: false)]).first)
        let far = try #require(shifted.window.signals.first { $0.name == "text_length" })
        #expect(far.exceeded && far.value > 1)
        #expect(shifted.reasons.contains { $0.contains("text_length drifted") && $0.contains("the allowed 0.1000") })
    }

    @Test func theBudgetReadsItsAllowanceAndRefusesANegativeOne() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("budget-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("budget.json")
        try Data(#"{"horizon": 8, "allowed_drift": {"psi": 0.25}}"#.utf8).write(to: url)
        let budget = try DriftBudget(contentsOf: url)
        #expect(budget.horizon == 8)
        #expect(
            budget.allowedDrift
                == AllowedDrift(labelDistance: 0.1, populationStability: 0.25, embeddingDiscrepancy: 0.015))
        try Data(#"{"allowed_drift": {"embedding_mmd2": -0.01}}"#.utf8).write(to: url)
        #expect { try DriftBudget(contentsOf: url) } throws: { String(describing: $0).contains("embedding_mmd2") }
    }

    @Test func suddenDropAfterAVersionChangeRollsBackWhenThePreviousVersionDoesBetter() throws {
        var monitor = try DriftMonitor(profile: profile)
        let before = (0..<2).map { Traffic.make(200, seed: 500 + UInt64($0)) }
        let broken = Traffic.make(200, seed: 510, accuracy: 0.55, confidence: 0.9, version: "v2")
        // The previous version answering the same requests: right as often as before.
        let shadow = broken.map { o in
            Observation(id: o.id, label: o.trueLabel!, confidence: 0.9, modelVersion: "v1", trueLabel: o.trueLabel)
        }
        var decisions = try run(&monitor, before)
        decisions += try run(&monitor, [broken], shadows: [shadow])
        #expect(decisions.map(\.action) == [.hold, .hold, .rollback])
        let rollback = decisions[2]
        #expect(rollback.window.modelVersion == "v2")
        #expect(rollback.window.previousVersionAccuracy == 1)
        #expect(rollback.reasons[0].contains("roll back"))

        // The same drop without the previous version's answers cannot confirm a rollback; it is
        // severe all the same, so the monitor asks for a retrain at once.
        var blind = try DriftMonitor(profile: profile)
        let blindDecisions = try run(&blind, before + [broken])
        #expect(blindDecisions.last?.action == .retrain)
        #expect(blindDecisions.last?.reasons.contains { $0.contains("rollback cannot be confirmed") } == true)
        // A version change with no drop keeps holding.
        var upgrade = try DriftMonitor(profile: profile)
        let fine = Traffic.make(200, seed: 520, version: "v2")
        #expect(
            try run(&upgrade, before + [fine], shadows: [before[0], before[1], fine]).map(\.action) == [
                .hold, .hold, .hold,
            ])
    }

    @Test func resumesAfterAKillWithoutLosingOrDoubleCounting() throws {
        let stream = (0..<6).flatMap { w in
            Traffic.make(200, seed: 600 + UInt64(w), mix: w < 3 ? [0.5, 0.3, 0.2] : [0.1, 0.1, 0.8])
        }
        var straight = try DriftMonitor(profile: profile)
        var expected: [DriftDecision] = []
        for o in stream { if let d = try straight.observe(o) { expected.append(d) } }

        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("drift-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let stateURL = folder.appendingPathComponent("state.json")
        // Kill points: mid-window, exactly at a window's end, and right after a save.
        for kills in [[137, 450, 999], [200, 400, 800], [1, 1199]] {
            var decisions: [DriftDecision] = []
            var monitor = try DriftMonitor(profile: profile)
            var position = 0
            for kill in kills + [stream.count] {
                while position < kill {
                    if let d = try monitor.observe(stream[position]) { decisions.append(d) }
                    position += 1
                }
                try monitor.save(to: stateURL)
                // The process dies here; a new one reads the state and skips what was consumed.
                monitor = try DriftMonitor(profile: profile, resumingFrom: stateURL)
                position = monitor.state.consumed
            }
            #expect(decisions == expected, "kills at \(kills)")
        }
    }

    @Test func badInputIsTypedAndLosesNothing() throws {
        var monitor = try DriftMonitor(profile: profile)
        let good = Traffic.make(10, seed: 700)
        for o in good { _ = try monitor.observe(o) }
        let before = monitor.state
        #expect(throws: DriftInputError.self) { try monitor.observe(Observation(label: "card", confidence: .nan)) }
        #expect(throws: DriftInputError.unknownLabel("loans", known: Traffic.labels)) {
            try monitor.observe(Observation(label: "loans", confidence: 0.8))
        }
        #expect(throws: DriftInputError.self) { try monitor.observe(Observation(label: "card", confidence: 1.5)) }
        #expect(monitor.state == before)

        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("drift-bad-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("state.json")
        try monitor.save(to: url)
        let saved = try Data(contentsOf: url)
        try saved.prefix(saved.count / 2).write(to: url)  // a torn write from some other tool
        #expect { try DriftMonitor(profile: profile, resumingFrom: url) } throws: {
            String(describing: $0).contains("corrupt")
        }
        #expect(throws: DriftInputError.self) { try ReferenceProfile(observations: [], labels: Traffic.labels) }
        #expect(throws: DriftInputError.self) {
            try DriftMonitor(profile: profile, budget: DriftBudget(allowedDriftingWindows: 9, horizon: 3))
        }
        var timed = try DriftMonitor(profile: profile, windowing: .duration(seconds: 60))
        #expect(throws: DriftInputError.self) { try timed.observe(Observation(label: "card", confidence: 0.8)) }
    }

    /// Found by the drift-state fuzzer (Fuzz/DriftMonitorStateFuzzer.swift): a state whose
    /// counters no monitor could have written trapped on the next window instead of being refused.
    @Test(arguments: [
        ("windows_since_version_change", Int.max - 1), ("windows_closed", -1), ("windows_closed", Int.max),
        ("consumed", Int.max), ("consumed", -1),
    ])
    func refusesAStateWhoseCountersCannotGoOn(_ key: String, _ value: Int) throws {
        var monitor = try DriftMonitor(profile: profile)
        for o in Traffic.make(250, seed: 710) { _ = try monitor.observe(o) }
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("drift-counters-\(UUID()).json")
        defer { try? FileManager.default.removeItem(at: url) }
        try monitor.save(to: url)
        var state = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        state[key] = value
        try JSONSerialization.data(withJSONObject: state).write(to: url)
        #expect { try DriftMonitor(profile: profile, resumingFrom: url) } throws: {
            String(describing: $0).contains("inconsistent")
        }
    }

    /// Found by the drift-state fuzzer: an open window edited on disk (here, a label the
    /// profile does not know) made every later window fail to close, and the state the
    /// monitor then saved could not be resumed.
    @Test func refusesAStateWhoseOpenWindowItWouldRefuse() throws {
        var monitor = try DriftMonitor(profile: profile)
        for o in Traffic.make(7, seed: 720) { _ = try monitor.observe(o) }
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("drift-window-\(UUID()).json")
        defer { try? FileManager.default.removeItem(at: url) }
        try monitor.save(to: url)
        var state = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        var pending = try #require(state["pending"] as? [[String: Any]])
        pending[3]["label"] = "loans"
        state["pending"] = pending
        try JSONSerialization.data(withJSONObject: state).write(to: url)
        #expect { try DriftMonitor(profile: profile, resumingFrom: url) } throws: {
            String(describing: $0).contains("open window holds an observation the monitor refuses")
        }
    }

    /// Found by the drift-profile fuzzer (Fuzz/ReferenceProfileFuzzer.swift): a profile whose
    /// embedding sketch projected 4 dimensions to 425 million loaded, and the first window
    /// with embeddings allocated 3.4 GB per vector (a negative width trapped).
    @Test(arguments: [(425_000_000, 4, 2), (-1, 4, 2), (2, 0, 2), (2, 4, 3)])
    func refusesAProfileWhoseSketchIsInconsistent(_ dimension: Int, _ inputDimension: Int, _ width: Int) throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("drift-sketch-\(UUID()).json")
        defer { try? FileManager.default.removeItem(at: url) }
        try profile.write(to: url)
        var file = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        file["embedding_sketch"] = [
            "dimension": dimension, "input_dimension": inputDimension, "seed": 0,
            "vectors": [[Double](repeating: 0.5, count: width), [Double](repeating: -0.5, count: width)],
        ]
        try JSONSerialization.data(withJSONObject: file).write(to: url)
        #expect { try ReferenceProfile(contentsOf: url) } throws: {
            String(describing: $0).contains("embedding sketch is inconsistent")
        }
    }

    @Test func timeBasedWindowsCloseOnTheClock() throws {
        var monitor = try DriftMonitor(profile: profile, windowing: .duration(seconds: 100))
        var decisions: [DriftDecision] = []
        // Timestamps 0…449 one second apart: windows [0,100), [100,200), …; the last stays open.
        for o in Traffic.make(450, seed: 800) { if let d = try monitor.observe(o) { decisions.append(d) } }
        #expect(decisions.map(\.window.count) == [100, 100, 100, 100])
        #expect(monitor.state.consumed == 450)
    }
}

@Suite struct EmbeddingDriftTests {
    /// Unit vectors in 48 dimensions around a topic direction; `topic` picks the direction.
    static func embed(_ observations: [Observation], topic: Int, seed: UInt64) -> [Observation] {
        var generator = SplitMix64(seed: seed)
        return observations.map { o in
            var vector = (0..<48).map { _ in Double.random(in: -0.3...0.3, using: &generator) }
            vector[topic] += 1
            let norm = vector.reduce(0) { $0 + $1 * $1 }.squareRoot()
            var copy = o
            copy.embedding = vector.map { $0 / norm }
            return copy
        }
    }

    @Test func embeddingSketchCatchesATopicShift() throws {
        let validation = Self.embed(Traffic.make(1000, seed: 900), topic: 0, seed: 1)
        let profile = try ReferenceProfile(
            observations: validation, labels: Traffic.labels, windowSize: 200, chunks: 60)
        let sketch = try #require(profile.embeddingSketch)
        #expect(sketch.inputDimension == 48)
        #expect(sketch.dimension == 32)
        #expect(sketch.vectors.count == 256)
        #expect(profile.bands.embeddingDiscrepancy != nil)

        var monitor = try DriftMonitor(profile: profile)
        monitor.permutations = 100
        var same: DriftDecision?
        for o in Self.embed(Traffic.make(200, seed: 901), topic: 0, seed: 2) { same = try monitor.observe(o) ?? same }
        var shifted: DriftDecision?
        // Same labels, confidences and lengths; only what the texts are about moves.
        for o in Self.embed(Traffic.make(200, seed: 902), topic: 1, seed: 3) {
            shifted = try monitor.observe(o) ?? shifted
        }
        let calm = try #require(same?.window.signals.first { $0.name == "embedding" })
        let moved = try #require(shifted?.window.signals.first { $0.name == "embedding" })
        #expect(!calm.exceeded)
        #expect(moved.exceeded)
        #expect(try #require(moved.pValue) < 0.02)
        #expect(shifted?.window.signals.filter(\.exceeded).map(\.name) == ["embedding"])
        #expect(throws: DriftInputError.dimensionMismatch(expected: 48, actual: 3)) {
            try monitor.observe(Observation(label: "card", confidence: 0.9, embedding: [1, 2, 3]))
        }
    }
}
