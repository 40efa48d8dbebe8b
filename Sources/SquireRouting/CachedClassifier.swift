public import SquireCore

/// A classifier behind a ``SemanticCache``: a request the cache can answer never reaches the
/// model; the others go to it in one call, and its answers are stored.
///
/// It is itself a `TextClassifier`, so it drops in wherever the model was — in front of a
/// frontier client, a local model or a whole ``Cascade``. ``answer(_:)`` gives the same answers
/// with where each came from.
///
/// ```swift
/// let cache = try SemanticCache<Classification>(embedder: encoder, threshold: 0.95, capacity: 10_000)
/// let cached = try CachedClassifier(router, cache: cache, version: "router-v7")
/// let label = try await cached.classify("where is my refund").label
/// ```
///
/// The version names the model (and anything else that changes its answers, such as a
/// prompt): when the model changes, give the new one a new version and the old answers
/// never come back. Several wrappers may share a cache, each seeing only its own version's
/// entries.
public struct CachedClassifier<Base: TextClassifier>: TextClassifier {
    /// The model asked on a miss.
    public let base: Base
    /// Where answers are kept.
    public let cache: SemanticCache<Classification>
    /// The version key the model's answers are filed under.
    public let version: String
    /// The share of semantic hits also asked of the model, to measure false hits in
    /// production (``SemanticCacheStatistics/auditedFalseHitRate``); the model's answer is
    /// returned for them, since it was paid for.
    public let auditRate: Double

    /// Puts `cache` in front of `base`, filing answers under `version`.
    ///
    /// - Throws: ``RoutingError/invalidSetting(_:)`` when `auditRate` is outside 0…1.
    public init(_ base: Base, cache: SemanticCache<Classification>, version: String, auditRate: Double = 0) throws {
        guard auditRate.isFinite, (0...1).contains(auditRate) else {
            throw RoutingError.invalidSetting("the audit rate must be between 0 and 1, not \(auditRate)")
        }
        self.base = base
        self.cache = cache
        self.version = version
        self.auditRate = auditRate
    }

    /// The model's labels.
    public var labels: [String] { base.labels }

    /// Classifies each text, from the cache where it can; ``answer(_:)`` says where each came from.
    public func classify(_ texts: [String]) async throws -> [Classification] {
        try await answer(texts).map(\.answer)
    }

    /// Classifies each text, from the cache where it can, and says where each answer came from.
    ///
    /// Misses (and audited hits) go to the model in one call, a text repeated in the batch
    /// once; the call's usage is on the first answer for it, and answers from the cache have
    /// none. When the cache's embedder fails, the texts it could not embed go to the model and
    /// are not stored.
    ///
    /// - Throws: the model's error, or ``ModelError/resultCountMismatch(expected:actual:)``
    ///   when it returns the wrong number of answers; nothing is stored then.
    public func answer(_ texts: [String]) async throws -> [CachedAnswer<Classification>] {
        guard !texts.isEmpty else { return [] }
        let lookups = try await cache.lookup(texts, version: version)
        var answers: [CachedAnswer<Classification>?] = Array(repeating: nil, count: texts.count)
        var unanswered: [Int] = []
        for (index, lookup) in lookups.enumerated() {
            if var stored = lookup.answer, !(lookup.outcome == .semanticHit && isAudited()) {
                stored.usage = .zero
                answers[index] = CachedAnswer(
                    answer: stored, outcome: lookup.outcome, similarity: lookup.similarity,
                    matchedText: lookup.matchedText)
            } else {
                unanswered.append(index)
            }
        }
        guard !unanswered.isEmpty else { return answers.map { $0! } }

        // One model call for the distinct texts.
        var distinct: [String] = []
        var position: [String: Int] = [:]
        for index in unanswered where position[texts[index]] == nil {
            position[texts[index]] = distinct.count
            distinct.append(texts[index])
        }
        let fresh = try await base.classify(distinct)
        guard fresh.count == distinct.count else {
            throw ModelError.resultCountMismatch(expected: distinct.count, actual: fresh.count)
        }
        var stored = Set<Int>()
        var toStore: [(answer: Classification, lookup: SemanticCacheLookup<Classification>)] = []
        for index in unanswered {
            let lookup = lookups[index]
            let slot = position[texts[index]]!
            var answer = fresh[slot]
            if stored.insert(slot).inserted {
                toStore.append((answer, lookup))
            } else {
                answer.usage = .zero  // the call is counted once, on its first answer
            }
            if let cached = lookup.answer {
                let falseHit = cached.label != answer.label
                await cache.recordAudit(falseHit: falseHit)
                answers[index] = CachedAnswer(
                    answer: answer, outcome: .semanticHit, similarity: lookup.similarity,
                    matchedText: lookup.matchedText, audited: true, falseHit: falseHit)
            } else {
                answers[index] = CachedAnswer(answer: answer, outcome: .miss, similarity: lookup.similarity)
            }
        }
        await cache.insert(contentsOf: toStore)
        return answers.map { $0! }
    }

    /// Whether to audit one more semantic hit.
    private func isAudited() -> Bool {
        auditRate > 0 && Double.random(in: 0..<1) < auditRate
    }
}
