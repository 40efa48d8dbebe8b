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
    /// Why, as values with their numbers, most important first (see ``DriftPolicy/Outcome/reasons``).
    /// Empty in a decision saved before Squire recorded them; its ``reasons`` still read.
    public var findings: [DriftReason]
    /// Sentences a reader can act on, most important first: the wording of ``findings``.
    public var reasons: [String] { savedSentences + findings.map(\.description) }
    /// Alarming windows among the last `horizon`.
    public var budgetSpent: Int
    /// Alarming windows the budget allows among the last `horizon`.
    public var budgetAllowed: Int
    /// For `retrain`: the window's least confident requests, to label first.
    public var labellingQueue: [Observation]
    /// The sentences of a decision saved without ``findings``, kept so it reads as it did.
    private var savedSentences: [String] = []

    init(
        action: Action, window: WindowAssessment, findings: [DriftReason], budgetSpent: Int, budgetAllowed: Int,
        labellingQueue: [Observation]
    ) {
        self.action = action
        self.window = window
        self.findings = findings
        self.budgetSpent = budgetSpent
        self.budgetAllowed = budgetAllowed
        self.labellingQueue = labellingQueue
    }

    private enum CodingKeys: String, CodingKey {
        case action, window, reasons, findings
        case budgetSpent = "budget_spent"
        case budgetAllowed = "budget_allowed"
        case labellingQueue = "labelling_queue"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        action = try container.decode(Action.self, forKey: .action)
        window = try container.decode(WindowAssessment.self, forKey: .window)
        budgetSpent = try container.decode(Int.self, forKey: .budgetSpent)
        budgetAllowed = try container.decode(Int.self, forKey: .budgetAllowed)
        labellingQueue = try container.decode([Observation].self, forKey: .labellingQueue)
        // `reasons` holds the saved sentences followed by one per finding (see `encode(to:)`);
        // decisions written before findings existed hold sentences only.
        findings = try container.decodeIfPresent([DriftReason].self, forKey: .findings) ?? []
        savedSentences = Array(try container.decode([String].self, forKey: .reasons).dropLast(findings.count))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(action, forKey: .action)
        try container.encode(window, forKey: .window)
        // The sentences stay in the file for readers that do not know `findings`.
        try container.encode(reasons, forKey: .reasons)
        try container.encode(findings, forKey: .findings)
        try container.encode(budgetSpent, forKey: .budgetSpent)
        try container.encode(budgetAllowed, forKey: .budgetAllowed)
        try container.encode(labellingQueue, forKey: .labellingQueue)
    }
}
