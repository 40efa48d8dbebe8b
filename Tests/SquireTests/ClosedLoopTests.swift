import Foundation
import Squire
import Synchronization
import Testing

/// The closed loop in-process on BANKING77 through public API alone: ship v1, stream
/// in-distribution then shifted traffic, let the loop retrain, gate and promote while callers
/// hammer the live slot, force a rollback, and restart from the store.
@Suite(
    .enabled(if: Fixtures.hasModel, "needs all-MiniLM-L6-v2: run Scripts/setup/fetch-model.sh"),
    .enabled(if: Banking77.isPresent, "needs ../shared/data/banking77")
)
struct ClosedLoopTests {
    /// `count` examples of each of `labels` from `examples`, after skipping `skip` of each.
    static func take(_ count: Int, skipping skip: Int = 0, of labels: Set<String>, from examples: [LabeledExample])
        -> [LabeledExample]
    {
        var seen: [String: Int] = [:]
        return examples.filter { example in
            guard labels.contains(example.label) else { return false }
            seen[example.label, default: 0] += 1
            return (skip + 1...skip + count).contains(seen[example.label]!)
        }
    }

    @Test func retrainsGatesPromotesAndRollsBackWhileServing() async throws {
        let folder = try Fixtures.scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let train = try Dataset(contentsOf: Banking77.folder.appendingPathComponent("train.jsonl")).examples
        let test = try Dataset(contentsOf: Banking77.folder.appendingPathComponent("test.jsonl")).examples
        let labels = Array(Set(train.map(\.label)).sorted().prefix(10))
        let all = Set(labels)
        let training = try Dataset(name: "banking10", examples: Self.take(10, of: all, from: train))
        let validation = try Dataset(name: "validation", examples: Self.take(30, skipping: 10, of: all, from: train))
        let evaluation = try Dataset(name: "held-back", examples: Self.take(20, of: all, from: test))
        var generator = SplitMix64(seed: 5)
        let normal = Self.take(12, skipping: 40, of: all, from: train).shuffled(using: &generator)
        let skewed = Self.take(80, skipping: 40, of: Set(labels.prefix(2)), from: train).shuffled(using: &generator)

        // v1: a logistic head, stored and live; its drift reference from the validation set.
        let store = try ModelVersions(root: folder.path)
        let retrain: ClosedLoop.Retrain = { data in
            try ClassifierTraining.frozenHead(ClassifierRecipe(inverseRegularizations: [10]), on: data)
        }
        let v1 = try store.add(try await retrain(training), reason: "first ship")
        let shipped = try store.promote(v1, reason: "first ship")
        let live = LiveModel(shipped)
        let answers = try await shipped.answers(for: validation.examples.map(\.text))
        let profile = try ReferenceProfile(
            dataset: validation,
            predictions: zip(validation.examples, answers.classifications).map {
                Prediction(id: $0.id, expected: $0.label, classification: $1)
            },
            embeddings: (0..<validation.count).map { answers.embedding(at: $0)?.map(Double.init) ?? [] },
            modelVersion: v1, windowSize: 40)
        // The labeller knows every request's true label: a perfect frontier teacher.
        let truth = Dictionary((normal + skewed).map { ($0.text, $0.label) }, uniquingKeysWith: { first, _ in first })
        let labeller = ScriptedClassifier(labels: labels) { text in
            Classification(label: truth[text] ?? labels[0], confidence: 1)
        }
        let loop = ClosedLoop(
            store: store, live: live, monitor: try DriftMonitor(profile: profile), training: training,
            evaluation: evaluation, gate: Gate(name: "ship", nonInferiority: Gate.NonInferiority(margin: 0.05)),
            labeller: labeller, retrain: retrain)

        // Callers use the slot the whole time; not one call may fail.
        let stop = Flag()
        let callers = (0..<4).map { caller in
            Task { () -> (calls: Int, failures: Int) in
                var counts = (calls: 0, failures: 0)
                while !stop.isSet {
                    do { _ = try await live.classify(["where is my card \(caller)", "top up failed"]) } catch {
                        counts.failures += 1
                    }
                    counts.calls += 1
                    // Paced, as requests arrive: the two cores also run the loop's retraining.
                    try? await Task.sleep(for: .milliseconds(20))
                }
                return counts
            }
        }

        // The agent's traffic: each request answered by the live slot, then observed.
        var steps: [LoopStep] = []
        for chunk in stride(from: 0, to: normal.count + skewed.count, by: 40) {
            let requests = Array((normal + skewed)[chunk..<min(chunk + 40, normal.count + skewed.count)])
            let serving = live.current
            guard let bundle = serving.model as? ModelBundle else { throw ModelError.unavailable("not a bundle") }
            let answered = try await bundle.answers(for: requests.map(\.text))
            for (index, request) in requests.enumerated() {
                let answer = answered.classifications[index]
                let observation = Observation(
                    text: request.text, label: answer.label, confidence: answer.confidence, modelVersion: serving.name,
                    embedding: answered.embedding(at: index)?.map(Double.init))
                if let step = try await loop.observe(observation) { steps.append(step) }
            }
        }
        let promoted = steps.compactMap { step -> String? in
            if case .promoted(let version) = step.outcome { version } else { nil }
        }
        #expect(steps.first?.outcome == .held)
        #expect(
            !promoted.isEmpty,
            "\(steps.map { "\($0.outcome) \($0.decision?.window.signals.filter(\.exceeded).map(\.name) ?? []) \($0.decision?.reasons ?? [])" })"
        )
        let v2 = try #require(promoted.first)
        #expect(v2 != v1)
        let promotion = try #require(steps.first { $0.outcome == .promoted(version: v2) })
        #expect(promotion.decision?.action == .retrain)
        #expect(promotion.gate?.shipped == true)
        #expect(promotion.queuedExamples > 0)
        #expect(try store.live()?.version == promoted.last)
        #expect(live.current.name == promoted.last)

        // A forced rollback returns to the version before, in the store and the slot.
        let rollback = await loop.rollBackNow(reason: "operator")
        let previous = promoted.count > 1 ? promoted[promoted.count - 2] : v1
        #expect(rollback.outcome == .rolledBack(to: previous))
        #expect(live.current.name == previous)

        stop.set()
        var calls = 0
        for caller in callers {
            let counts = await caller.value
            calls += counts.calls
            #expect(counts.failures == 0)
        }
        #expect(calls > 0)

        // A restarted process serves what the pointer says, and the history tells how it got there.
        let restarted = try ModelVersions(root: folder.path)
        #expect(try restarted.openLive().version == previous)
        let history = try restarted.history()
        #expect(history.filter { $0.action == .promoted }.count == promoted.count + 1)
        #expect(history.last?.action == .rolledBack)
        #expect(history.first { $0.action == .promoted && $0.version == v2 }?.gate?.shipped == true)
    }
}

/// BANKING77 from ../shared, beside this repository.
enum Banking77 {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared/data/banking77")
    static var isPresent: Bool {
        FileManager.default.fileExists(atPath: folder.appendingPathComponent("train.jsonl").path)
    }
}

/// A flag set once by the test and read by the callers.
private final class Flag: Sendable {
    private let value = Mutex(false)
    var isSet: Bool { value.withLock { $0 } }
    func set() { value.withLock { $0 = true } }
}
