/// What to do about a model after a window, with every number behind it.
public struct DriftDecision: Sendable, Hashable, Codable {
    /// The three answers.
    public enum Action: String, Sendable, Hashable, Codable {
        /// Within budget: do nothing.
        case hold
        /// The budget is spent by gradual drift: label the queue and retrain.
        case retrain
        /// A sudden drop right after a version change, and the previous version does better: roll back.
        case rollback
    }

    /// The decision.
    public var action: Action
    /// The window that produced it.
    public var window: WindowAssessment
    /// Sentences a reader can act on, most important first.
    public var reasons: [String]
    /// Alarming windows among the last `horizon`.
    public var budgetSpent: Int
    /// Alarming windows the budget allows among the last `horizon`.
    public var budgetAllowed: Int
    /// For `retrain`: the window's least confident requests, to label first.
    public var labellingQueue: [Observation]

    private enum CodingKeys: String, CodingKey {
        case action, window, reasons
        case budgetSpent = "budget_spent"
        case budgetAllowed = "budget_allowed"
        case labellingQueue = "labelling_queue"
    }
}
