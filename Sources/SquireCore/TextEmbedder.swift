/// A model that maps each text to a vector of a fixed dimension.
///
/// Semantics every conformer keeps:
/// - `embed(_:)` returns exactly one vector per input, in input order, each with
///   ``dimension`` components.
/// - An empty batch returns an empty array without doing any work.
/// - Whether vectors are L2-normalized is the model's documented property; sentence
///   embedders in Squire return unit vectors, so a dot product is a cosine.
/// - Conformers are `Sendable` and safe to call from many tasks at once.
public protocol TextEmbedder: Sendable {
    /// The number of components in every returned vector.
    var dimension: Int { get }

    /// Embeds each text; the vector at index `i` belongs to `texts[i]`.
    func embed(_ texts: [String]) async throws -> [[Float]]
}

extension TextEmbedder {
    /// Embeds a single text.
    public func embed(_ text: String) async throws -> [Float] {
        let vectors = try await embed([text])
        guard vectors.count == 1 else {
            throw ModelError.resultCountMismatch(expected: 1, actual: vectors.count)
        }
        return vectors[0]
    }
}
