public import Foundation
public import SquireEval

/// One line of a model's version history: what happened to which version, when and why.
public struct VersionEvent: Sendable, Hashable, Codable {
    /// What happened.
    public enum Action: String, Sendable, Hashable, Codable {
        /// A bundle was stored as a new version; nothing is served from it yet.
        case added
        /// The version became the live one.
        case promoted
        /// The live pointer went back to the version before.
        case rolledBack = "rolled_back"
        /// On opening, the history did not end with what the pointer says (the process
        /// stopped between moving the pointer and writing the history): this records what
        /// the pointer says, so the history is whole again.
        case recovered
    }

    /// What happened.
    public var action: Action
    /// The version it happened to: the one added, or the one live afterwards.
    public var version: String
    /// The version live before, for promotions and rollbacks.
    public var previous: String?
    /// When.
    public var date: Date
    /// Why, in words: the drift decision's reasons, "manual", a retrain's summary.
    public var reason: String
    /// The ship gate's verdict that allowed a promotion, when one was run.
    public var gate: GateResult?

    private enum CodingKeys: String, CodingKey { case action, version, previous, date, reason, gate }

    /// Creates an event.
    public init(
        action: Action, version: String, previous: String? = nil, date: Date = Date(), reason: String,
        gate: GateResult? = nil
    ) {
        self.action = action
        self.version = version
        self.previous = previous
        self.date = date
        self.reason = reason
        self.gate = gate
    }
}
