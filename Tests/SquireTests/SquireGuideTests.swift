import Foundation
import Squire
import Testing

// Keeps the example in Documentation/Squire.md ("The loop") compiling; edit both together.

enum SquireGuide {
    static func shipRouter(train: Dataset, validation: Dataset, test: Dataset, to folder: String) async throws
        -> DriftMonitor
    {
        // 1. Train a logistic head on frozen embeddings; the bundle is written only if it succeeds.
        let trained = try ClassifierTraining.frozenHead(
            ClassifierRecipe(head: .logistic), on: train,
            options: TrainingOptions(validation: validation, bundleFolder: folder + "/float"))

        // 2. Evaluate, and gate against keyword rules: no worse in macro-F1, within 2 points.
        let report = try await EvalReport.evaluate(trained, named: "router", on: test)
        let rules = KeywordBaseline(texts: train.examples.map(\.text), labels: train.examples.map(\.label))
        let baseline = try await EvalReport.evaluate(rules, named: "keyword rules", on: test)
        let gate = Gate(name: "ship", nonInferiority: Gate.NonInferiority(metric: .macroF1, margin: 0.02))
        guard gate.evaluate(report, baseline: baseline).shipped else { throw ModelError.unavailable("gate failed") }

        // 3. Quantize to int8 and ship the smaller bundle.
        try ModelBundle(folder: folder + "/float").quantized(to: .int8).save(to: folder + "/int8")
        let shipped = try ModelBundle(folder: folder + "/int8")

        // 4. A drift reference from the validation set, with embeddings, then a monitor to feed.
        let answers = try await shipped.answers(for: validation.examples.map(\.text))
        let predictions = zip(validation.examples, answers.classifications).map {
            Prediction(id: $0.id, expected: $0.label, classification: $1)
        }
        let profile = try ReferenceProfile(
            dataset: validation, predictions: predictions,
            embeddings: (0..<validation.count).map { answers.embedding(at: $0)?.map(Double.init) ?? [] },
            modelVersion: shipped.version, windowSize: max(4, validation.count / 2))
        return try DriftMonitor(profile: profile)
    }
}

/// Documentation/Squire.md, "Versions on disk and the live slot".
enum SquireGuideVersions {
    static func serve(frontier: some TextClassifier, trained: TrainedClassifier, verdict: GateResult) throws
        -> some TextClassifier
    {
        let store = try ModelVersions(root: "router-versions")
        let live = LiveModel(try store.openLive())  // what the pointer says
        let router = Cascade(local: live, fallback: frontier, threshold: 0.86)
        // … later, a retrained model that passed the gate:
        let version = try store.add(trained)
        try live.promote(version, in: store, reason: "retrained", gate: verdict)  // labels checked first
        return router
    }
}

/// Documentation/Squire.md, "The closed loop".
enum SquireGuideClosedLoop {
    static func watch(
        _ answers: AsyncStream<Observation>, training: Dataset, heldBack: Dataset, teacher: some TextClassifier,
        monitor: DriftMonitor
    ) throws -> LiveModel {
        let store = try ModelVersions(root: "router-versions")
        let live = LiveModel(try store.openLive())  // hand `live` to the cascade or the handler
        let loop = ClosedLoop(
            store: store, live: live, monitor: monitor, training: training, evaluation: heldBack,
            gate: Gate(name: "ship", nonInferiority: Gate.NonInferiority(margin: 0.02)), labeller: teacher,
            retrain: { data in try ClassifierTraining.frozenHead(ClassifierRecipe(), on: data) })
        Task {
            for await observation in answers {
                guard let step = try? await loop.observe(observation), step.outcome != .held else { continue }
                print(step.outcome, step.gate?.description ?? "")  // log it where the agent logs
            }
        }
        return live
    }
}

/// The guide's loop on the routing dataset that ships with Squire: trained, gated, quantized,
/// profiled, and the monitor it returns fed a window of the test split.
@Suite(.enabled(if: Fixtures.hasModel, "needs all-MiniLM-L6-v2: run Scripts/setup/fetch-model.sh"))
struct SquireGuideTests {
    @Test func theLoopTrainsGatesQuantizesAndWatches() async throws {
        let folder = try Fixtures.scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let split = try AgentRoutes.dataset().stratifiedSplit(validationFraction: 0.2, testFraction: 0.3, seed: 0)
        var monitor = try await SquireGuide.shipRouter(
            train: split.train, validation: split.validation, test: split.test, to: folder.path)

        let shipped = try ModelBundle(folder: folder.path + "/int8")
        #expect(shipped.weights == .quantized(.int8))
        #expect(shipped.kind == .logisticHead)
        #expect(monitor.profile.modelVersion == shipped.version)
        #expect(monitor.profile.labels == split.train.labels)

        // One window of in-distribution traffic closes with a decision.
        let window = monitor.profile.windowSize
        let texts = Array(split.test.examples.prefix(window))
        let answers = try await shipped.answers(for: texts.map(\.text))
        var decisions: [DriftDecision] = []
        for (index, (example, answer)) in zip(texts, answers.classifications).enumerated() {
            let observation = Observation(
                text: example.text, label: answer.label, confidence: answer.confidence, modelVersion: shipped.version,
                embedding: answers.embedding(at: index)?.map(Double.init))
            if let decision = try monitor.observe(observation) { decisions.append(decision) }
        }
        #expect(decisions.count == 1)
        #expect(monitor.state.consumed == window)
    }

    /// Quantizing what cannot be quantized is a typed error naming the reason.
    @Test func quantizingTwiceIsRefused() async throws {
        let folder = try Fixtures.scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let float = folder.appendingPathComponent("float").path
        _ = try ClassifierTraining.frozenHead(
            ClassifierRecipe(inverseRegularizations: [1]), on: try Fixtures.dataset(),
            options: TrainingOptions(bundleFolder: float))
        let int8 = folder.appendingPathComponent("int8").path
        try ModelBundle(folder: float).quantized(to: .int8).save(to: int8)
        #expect(throws: ModelError.self) { try ModelBundle(folder: int8).quantized(to: .int4(groupSize: 32)) }
        #expect(throws: QuantizationError.self) { try ModelBundle(folder: float).quantized(to: .int4(groupSize: 48)) }
    }
}
