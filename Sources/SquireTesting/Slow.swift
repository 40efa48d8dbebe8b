public import SquireCore

/// Wraps any model and waits before each call, as a slow network or an overloaded host
/// would. The wait honours task cancellation, so timeouts around it can be tested.
public struct Slow<Base: Sendable>: Sendable {
    /// The wrapped model.
    public let base: Base
    /// How long each call waits before the wrapped model answers.
    public let delay: Duration

    /// Wraps `base` with a fixed delay.
    public init(_ base: Base, delay: Duration) {
        self.base = base
        self.delay = delay
    }
}

extension Slow: TextClassifier where Base: TextClassifier {
    public var labels: [String] { base.labels }

    public func classify(_ texts: [String]) async throws -> [Classification] {
        try await Task.sleep(for: delay)
        return try await base.classify(texts)
    }
}

extension Slow: TextEmbedder where Base: TextEmbedder {
    public var dimension: Int { base.dimension }

    public func embed(_ texts: [String]) async throws -> [[Float]] {
        try await Task.sleep(for: delay)
        return try await base.embed(texts)
    }
}

extension Slow: Reranker where Base: Reranker {
    public func scores(for query: String, documents: [String]) async throws -> [Double] {
        try await Task.sleep(for: delay)
        return try await base.scores(for: query, documents: documents)
    }
}

extension Slow: TextGenerator where Base: TextGenerator {
    public func generate(_ prompt: Prompt) async throws -> GeneratedText {
        try await Task.sleep(for: delay)
        return try await base.generate(prompt)
    }
}
