/// A model that scores how relevant each document is to a query.
///
/// Semantics every conformer keeps:
/// - `scores(for:documents:)` returns one score per document, in document order; a
///   higher score means more relevant. Scores are comparable within one call only,
///   unless the model documents a fixed scale.
/// - No documents returns an empty array without doing any work.
/// - Conformers are `Sendable` and safe to call from many tasks at once.
public protocol Reranker: Sendable {
    /// Scores each document against `query`; the score at index `i` belongs to `documents[i]`.
    func scores(for query: String, documents: [String]) async throws -> [Double]
}

extension Reranker {
    /// The indices of `documents`, most relevant first; ties keep document order.
    public func ranking(for query: String, documents: [String]) async throws -> [Int] {
        let scores = try await scores(for: query, documents: documents)
        guard scores.count == documents.count else {
            throw ModelError.resultCountMismatch(expected: documents.count, actual: scores.count)
        }
        return scores.indices.sorted { scores[$0] > scores[$1] || (scores[$0] == scores[$1] && $0 < $1) }
    }
}
