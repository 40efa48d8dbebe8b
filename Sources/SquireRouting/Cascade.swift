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
        var localAnswers: [Classification]?
        var localError: String?
        do {
            let answers = try await withTimeout(localTimeout) { try await local.classify(texts) }
            if answers.count != texts.count {
                localError = String(
                    describing: ModelError.resultCountMismatch(expected: texts.count, actual: answers.count))
            } else {
                localAnswers = answers
            }
        } catch is CancellationError where Task.isCancelled {
            throw CancellationError()
        } catch {
            localError = String(describing: error)
        }
        let localLatency = clock.now - localStart

        // Which texts go to the fallback, and why.
        var escalate: [Int] = []
        var results = [RoutedClassification?](repeating: nil, count: texts.count)
        for index in texts.indices {
            guard let answer = localAnswers?[index] else {
                escalate.append(index)
                continue
            }
            let bar = labelThresholds[answer.label] ?? threshold
            if answer.confidence.isFinite && answer.confidence >= bar {
                results[index] = RoutedClassification(
                    classification: answer,
                    trace: RoutingTrace(
                        route: .local, reason: .confident, local: answer, threshold: bar, fallback: nil,
                        localLatency: localLatency, fallbackLatency: nil, error: nil))
            } else {
                escalate.append(index)
            }
        }
        guard !escalate.isEmpty else { return results.map { $0! } }

        var allowed = escalate
        if let budget = fallbackBudget {
            let granted = await budget.reserve(upTo: escalate.count)
            allowed = Array(escalate.prefix(granted))
            for index in escalate.dropFirst(granted) {
                results[index] = try degraded(
                    index, localAnswers, localError, .budgetExhausted, "the fallback's call budget is spent",
                    localLatency, nil)
            }
        }
        guard !allowed.isEmpty else { return results.map { $0! } }

        let fallbackStart = clock.now
        do {
            let answers = try await fallback.classify(allowed.map { texts[$0] })
            guard answers.count == allowed.count else {
                throw ModelError.resultCountMismatch(expected: allowed.count, actual: answers.count)
            }
            let fallbackLatency = clock.now - fallbackStart
            for (index, answer) in zip(allowed, answers) {
                let local = localAnswers?[index]
                var combined = answer
                combined.usage = (local?.usage ?? .zero) + answer.usage
                results[index] = RoutedClassification(
                    classification: combined,
                    trace: RoutingTrace(
                        route: .fallback, reason: local == nil ? .localFailed : .belowThreshold, local: local,
                        threshold: local.map { labelThresholds[$0.label] ?? threshold } ?? threshold, fallback: answer,
                        localLatency: localLatency, fallbackLatency: fallbackLatency, error: localError))
            }
        } catch is CancellationError where Task.isCancelled {
            throw CancellationError()
        } catch {
            let fallbackLatency = clock.now - fallbackStart
            for index in allowed {
                results[index] = try degraded(
                    index, localAnswers, localError, .fallbackFailed, String(describing: error), localLatency,
                    fallbackLatency)
            }
        }
        return results.map { $0! }
    }

    /// The local answer marked degraded, or `noAnswer` when the local model failed too.
    private func degraded(
        _ index: Int, _ localAnswers: [Classification]?, _ localError: String?, _ reason: RoutingTrace.Reason,
        _ why: String,
        _ localLatency: Duration, _ fallbackLatency: Duration?
    ) throws -> RoutedClassification {
        guard let answer = localAnswers?[index] else {
            throw RoutingError.noAnswer(local: localError ?? "no answer", fallback: why)
        }
        return RoutedClassification(
            classification: answer,
            trace: RoutingTrace(
                route: .degraded, reason: reason, local: answer, threshold: labelThresholds[answer.label] ?? threshold,
                fallback: nil,
                localLatency: localLatency, fallbackLatency: fallbackLatency, error: why))
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
