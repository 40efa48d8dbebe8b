import Synchronization

/// A running total of what a paid model has spent: every call it sent, the failed ones too.
///
/// A call whose answer could not be used (free text where a label was asked, a refusal, a
/// cut-off answer) was still made and its tokens may be billed, but it ends in an error, and
/// errors carry no ``Usage`` through the model protocols. The meter counts it anyway, so a run
/// can report what it really cost: take ``usage`` before and after and subtract.
public final class UsageMeter: Sendable {
    private let total = Mutex(Usage.zero)

    /// Creates a meter at zero.
    public init() {}

    /// Everything recorded so far.
    public var usage: Usage { total.withLock { $0 } }

    /// Adds one call's (or one attempt's) usage.
    public func record(_ usage: Usage) {
        total.withLock { $0 = $0 + usage }
    }
}

/// A model that counts what its calls cost on a ``UsageMeter``, failed calls included.
///
/// Callers that run many calls (labelling, verification, synthesis) read the meter around
/// the run to report its whole cost, not only the answered calls' `Usage`.
public protocol UsageMetered: Sendable {
    /// The meter every call of this model records on.
    var meter: UsageMeter { get }
}

extension UsageMeter {
    /// What a run cost from `start` (the meter's ``usage`` when it began): calls, tokens and
    /// cost as the meter counted them, failed calls included; latency as `answered` (the
    /// answered calls' summed usage) has it, since the meter does not time calls.
    public func spending(since start: Usage, answered: Usage) -> Usage {
        let spent = usage - start
        return Usage(
            inputTokens: spent.inputTokens, outputTokens: spent.outputTokens, calls: spent.calls,
            latency: answered.latency, cost: spent.cost)
    }
}
