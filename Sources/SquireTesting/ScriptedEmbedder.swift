public import SquireCore

/// An embedder that answers from a script.
public struct ScriptedEmbedder: TextEmbedder {
    public let dimension: Int
    private let vector: @Sendable (String) throws -> [Float]

    /// Embeds each text as `vector(text)`, which must have `dimension` entries
    /// (otherwise `embed` throws `ModelError.dimensionMismatch`).
    public init(dimension: Int, vector: @escaping @Sendable (String) throws -> [Float]) {
        self.dimension = dimension
        self.vector = vector
    }

    public func embed(_ texts: [String]) async throws -> [[Float]] {
        try texts.map { text in
            let result = try vector(text)
            guard result.count == dimension else {
                throw ModelError.dimensionMismatch(expected: dimension, actual: result.count)
            }
            return result
        }
    }
}
