import SquireCore

#if canImport(Glibc)
    import Glibc
#else
    import Darwin
#endif

/// A small, seeded random projection of reference embeddings: enough to measure embedding
/// drift later without keeping the raw data or the texts.
///
/// Vectors are projected to `dimension` coordinates by a Gaussian matrix regenerated from
/// `seed` (distances are kept up to a small distortion, Johnson–Lindenstrauss), and at most
/// `capacity` of them are kept, chosen by a seeded shuffle.
public struct EmbeddingSketch: Sendable, Hashable, Codable {
    /// The original embedding width.
    public var inputDimension: Int
    /// The projected width.
    public var dimension: Int
    /// The projection's seed.
    public var seed: UInt64
    /// The projected reference vectors.
    public var vectors: [[Double]]

    /// Sketches `embeddings` (all of one width).
    public init(embeddings: [[Double]], dimension: Int = 32, capacity: Int = 256, seed: UInt64 = 0) throws {
        guard let width = embeddings.first?.count, width > 0 else {
            throw DriftInputError.empty("reference embeddings")
        }
        inputDimension = width
        self.dimension = min(dimension, width)
        self.seed = seed
        vectors = []
        var generator = SplitMix64(seed: seed ^ 0x5EED)
        let chosen = Array(embeddings.indices.shuffled(using: &generator).prefix(capacity)).sorted()
        vectors = try chosen.map { try project(embeddings[$0]) }
    }

    /// Projects one embedding into the sketch's space.
    public func project(_ embedding: [Double]) throws -> [Double] {
        guard embedding.count == inputDimension else {
            throw DriftInputError.dimensionMismatch(expected: inputDimension, actual: embedding.count)
        }
        guard embedding.allSatisfy(\.isFinite) else { throw DriftInputError.nonFinite("embedding") }
        if dimension == inputDimension { return embedding }
        var generator = SplitMix64(seed: seed)
        var result = [Double](repeating: 0, count: dimension)
        let scale = 1 / Double(dimension).squareRoot()
        // Row by row the same stream, so the matrix never needs storing.
        for i in 0..<dimension {
            var sum = 0.0
            for value in embedding { sum += value * Self.gaussian(&generator) }
            result[i] = sum * scale
        }
        return result
    }

    private static func gaussian(_ generator: inout SplitMix64) -> Double {
        // Box–Muller; one of the pair is enough here.
        let u = (Double(generator.next() >> 11) + 0.5) / Double(1 << 53)
        let v = Double(generator.next() >> 11) / Double(1 << 53)
        return (-2 * log(u)).squareRoot() * cos(2 * .pi * v)
    }

    private enum CodingKeys: String, CodingKey {
        case dimension, seed, vectors
        case inputDimension = "input_dimension"
    }
}
