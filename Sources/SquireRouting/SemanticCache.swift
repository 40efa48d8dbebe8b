public import SquireCore

/// Answers a request from an earlier answer when the two requests mean the same: an exact
/// text match first, then the most similar stored request whose embedding's cosine reaches a
/// calibrated threshold.
///
/// ```swift
/// let cache = try SemanticCache<Classification>(embedder: encoder, threshold: 0.95, capacity: 10_000)
/// let lookup = try await cache.lookup("where is my refund", version: "router-v7")
/// if let answer = lookup.answer { return answer }
/// let answer = try await model.classify(lookup.text)
/// try await cache.insert(answer, for: lookup)
/// ```
///
/// ``CachedClassifier`` and ``CachedGenerator`` do this for a whole model, so the cache drops
/// in wherever the model was.
///
/// - **Version keys.** Every entry carries the version key it was stored under, and only a
///   lookup under the same key can match it: a new model or prompt gets a new key, and the old
///   entries never answer again (they age out, or ``removeAll(exceptVersion:)`` frees them).
///   Because an answer is stored with the key the caller looked up under, an answer from the
///   old model that lands after a version change is filed under the old key, never the new.
/// - **Capacity and time to live.** A full cache evicts the least recently used entry (a hit
///   counts as a use). An entry expires `timeToLive` after it was stored — a hit does not
///   extend it, or a popular stale answer would live for ever.
/// - **The scan.** Exact, over every entry, in plain Swift SIMD on contiguous storage:
///   vectors as unit float32 or as int8 with a per-vector scale (``SemanticCachePrecision``).
/// - **Threshold.** Calibrate it on labelled pairs with ``SemanticCacheCalibration``, using
///   similarities from the same precision.
///
/// It is an actor, not a class with a lock: a scan of 100,000 entries takes milliseconds,
/// and a lock held that long by one task would block other tasks' threads — a cooperative
/// pool has only as many as there are cores — while an actor suspends them instead. A lock
/// would not let scans run in parallel either, since every hit reorders the recency list.
/// The embedder is called outside the actor, so lookups embed in parallel and queue only
/// for the scan.
public actor SemanticCache<Answer: Sendable> {
    /// The model that embeds requests.
    public nonisolated let embedder: any TextEmbedder
    /// A stored request answers when its similarity to the lookup's is at least this.
    public nonisolated let threshold: Double
    /// The most entries held at once.
    public nonisolated let capacity: Int
    /// How long an entry may answer after it was stored; `nil` for no limit.
    public nonisolated let timeToLive: Duration?
    /// How vectors are stored and compared.
    public nonisolated let precision: SemanticCachePrecision
    /// Lookups, hits, misses, evictions, expirations and audits so far.
    public private(set) var statistics = SemanticCacheStatistics()

    private var entries: SemanticCacheEntries<Answer>
    private let now: @Sendable () -> Duration

    /// Creates an empty cache on the continuous clock.
    ///
    /// - Parameters:
    ///   - embedder: embeds requests; its `dimension` fixes the vectors' size.
    ///   - threshold: the least similarity that answers, from ``SemanticCacheCalibration``.
    ///   - capacity: the most entries held; at least 1.
    ///   - timeToLive: how long an entry may answer; `nil` for no limit.
    ///   - precision: `float32` (default) or `int8` vectors.
    /// - Throws: ``RoutingError/invalidSetting(_:)`` for a capacity below 1, a threshold that
    ///   is not a finite number, a time to live that is not positive, or an embedder dimension
    ///   the precision cannot hold.
    public init(
        embedder: any TextEmbedder, threshold: Double, capacity: Int, timeToLive: Duration? = nil,
        precision: SemanticCachePrecision = .float32
    ) throws {
        let clock = ContinuousClock()
        let start = clock.now
        try self.init(
            embedder: embedder, threshold: threshold, capacity: capacity, timeToLive: timeToLive,
            precision: precision
        ) { clock.now - start }
    }

    /// Creates an empty cache on a custom time source — elapsed time since any fixed point,
    /// never going back — for tests.
    public init(
        embedder: any TextEmbedder, threshold: Double, capacity: Int, timeToLive: Duration?,
        precision: SemanticCachePrecision = .float32, now: @escaping @Sendable () -> Duration
    ) throws {
        guard capacity >= 1 else {
            throw RoutingError.invalidSetting("a semantic cache needs a capacity of at least 1, not \(capacity)")
        }
        guard threshold.isFinite else {
            throw RoutingError.invalidSetting("the similarity threshold must be a finite number, not \(threshold)")
        }
        if let timeToLive, timeToLive <= .zero {
            throw RoutingError.invalidSetting("the time to live must be positive, not \(timeToLive)")
        }
        let dimension = embedder.dimension
        guard dimension >= 1 else {
            throw RoutingError.invalidSetting("the embedder's dimension must be at least 1, not \(dimension)")
        }
        if precision == .int8 && dimension > EncodedVector.largestInt8Dimension {
            throw RoutingError.invalidSetting(
                "an int8 cache holds at most \(EncodedVector.largestInt8Dimension) components; the embedder has \(dimension)"
            )
        }
        self.embedder = embedder
        self.threshold = threshold
        self.capacity = capacity
        self.timeToLive = timeToLive
        self.precision = precision
        self.now = now
        entries = SemanticCacheEntries(dimension: dimension, precision: precision, capacity: capacity)
    }

    /// Entries held (expired ones are gone).
    public var count: Int {
        removeExpired()
        return entries.count
    }

    /// Looks up each text under `version`: exact matches first; the rest are embedded in one
    /// embedder call and each answered by its most similar entry when that reaches the
    /// threshold.
    ///
    /// The cache never fails a request for the model: when the embedder fails, the texts it
    /// was given are misses carrying the error, and the caller asks the model.
    ///
    /// - Throws: only `CancellationError`.
    public func lookup(_ texts: [String], version: String) async throws -> [SemanticCacheLookup<Answer>] {
        removeExpired()
        var results = texts.map { SemanticCacheLookup<Answer>(text: $0, version: version, outcome: .miss) }
        let unmatched = results.indices.filter { !answerExactly(&results[$0]) }
        guard !unmatched.isEmpty else {
            tally(results)
            return results
        }

        let vectors: [[Float]]
        do {
            vectors = try await embedder.embed(unmatched.map { texts[$0] })
            guard vectors.count == unmatched.count else {
                throw ModelError.resultCountMismatch(expected: unmatched.count, actual: vectors.count)
            }
        } catch is CancellationError where Task.isCancelled {
            throw CancellationError()
        } catch {
            for index in unmatched { results[index].embeddingError = String(describing: error) }
            tally(results)
            statistics.embeddingFailures += unmatched.count
            return results
        }
        // The embedder ran outside the actor: entries may have come and gone meanwhile.
        removeExpired()
        for (index, vector) in zip(unmatched, vectors) {
            do {
                try answerBySimilarity(&results[index], embedding: vector)
            } catch {
                results[index].embeddingError = String(describing: error)
                statistics.embeddingFailures += 1
            }
        }
        tally(results)
        return results
    }

    /// Looks up one text under `version`.
    ///
    /// - Throws: only `CancellationError`.
    public func lookup(_ text: String, version: String) async throws -> SemanticCacheLookup<Answer> {
        try await lookup([text], version: version)[0]
    }

    /// Looks up one text whose embedding the caller already has (from this cache's embedder),
    /// without calling the embedder.
    ///
    /// - Throws: ``ModelError/dimensionMismatch(expected:actual:)`` or
    ///   ``ModelError/invalidInput(_:)`` for an embedding that is the wrong size, zero or not finite.
    public func lookup(_ text: String, embedding: [Float], version: String) throws -> SemanticCacheLookup<Answer> {
        removeExpired()
        var result = SemanticCacheLookup<Answer>(text: text, version: version, outcome: .miss)
        if !answerExactly(&result) { try answerBySimilarity(&result, embedding: embedding) }
        tally([result])
        return result
    }

    /// Stores the model's answer to a lookup, reusing the embedding the lookup computed.
    ///
    /// - Throws: what ``insert(_:for:version:embedding:)`` throws.
    public func insert(_ answer: Answer, for lookup: SemanticCacheLookup<Answer>) async throws {
        try await insert(answer, for: lookup.text, version: lookup.version, embedding: lookup.embedding)
    }

    /// Stores `answer` for `text` under `version`, replacing an entry for the same text and
    /// version; embeds the text when it is new and no embedding is given. When the cache is
    /// full, the least recently used entry makes room.
    ///
    /// - Throws: the embedder's error, ``ModelError/dimensionMismatch(expected:actual:)`` or
    ///   ``ModelError/invalidInput(_:)`` for an embedding that is the wrong size, zero or not
    ///   finite; nothing is stored then.
    public func insert(_ answer: Answer, for text: String, version: String, embedding: [Float]? = nil) async throws {
        var vector = try embedding.map(encode)
        if vector == nil && entries.exactMatch(for: text, version: version) == nil {
            vector = try encode(try await embedder.embed(text))
        }
        store(answer, for: text, version: version, vector: vector)
    }

    /// Removes the entry for exactly `text` under `version`; returns whether there was one.
    @discardableResult
    public func remove(_ text: String, version: String) -> Bool {
        guard let slot = entries.exactMatch(for: text, version: version) else { return false }
        entries.remove(slot)
        return true
    }

    /// Removes every entry.
    public func removeAll() {
        entries = SemanticCacheEntries(dimension: entries.dimension, precision: precision, capacity: capacity)
    }

    /// Removes every entry stored under another version key than `version`, so the room they
    /// take goes to the current version at once instead of as they age out.
    public func removeAll(exceptVersion version: String) {
        _ = entries.removeAll { $0 != version }
    }

    /// Counts one semantic hit checked against the model, and whether its answer was wrong.
    public func recordAudit(falseHit: Bool) {
        statistics.audits += 1
        if falseHit { statistics.falseHits += 1 }
    }

    /// Starts the statistics from zero; the entries stay.
    public func resetStatistics() {
        statistics = SemanticCacheStatistics()
    }

    /// Stores the model's answers to lookups in one actor call (the wrappers' path), skipping
    /// a new text whose lookup could not embed it.
    func insert(contentsOf answers: [(answer: Answer, lookup: SemanticCacheLookup<Answer>)]) {
        for (answer, lookup) in answers {
            // A lookup's embedding was encoded once already, so it encodes again.
            let vector = lookup.embedding.flatMap { try? encode($0) }
            store(answer, for: lookup.text, version: lookup.version, vector: vector)
        }
    }

    /// Stores an answer; a new text needs its encoded vector, and one without is skipped.
    private func store(_ answer: Answer, for text: String, version: String, vector: EncodedVector?) {
        removeExpired()
        guard vector != nil || entries.exactMatch(for: text, version: version) != nil else { return }
        let expiry = timeToLive.map { now() + $0 } ?? .zero
        if entries.insert(answer, for: text, version: version, vector: vector, expiry: expiry) {
            statistics.evictions += 1
        }
        statistics.insertions += 1
    }

    /// The texts from least to most recently used (for tests).
    package var textsByRecency: [String] {
        removeExpired()
        return entries.textsByRecency
    }

    /// How many version keys have entries (for tests).
    package var versionKeyCount: Int { entries.versionKeyCount }

    /// Fills `lookup` from an entry for its exact text; returns whether there was one.
    private func answerExactly(_ lookup: inout SemanticCacheLookup<Answer>) -> Bool {
        guard let slot = entries.exactMatch(for: lookup.text, version: lookup.version) else { return false }
        entries.touch(slot)
        lookup.outcome = .exactHit
        lookup.answer = entries.answer(at: slot)
        lookup.matchedText = lookup.text
        return true
    }

    /// Fills `lookup` from the entry most similar to `embedding` when it reaches the threshold
    /// (after an exact match is checked again: another task may have stored the text while
    /// this one was embedding it).
    private func answerBySimilarity(_ lookup: inout SemanticCacheLookup<Answer>, embedding: [Float]) throws {
        if answerExactly(&lookup) { return }
        let query = try encode(embedding)
        lookup.embedding = embedding
        guard let (slot, similarity) = entries.nearest(to: query, version: lookup.version) else { return }
        lookup.similarity = Double(similarity)
        guard Double(similarity) >= threshold else { return }
        entries.touch(slot)
        lookup.outcome = .semanticHit
        lookup.answer = entries.answer(at: slot)
        lookup.matchedText = entries.text(at: slot)
    }

    /// Checks an embedding's size and encodes it for storage or a scan.
    private func encode(_ embedding: [Float]) throws -> EncodedVector {
        guard embedding.count == entries.dimension else {
            throw ModelError.dimensionMismatch(expected: entries.dimension, actual: embedding.count)
        }
        return try EncodedVector(embedding, precision: precision)
    }

    /// Adds finished lookups to the statistics.
    private func tally(_ results: [SemanticCacheLookup<Answer>]) {
        for result in results {
            statistics.lookups += 1
            switch result.outcome {
            case .exactHit: statistics.exactHits += 1
            case .semanticHit: statistics.semanticHits += 1
            case .miss: statistics.misses += 1
            }
        }
    }

    /// Frees expired entries, counting them.
    private func removeExpired() {
        guard timeToLive != nil else { return }
        statistics.expirations += entries.removeExpired(now: now())
    }
}
