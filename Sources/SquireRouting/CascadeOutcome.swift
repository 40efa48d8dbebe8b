import SquireCore

/// What happened to one text on its way through a ``Cascade``; the cascade turns each
/// outcome into the answer and its ``RoutingTrace`` in one place.
enum CascadeOutcome: Sendable {
    /// What the local model did with the text.
    enum Local: Sendable {
        /// It answered.
        case answered(Classification)
        /// It failed or timed out (the error's description); the whole batch fails together.
        case failed(String)

        /// The answer, when there is one.
        var answer: Classification? {
            if case .answered(let answer) = self { answer } else { nil }
        }

        /// The error, when it failed.
        var error: String? {
            if case .failed(let error) = self { error } else { nil }
        }
    }

    /// The local answer cleared its threshold.
    case confident(Classification)
    /// The fallback answered: the local model was unsure or failed.
    case escalated(Local, fallback: Classification, fallbackLatency: Duration)
    /// The fallback could not be used (`reason` is `budgetExhausted` or `fallbackFailed`,
    /// `error` says why); the local answer stands if there is one.
    case fallbackUnavailable(Local, reason: RoutingTrace.Reason, error: String, fallbackLatency: Duration?)
}
