import Foundation
public import SquireCore
public import SquireDrift
public import SquireEval

/// Drift → retrain → gate → promote or roll back, in the agent's own process.
///
/// Feed it each answer the live model gives (``observe(_:previousVersion:)``). When the drift
/// monitor turns to RETRAIN, the loop has the labeller (a frontier model, or people through a
/// `TextClassifier` that reads their labels) label the window's least confident requests,
/// trains a candidate on the original data plus every request labelled so far, evaluates
/// candidate and live version on the held-back set, and promotes the candidate — into the
/// version store and the live slot — only when the ship gate says SHIP. When the monitor says
/// ROLLBACK — which it confirms only when given the previous version's answers to the same
/// requests — the pointer and the slot go back to the version before. Every step is returned
/// and kept in ``steps``; a retrain that fails, is cancelled or fails the gate leaves the live
/// version serving.
///
/// One retrain or rollback runs at a time: a decision that arrives while one runs is skipped,
/// and a standing RETRAIN decision is acted on once, not again every window it stands. After
/// a promotion the monitor is rebased on the new version's answers to the held-back set and
/// the labelled requests: the new version is judged against the traffic it was trained for,
/// and its first windows still count as windows after a version change.
///
/// Retraining and evaluating run on the caller's task; on a small machine give the loop its
/// own task, as the agent's requests share the same cores.
public actor ClosedLoop {
    /// Trains a candidate on the data given (the original data plus the labelled requests).
    public typealias Retrain = @Sendable (Dataset) async throws -> TrainedClassifier

    /// The store the live version comes from and candidates go to.
    public let store: ModelVersions
    /// The slot the agent's calls go through.
    public let live: LiveModel
    /// The drift monitor, rebased after each promotion.
    public private(set) var monitor: DriftMonitor
    /// The original training data.
    public let training: Dataset
    /// The held-back set candidate and live version are compared on; never trained on.
    public let evaluation: Dataset
    /// The rule a candidate must pass against the live version.
    public let gate: Gate
    /// Labels the drift decision's queue.
    public let labeller: any TextClassifier
    /// Every step taken, oldest first.
    public private(set) var steps: [LoopStep] = []
    /// Requests labelled so far, kept whatever became of the candidate they trained.
    public private(set) var labelled: [LabeledExample] = []
    private let retrain: Retrain
    private var acting = false
    private var lastAction: DriftDecision.Action = .hold

    /// Creates a loop around a live slot that serves the store's live version.
    ///
    /// - Parameters:
    ///   - monitor: watches the live version's answers.
    ///   - retrain: trains a candidate, typically a ``ClassifierTraining`` recipe.
    public init(
        store: ModelVersions, live: LiveModel, monitor: DriftMonitor, training: Dataset, evaluation: Dataset,
        gate: Gate, labeller: any TextClassifier, retrain: @escaping Retrain
    ) {
        self.store = store
        self.live = live
        self.monitor = monitor
        self.training = training
        self.evaluation = evaluation
        self.gate = gate
        self.labeller = labeller
        self.retrain = retrain
    }

    /// Takes one answer of the live version (and, where the previous version answered the
    /// same request in shadow, its answer); when it closes a window, acts on the decision and
    /// returns the step.
    ///
    /// - Throws: `DriftInputError` for an observation the monitor refuses (nothing changes).
    public func observe(_ observation: Observation, previousVersion shadow: Observation? = nil) async throws
        -> LoopStep?
    {
        guard let decision = try monitor.observe(observation, previousVersion: shadow) else { return nil }
        let standing = lastAction
        lastAction = decision.action
        let step: LoopStep
        switch decision.action {
        case .hold:
            step = LoopStep(decision: decision, outcome: .held, liveBefore: live.current.name)
        case _ where acting:
            step = LoopStep(
                decision: decision, outcome: .skipped(reason: "a retrain or rollback is already running"),
                liveBefore: live.current.name)
        case .retrain where standing == .retrain:
            step = LoopStep(
                decision: decision, outcome: .skipped(reason: "the standing retrain decision was already acted on"),
                liveBefore: live.current.name)
        case .retrain:
            step = await retrain(queue: decision.labellingQueue, decision: decision)
        case .rollback:
            step = rollBack(decision: decision, reason: decision.reasons.joined(separator: " "))
        }
        steps.append(step)
        return step
    }

    /// Retrains now on the original data plus every request labelled so far and `queue`
    /// (labelled by the labeller), gates the candidate against the live version and promotes
    /// it on SHIP.
    public func retrainNow(queue: [Observation] = []) async -> LoopStep {
        let step =
            acting
            ? LoopStep(
                decision: nil, outcome: .skipped(reason: "a retrain or rollback is already running"),
                liveBefore: live.current.name)
            : await retrain(queue: queue, decision: nil)
        steps.append(step)
        return step
    }

    /// Moves the store's pointer and the slot back to the version before.
    public func rollBackNow(reason: String) -> LoopStep {
        let step =
            acting
            ? LoopStep(
                decision: nil, outcome: .skipped(reason: "a retrain or rollback is already running"),
                liveBefore: live.current.name)
            : rollBack(decision: nil, reason: reason)
        steps.append(step)
        return step
    }

    private func retrain(queue: [Observation], decision: DriftDecision?) async -> LoopStep {
        acting = true
        defer { acting = false }
        let before = live.current.name
        do {
            // The queue's texts, labelled; a request labelled before is not asked again. Ids
            // are taken before the first suspension, so they stay unique.
            let known = Set(labelled.map(\.text))
            let texts = Array(Set(queue.compactMap(\.text)).subtracting(known)).sorted()
            let firstID = labelled.count + 1
            let answers = texts.isEmpty ? [] : try await labeller.classify(texts)
            let fresh = zip(texts, answers).enumerated().map { index, pair in
                LabeledExample(id: "labelled-\(firstID + index)", text: pair.0, label: pair.1.label)
            }
            labelled += fresh
            let data = try Dataset(name: training.name, examples: training.examples + labelled)
            let candidate = try await retrain(data)
            try Task.checkCancellation()
            guard candidate.version != before else {
                return LoopStep(
                    decision: decision, outcome: .rejected(version: candidate.version), liveBefore: before,
                    queuedExamples: fresh.count, note: "the candidate is the live version: nothing new to learn from")
            }
            let candidateReport = try await EvalReport.evaluate(candidate, named: candidate.version, on: evaluation)
            let liveReport = try await EvalReport.evaluate(live.current.model, named: before, on: evaluation)
            let verdict = gate.evaluate(candidateReport, baseline: liveReport)
            guard verdict.shipped else {
                return LoopStep(
                    decision: decision, outcome: .rejected(version: candidate.version), liveBefore: before,
                    gate: verdict, queuedExamples: fresh.count)
            }
            guard live.current.name == before else {
                return LoopStep(
                    decision: decision,
                    outcome: .skipped(reason: "the live version changed while the candidate trained"),
                    liveBefore: before, gate: verdict, queuedExamples: fresh.count)
            }
            // The code behind the slot routes by label: a candidate with another label set is
            // refused before the pointer moves.
            let version = try store.add(candidate, reason: "retrained on \(data.count) examples")
            let bundle = try live.promote(
                version, in: store, reason: "passed \(gate.name) against \(before) on \(evaluation.name)",
                gate: verdict)
            // The version serves now whatever happens next; a reference that cannot be rebuilt
            // leaves the old one watching, and the step says so.
            var note: String?
            do { try await rebaseline(on: bundle) } catch {
                note = "the drift reference was not rebuilt for \(version): \(error)"
            }
            return LoopStep(
                decision: decision, outcome: .promoted(version: version), liveBefore: before, gate: verdict,
                queuedExamples: fresh.count, note: note)
        } catch {
            return LoopStep(
                decision: decision, outcome: .failed(reason: String(describing: error)), liveBefore: before)
        }
    }

    private func rollBack(decision: DriftDecision?, reason: String) -> LoopStep {
        let before = live.current.name
        do {
            let bundle = try live.rollBack(in: store, reason: reason)
            return LoopStep(decision: decision, outcome: .rolledBack(to: bundle.version), liveBefore: before)
        } catch {
            return LoopStep(decision: decision, outcome: .failed(reason: String(describing: error)), liveBefore: before)
        }
    }

    /// A new reference for the promoted version: its answers, with embeddings, on the held-back
    /// set and the labelled requests.
    private func rebaseline(on bundle: ModelBundle) async throws {
        let reference = try Dataset(name: evaluation.name, examples: evaluation.examples + labelled)
        let answers = try await bundle.answers(for: reference.examples.map(\.text))
        let predictions = zip(reference.examples, answers.classifications).map {
            Prediction(id: $0.id, expected: $0.label, classification: $1)
        }
        let embeddings = answers.embeddings.map { _ in
            (0..<reference.count).map { answers.embedding(at: $0)?.map(Double.init) ?? [] }
        }
        let profile = try ReferenceProfile(
            dataset: reference, predictions: predictions, embeddings: embeddings, modelVersion: bundle.version,
            windowSize: monitor.profile.windowSize)
        // Rebased, not restarted: the new version's first windows count as windows after a
        // version change, so a sudden drop the shadow answers disprove can still roll it back.
        monitor = try monitor.rebased(on: profile)
        lastAction = .hold
    }
}
