import Foundation
import Squire
import Testing

/// A retrain that fails, is cancelled or fails the gate leaves the live version serving, the
/// pointer where it was, and a step that says why.
@Suite(.enabled(if: Fixtures.hasModel, "needs all-MiniLM-L6-v2: run Scripts/setup/fetch-model.sh"))
struct ClosedLoopFaultTests {
    struct Broken: Error, CustomStringConvertible {
        var description: String { "the training data was unreadable" }
    }

    /// A loop over a store with v1 live, retraining with `retrain` under `gate`.
    static func loop(in root: URL, gate: Gate, retrain: @escaping ClosedLoop.Retrain) async throws -> (
        ClosedLoop, ModelVersions, String
    ) {
        let data = try AgentRoutes.dataset()
        let store = try ModelVersions(root: root.path)
        let v1 = try store.add(
            try ClassifierTraining.frozenHead(ClassifierRecipe(inverseRegularizations: [1]), on: data))
        let bundle = try store.promote(v1, reason: "first ship")
        let answers = try await bundle.answers(for: data.examples.map(\.text))
        let profile = try ReferenceProfile(
            dataset: data,
            predictions: zip(data.examples, answers.classifications).map {
                Prediction(id: $0.id, expected: $0.label, classification: $1)
            }, modelVersion: v1, windowSize: 20)
        let teacher = ScriptedClassifier(labels: data.labels) { _ in Classification(label: "billing", confidence: 1) }
        let loop = ClosedLoop(
            store: store, live: LiveModel(bundle), monitor: try DriftMonitor(profile: profile), training: data,
            evaluation: data, gate: gate, labeller: teacher, retrain: retrain)
        return (loop, store, v1)
    }

    @Test func aFailedOrCancelledRetrainLeavesTheLiveVersion() async throws {
        let root = try Fixtures.scratch()
        defer { try? FileManager.default.removeItem(at: root) }
        let (failing, store, v1) = try await Self.loop(in: root, gate: Gate()) { _ in throw Broken() }
        let step = await failing.retrainNow(queue: [
            Observation(text: "my invoice is wrong", label: "billing", confidence: 0.4)
        ])
        #expect(step.outcome == .failed(reason: "the training data was unreadable"))
        #expect(step.liveBefore == v1)
        #expect(await failing.live.current.name == v1)
        #expect(try store.live()?.version == v1)
        #expect(store.versions == [v1])

        let cancelledRoot = try Fixtures.scratch()
        defer { try? FileManager.default.removeItem(at: cancelledRoot) }
        let (cancelling, cancelledStore, first) = try await Self.loop(in: cancelledRoot, gate: Gate()) { data in
            withUnsafeCurrentTask { $0?.cancel() }
            return try ClassifierTraining.frozenHead(ClassifierRecipe(inverseRegularizations: [10]), on: data)
        }
        let cancelled = await Task { await cancelling.retrainNow() }.value
        guard case .failed(let reason) = cancelled.outcome else {
            Issue.record("a cancelled retrain must fail, got \(cancelled.outcome)")
            return
        }
        #expect(reason.contains("CancellationError"))
        #expect(try cancelledStore.live()?.version == first)
        #expect(cancelledStore.versions == [first])
    }

    @Test func aCandidateThatFailsTheGateIsNotPromoted() async throws {
        let root = try Fixtures.scratch()
        defer { try? FileManager.default.removeItem(at: root) }
        // No model reaches an accuracy above 1: the gate says DO NOT SHIP whatever the candidate.
        let (loop, store, v1) = try await Self.loop(
            in: root, gate: Gate(name: "impossible", minimums: [.accuracy: 1.01])
        ) { data in try ClassifierTraining.frozenHead(ClassifierRecipe(inverseRegularizations: [10]), on: data) }
        let step = await loop.retrainNow()
        guard case .rejected(let candidate) = step.outcome else {
            Issue.record("expected a rejected candidate, got \(step.outcome)")
            return
        }
        #expect(candidate != v1)
        #expect(step.gate?.shipped == false)
        #expect(await loop.live.current.name == v1)
        #expect(try store.live()?.version == v1)
        #expect(store.versions == [v1])
        #expect(await loop.steps.count == 1)
    }

    /// A promoted version much worse than the one before, as the previous version's shadow
    /// answers show, is rolled back by the loop itself at its first window.
    @Test func theLoopRollsBackItsOwnPromotionOnASuddenDrop() async throws {
        let root = try Fixtures.scratch()
        defer { try? FileManager.default.removeItem(at: root) }
        // Every label moved to the next one: the same label set, nearly every answer wrong.
        let data = try AgentRoutes.dataset()
        let labels = data.labels
        let rotated = try Dataset(
            name: "rotated",
            examples: data.examples.map {
                let index = labels.firstIndex(of: $0.label) ?? 0
                return LabeledExample(id: $0.id, text: $0.text, label: labels[(index + 1) % labels.count])
            })
        let (loop, store, v1) = try await Self.loop(in: root, gate: Gate()) { _ in
            try ClassifierTraining.frozenHead(ClassifierRecipe(inverseRegularizations: [10]), on: rotated)
        }
        let requests = Array(data.examples.prefix(20))
        let v1Model = await loop.live.current
        let v1Answers = try await v1Model.model.classify(requests.map(\.text))
        func observations(_ answers: [Classification], version: String) -> [Observation] {
            zip(requests, answers).map { request, answer in
                Observation(
                    text: request.text, label: answer.label, confidence: answer.confidence, modelVersion: version,
                    trueLabel: request.label)
            }
        }
        // One window of v1, then the bad v2 promoted (an empty gate ships anything).
        for observation in observations(v1Answers, version: v1) { _ = try await loop.observe(observation) }
        let promotion = await loop.retrainNow()
        guard case .promoted(let v2) = promotion.outcome else {
            Issue.record("expected a promotion, got \(promotion.outcome)")
            return
        }
        let v2Answers = try await loop.live.classify(requests.map(\.text))
        var steps: [LoopStep] = []
        for (observation, shadow) in zip(
            observations(v2Answers, version: v2), observations(v1Answers, version: v1))
        {
            if let step = try await loop.observe(observation, previousVersion: shadow) { steps.append(step) }
        }
        #expect(steps.map(\.outcome) == [.rolledBack(to: v1)])
        #expect(steps.first?.decision?.action == .rollback)
        #expect(await loop.live.current.name == v1)
        #expect(try store.live()?.version == v1)
    }
}
