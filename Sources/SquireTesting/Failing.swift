public import SquireCore

/// Wraps any model and makes chosen calls fail: every call, the first `n`, or those whose
/// inputs match a predicate — for testing fallbacks and retries.
public struct Failing<Base: Sendable>: Sendable {
    /// When a call fails.
    public enum Schedule: Sendable {
        /// Every call.
        case always
        /// The first `n` calls; later ones reach the wrapped model.
        case first(Int)
        /// Calls where any input satisfies the predicate.
        case when(@Sendable (String) -> Bool)
    }

    /// The wrapped model.
    public let base: Base
    /// What a failing call throws.
    public let error: any Error & Sendable
    /// When calls fail.
    public let schedule: Schedule
    private let counter = Mutex(0)

    /// Wraps `base`; failing calls throw `error` (by default `ModelError.unavailable`).
    public init(
        _ base: Base, error: any Error & Sendable = ModelError.unavailable("scripted failure"),
        schedule: Schedule = .always
    ) {
        self.base = base
        self.error = error
        self.schedule = schedule
    }

    /// Throws when this call is scheduled to fail.
    func check(_ inputs: [String]) throws {
        let call = counter.withLock { count -> Int in
            count += 1
            return count
        }
        switch schedule {
        case .always: throw error
        case .first(let n): if call <= n { throw error }
        case .when(let matches): if inputs.contains(where: matches) { throw error }
        }
    }
}

extension Failing: TextClassifier where Base: TextClassifier {
    public var labels: [String] { base.labels }

    public func classify(_ texts: [String]) async throws -> [Classification] {
        try check(texts)
        return try await base.classify(texts)
    }
}

extension Failing: TextEmbedder where Base: TextEmbedder {
    public var dimension: Int { base.dimension }

    public func embed(_ texts: [String]) async throws -> [[Float]] {
        try check(texts)
        return try await base.embed(texts)
    }
}

extension Failing: Reranker where Base: Reranker {
    public func scores(for query: String, documents: [String]) async throws -> [Double] {
        try check([query] + documents)
        return try await base.scores(for: query, documents: documents)
    }
}

extension Failing: TextGenerator where Base: TextGenerator {
    public func generate(_ prompt: Prompt) async throws -> GeneratedText {
        try check([prompt.text])
        return try await base.generate(prompt)
    }
}
