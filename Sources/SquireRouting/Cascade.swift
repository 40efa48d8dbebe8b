public import SquireCore

/// Local first, fallback when unsure: the local model answers when its confidence clears
/// the threshold; otherwise (or when it fails or times out) the fallback answers. When the
/// fallback fails or its call budget is spent, the local answer stands, marked degraded.
///
/// A cascade is itself a `TextClassifier`, so it drops in wherever the frontier call was;
/// ``route(_:)`` gives the same answers with a ``RoutingTrace`` each.
public struct Cascade<Local: TextClassifier, Fallback: TextClassifier>: TextClassifier {
    /// The cheap model asked first.
    public let local: Local
    /// The model asked when the local one is unsure or fails.
    public let fallback: Fallback
    /// Local answers at or above this confidence stand.
    public var threshold: Double
    /// Thresholds for particular predicted labels (a costly mistake earns a higher bar).
    public var labelThresholds: [String: Double]
    /// How long the local model may take before the fallback is asked instead.
    public var localTimeout: Duration?
    /// A cap on fallback calls; `nil` is unlimited.
    public var fallbackBudget: CallBudget?

    /// Creates a cascade.
    public init(
        local: Local, fallback: Fallback, threshold: Double, labelThresholds: [String: Double] = [:],
        localTimeout: Duration? = nil, fallbackBudget: CallBudget? = nil
    ) {
        self.local = local
        self.fallback = fallback
        self.threshold = threshold
        self.labelThresholds = labelThresholds
        self.localTimeout = localTimeout
        self.fallbackBudget = fallbackBudget
    }

    /// The local model's labels, then any the fallback adds.
    public var labels: [String] {
        let known = Set(local.labels)
        return local.labels + fallback.labels.filter { !known.contains($0) }
    }

    public func classify(_ texts: [String]) async throws -> [Classification] {
        try await route(texts).map(\.classification)
    }

    /// Classifies each text and says who answered and why.
    ///
    /// Throws ``RoutingError/noAnswer(local:fallback:)`` only when the local model failed
    /// and the fallback could not answer either.
    public func route(_ texts: [String]) async throws -> [RoutedClassification] {
        guard !texts.isEmpty else { return [] }
        let clock = ContinuousClock()
        let localStart = clock.now
        let attempts = try await askLocal(texts)
        let localLatency = clock.now - localStart

        // Answers are built as each text's fate is settled and put back in text order at the end.
        var routed: [(index: Int, answer: RoutedClassification)] = []
        var unsure: [(index: Int, local: CascadeOutcome.Local)] = []
        for (index, attempt) in attempts.enumerated() {
            if case .answered(let answer) = attempt, answer.confidence.isFinite, answer.confidence >= bar(for: answer) {
                routed.append((index, try routedAnswer(.confident(answer), localLatency: localLatency)))
            } else {
                unsure.append((index, attempt))
            }
        }
        guard !unsure.isEmpty else { return inTextOrder(routed) }

        var allowed = unsure[...]
        if let budget = fallbackBudget {
            let granted = await budget.reserve(upTo: unsure.count)
            allowed = unsure.prefix(granted)
            // Settled before the fallback is called: a text nobody may answer throws without spending a call.
            for text in unsure.dropFirst(granted) {
                let outcome = CascadeOutcome.fallbackUnavailable(
                    text.local, reason: .budgetExhausted, error: "the fallback's call budget is spent",
                    fallbackLatency: nil)
                routed.append((text.index, try routedAnswer(outcome, localLatency: localLatency)))
            }
        }
        guard !allowed.isEmpty else { return inTextOrder(routed) }

        let fallbackStart = clock.now
        let outcomes: [CascadeOutcome]
        do {
            let answers = try await fallback.classify(allowed.map { texts[$0.index] })
            guard answers.count == allowed.count else {
                throw ModelError.resultCountMismatch(expected: allowed.count, actual: answers.count)
            }
            let fallbackLatency = clock.now - fallbackStart
            outcomes = zip(allowed, answers).map { text, answer in
                .escalated(text.local, fallback: answer, fallbackLatency: fallbackLatency)
            }
        } catch is CancellationError where Task.isCancelled {
            throw CancellationError()
        } catch {
            let fallbackLatency = clock.now - fallbackStart
            outcomes = allowed.map { text in
                .fallbackUnavailable(
                    text.local, reason: .fallbackFailed, error: String(describing: error),
                    fallbackLatency: fallbackLatency)
            }
        }
        for (text, outcome) in zip(allowed, outcomes) {
            routed.append((text.index, try routedAnswer(outcome, localLatency: localLatency)))
        }
        return inTextOrder(routed)
    }

    /// The local model's answer to each text, or the failure every text shares; rethrows
    /// only the caller's cancellation.
    private func askLocal(_ texts: [String]) async throws -> [CascadeOutcome.Local] {
        do {
            let answers = try await withTimeout(localTimeout) { try await local.classify(texts) }
            guard answers.count == texts.count else {
                let error = ModelError.resultCountMismatch(expected: texts.count, actual: answers.count)
                return Array(repeating: .failed(String(describing: error)), count: texts.count)
            }
            return answers.map { .answered($0) }
        } catch is CancellationError where Task.isCancelled {
            throw CancellationError()
        } catch {
            return Array(repeating: .failed(String(describing: error)), count: texts.count)
        }
    }

    /// The threshold a local answer is held to.
    private func bar(for answer: Classification) -> Double {
        labelThresholds[answer.label] ?? threshold
    }

    /// The one place a text's outcome becomes its answer and trace; throws `noAnswer` when
    /// the fallback could not be used and the local model failed too.
    private func routedAnswer(_ outcome: CascadeOutcome, localLatency: Duration) throws(RoutingError)
        -> RoutedClassification
    {
        switch outcome {
        case .confident(let local):
            return RoutedClassification(
                classification: local,
                trace: RoutingTrace(
                    route: .local, reason: .confident, local: local, threshold: bar(for: local), fallback: nil,
                    localLatency: localLatency, fallbackLatency: nil, error: nil))
        case .escalated(let attempt, let fallback, let fallbackLatency):
            let local = attempt.answer
            var combined = fallback
            // Both calls are paid for.
            combined.usage = (local?.usage ?? .zero) + fallback.usage
            return RoutedClassification(
                classification: combined,
                trace: RoutingTrace(
                    route: .fallback, reason: local == nil ? .localFailed : .belowThreshold, local: local,
                    threshold: local.map(bar(for:)) ?? threshold, fallback: fallback, localLatency: localLatency,
                    fallbackLatency: fallbackLatency, error: attempt.error))
        case .fallbackUnavailable(.failed(let localError), _, let error, _):
            throw RoutingError.noAnswer(local: localError, fallback: error)
        case .fallbackUnavailable(.answered(let local), let reason, let error, let fallbackLatency):
            return RoutedClassification(
                classification: local,
                trace: RoutingTrace(
                    route: .degraded, reason: reason, local: local, threshold: bar(for: local), fallback: nil,
                    localLatency: localLatency, fallbackLatency: fallbackLatency, error: error))
        }
    }

    /// The answers in the order of the texts they answer.
    private func inTextOrder(_ routed: [(index: Int, answer: RoutedClassification)]) -> [RoutedClassification] {
        routed.sorted { $0.index < $1.index }.map(\.answer)
    }
}

/// Runs `operation`, throwing `ModelError.timedOut` if it takes longer than `limit`.
func withTimeout<T: Sendable>(_ limit: Duration?, _ operation: @escaping @Sendable () async throws -> T) async throws
    -> T
{
    guard let limit else { return try await operation() }
    return try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await operation() }
        group.addTask {
            try await Task.sleep(for: limit)
            return nil
        }
        defer { group.cancelAll() }
        guard let first = try await group.next(), let value = first else { throw ModelError.timedOut(after: limit) }
        return value
    }
}
