/// A model that assigns one label from a fixed set to each text.
///
/// Local models and frontier clients both conform, so either can stand in for the
/// other: in production, in a cascade, and in unit tests of routing logic.
///
/// Semantics every conformer keeps:
/// - `classify(_:)` returns exactly one ``Classification`` per input, in input order.
/// - An empty batch returns an empty array without doing any work.
/// - An empty string is a valid input and gets a classification like any other text.
/// - Every returned `label` is one of ``labels``; a model that cannot guarantee that
///   (a frontier model answering free text) throws ``ModelError/unknownLabel(_:known:)``.
/// - Conformers are `Sendable` and safe to call from many tasks at once.
public protocol TextClassifier: Sendable {
    /// The labels this model can answer, in the order it reports them.
    var labels: [String] { get }

    /// Classifies each text; the result at index `i` belongs to `texts[i]`.
    func classify(_ texts: [String]) async throws -> [Classification]
}

extension TextClassifier {
    /// Classifies a single text.
    public func classify(_ text: String) async throws -> Classification {
        let results = try await classify([text])
        guard results.count == 1 else {
            throw ModelError.resultCountMismatch(expected: 1, actual: results.count)
        }
        return results[0]
    }
}
