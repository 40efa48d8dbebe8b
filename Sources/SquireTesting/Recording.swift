public import SquireCore

/// Wraps any model and records every call in ``log``; answers are the wrapped model's.
///
/// ```swift
/// let local = Recording(ScriptedClassifier(labels: ["a"], answers: [:], otherwise: .init(label: "a", confidence: 0.9)))
/// _ = try await cascade.classify("hello")
/// #expect(local.log.inputs == ["hello"])
/// ```
public struct Recording<Base: Sendable>: Sendable {
    /// The wrapped model.
    public let base: Base
    /// What the wrapper was asked.
    public let log = CallLog()

    /// Wraps `base`.
    public init(_ base: Base) { self.base = base }
}

extension Recording: TextClassifier where Base: TextClassifier {
    public var labels: [String] { base.labels }

    public func classify(_ texts: [String]) async throws -> [Classification] {
        log.record(texts)
        return try await base.classify(texts)
    }
}

extension Recording: TextEmbedder where Base: TextEmbedder {
    public var dimension: Int { base.dimension }

    public func embed(_ texts: [String]) async throws -> [[Float]] {
        log.record(texts)
        return try await base.embed(texts)
    }
}

extension Recording: Reranker where Base: Reranker {
    public func scores(for query: String, documents: [String]) async throws -> [Double] {
        log.record([query] + documents)
        return try await base.scores(for: query, documents: documents)
    }
}
