public import Foundation

extension DriftMonitor {
    /// An observation of a stream the monitor refused, with its place in the stream.
    public struct StreamError: Error, Sendable, Hashable, CustomStringConvertible {
        /// The observation's 0-based index in the stream.
        public var index: Int
        /// Why it was refused.
        public var error: DriftInputError

        public var description: String { "observation \(index + 1): \(error)" }
    }

    /// Feeds the observations of a stream that the state has not consumed yet — those from
    /// ``State/consumed`` on, so that a monitor resumed from a saved state picks up where it
    /// stopped — and returns the decisions of the windows that closed.
    ///
    /// - Parameters:
    ///   - shadows: the previous version's answers to the same requests, parallel to
    ///     `observations`, for rollback checks.
    ///   - stateURL: where to save the state after every decision, after a refused
    ///     observation (keeping what came before it) and at the end; nil saves nothing.
    ///   - onDecision: called with each decision as its window closes.
    /// - Throws: ``StreamError`` for a refused observation, after saving the state up to it;
    ///   ``DriftInputError/streamMismatch(consumed:available:)`` when the stream does not begin
    ///   with the observations the state has consumed (it is shorter, or they differ: the input
    ///   was replaced), before consuming anything; ``DriftInputError/invalidSetting(_:)`` when
    ///   `shadows` does not match `observations`.
    public mutating func consume(
        _ observations: [Observation], previousVersion shadows: [Observation]? = nil,
        savingStateTo stateURL: URL? = nil,
        onDecision: (DriftDecision) -> Void = { _ in }
    ) throws -> [DriftDecision] {
        if let shadows, shadows.count != observations.count {
            throw DriftInputError.invalidSetting(
                "\(shadows.count) previous-version answers for \(observations.count) observations; they must answer the same requests in the same order"
            )
        }
        let skip = state.consumed
        guard skip <= observations.count else {
            throw DriftInputError.streamMismatch(consumed: skip, available: observations.count)
        }
        let consumed = StreamDigest(observations.prefix(skip))
        guard state.streamDigest.map({ $0 == consumed }) ?? true else {
            throw DriftInputError.streamMismatch(consumed: skip, available: observations.count)
        }
        // A state saved before digests existed cannot check its stream; it vouches for this one from here on.
        if state.streamDigest == nil {
            var adopted = state
            adopted.streamDigest = consumed
            replaceState(adopted)
        }
        var decisions: [DriftDecision] = []
        for index in skip..<observations.count {
            do {
                if let decision = try observe(observations[index], previousVersion: shadows?[index]) {
                    decisions.append(decision)
                    if let stateURL { try save(to: stateURL) }
                    onDecision(decision)
                }
            } catch let error as DriftInputError {
                if let stateURL { try save(to: stateURL) }
                throw StreamError(index: index, error: error)
            }
        }
        if let stateURL { try save(to: stateURL) }
        return decisions
    }
}
