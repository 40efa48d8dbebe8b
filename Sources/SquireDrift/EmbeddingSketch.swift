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
/// `capacity` of them are kept, chosen by a seeded shuffle, as the reference production windows
/// are compared with; up to `spareCapacity` more are kept apart, for drawing the alert bands of
/// any window size (``ReferenceProfile/bands(forWindowSize:)``).
public struct EmbeddingSketch: Sendable, Hashable, Codable {
    /// The original embedding width.
    public var inputDimension: Int
    /// The projected width.
    public var dimension: Int
    /// The projection's seed.
    public var seed: UInt64
    /// The projected reference vectors.
    public var vectors: [[Double]]
    /// More projected reference embeddings, none of them in ``vectors``: with them, reference
    /// chunks of any size can be drawn and compared as production windows are. Empty in
    /// profiles written before Squire kept them.
    public var spareVectors: [[Double]]

    /// Sketches `embeddings` (all of one width).
    public init(
        embeddings: [[Double]], dimension: Int = 32, capacity: Int = 256, spareCapacity: Int = 768, seed: UInt64 = 0
    ) throws {
        guard let width = embeddings.first?.count, width > 0 else {
            throw DriftInputError.empty("reference embeddings")
        }
        inputDimension = width
        self.dimension = min(dimension, width)
        self.seed = seed
        vectors = []
        spareVectors = []
        var generator = SplitMix64(seed: seed ^ 0x5EED)
        let order = embeddings.indices.shuffled(using: &generator)
        vectors = try order.prefix(capacity).sorted().map { try project(embeddings[$0]) }
        spareVectors = try order.dropFirst(capacity).prefix(spareCapacity).sorted().map { try project(embeddings[$0]) }
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
        case spareVectors = "spare_vectors"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        inputDimension = try container.decode(Int.self, forKey: .inputDimension)
        dimension = try container.decode(Int.self, forKey: .dimension)
        seed = try container.decode(UInt64.self, forKey: .seed)
        vectors = try container.decode([[Double]].self, forKey: .vectors)
        // Profiles written before the spares existed still load; their bands are drawn from `vectors`.
        spareVectors = try container.decodeIfPresent([[Double]].self, forKey: .spareVectors) ?? []
    }
}
