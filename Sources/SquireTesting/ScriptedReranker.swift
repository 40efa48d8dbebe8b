public import SquireCore

/// A reranker that scores from a script.
public struct ScriptedReranker: Reranker {
    private let score: @Sendable (_ query: String, _ document: String) throws -> Double

    /// Scores each document as `score(query, document)`.
    public init(score: @escaping @Sendable (_ query: String, _ document: String) throws -> Double) {
        self.score = score
    }

    public func scores(for query: String, documents: [String]) async throws -> [Double] {
        try documents.map { try score(query, $0) }
    }
}
