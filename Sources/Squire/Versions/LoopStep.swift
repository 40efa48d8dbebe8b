public import Foundation
public import SquireDrift
public import SquireEval

/// What the closed loop did after a window closed, or when asked to act: the drift decision
/// that started it, the outcome, and the evidence.
public struct LoopStep: Sendable, Hashable, Codable {
    /// How a step ended.
    public enum Outcome: Sendable, Hashable, Codable {
        /// Within budget: nothing to do.
        case held
        /// A candidate passed the gate and serves now.
        case promoted(version: String)
        /// A candidate failed the gate; the live version keeps serving.
        case rejected(version: String)
        /// Retraining, evaluating or storing failed (or was cancelled); the live version keeps
        /// serving.
        case failed(reason: String)
        /// The pointer and the slot went back to the version before.
        case rolledBack(to: String)
        /// The decision was not acted on: another retrain or rollback was running, or the
        /// standing retrain decision was already acted on.
        case skipped(reason: String)

        private enum CodingKeys: String, CodingKey {
            case held, promoted, rejected, failed, skipped
            case rolledBack = "rolled_back"
        }
    }

    /// When the step ended.
    public var date: Date
    /// The drift decision that started it, with its evidence; nil for a step asked for directly.
    public var decision: DriftDecision?
    /// How it ended.
    public var outcome: Outcome
    /// The version serving before the step.
    public var liveBefore: String
    /// The gate's verdict on the candidate, when one was evaluated.
    public var gate: GateResult?
    /// Labelled examples the retrain added from the drift decision's queue.
    public var queuedExamples: Int
    /// Anything else a reader should know, such as a drift reference that could not be rebuilt.
    public var note: String?

    private enum CodingKeys: String, CodingKey {
        case date, decision, outcome, gate, note
        case liveBefore = "live_before"
        case queuedExamples = "queued_examples"
    }

    /// Creates a step.
    public init(
        date: Date = Date(), decision: DriftDecision?, outcome: Outcome, liveBefore: String,
        gate: GateResult? = nil, queuedExamples: Int = 0, note: String? = nil
    ) {
        self.date = date
        self.decision = decision
        self.outcome = outcome
        self.liveBefore = liveBefore
        self.gate = gate
        self.queuedExamples = queuedExamples
        self.note = note
    }
}
