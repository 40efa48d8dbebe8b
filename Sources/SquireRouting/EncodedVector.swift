import SquireCore

/// One embedding as a cache compares it: a unit float vector, or int8 codes with the
/// reciprocal of their norm. Query and stored vectors are encoded the same way, so the
/// similarity of the two is symmetric and the scan and ``SemanticCachePrecision/similarity(between:and:)``
/// agree exactly.
struct EncodedVector: Sendable {
    /// The unit vector (`float32`); empty for `int8`.
    var floats: [Float] = []
    /// The codes, widened to 16 bits so the scan multiplies without widening them again
    /// (`int8`); empty for `float32`.
    var codes: [Int16] = []
    /// 1 / ‖codes‖ (`int8`); 1 for `float32`.
    var inverseNorm: Float = 1

    /// The most components an int8 vector may have: the scan's 32-bit sums stay exact up to
    /// 2^31 / 127² ≈ 133,000 components.
    static let largestInt8Dimension = 65_536

    /// Encodes `vector`; throws `ModelError.invalidInput` for an empty, zero or non-finite one,
    /// which has no direction to compare.
    init(_ vector: [Float], precision: SemanticCachePrecision) throws {
        guard !vector.isEmpty else { throw ModelError.invalidInput("an embedding with no components") }
        guard vector.allSatisfy(\.isFinite) else {
            throw ModelError.invalidInput("an embedding with a component that is not a finite number")
        }
        switch precision {
        case .float32:
            // The norm in Double: a float sum of squares over hundreds of components loses digits.
            let norm = vector.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
            guard norm > 0 else { throw ModelError.invalidInput("an embedding of length zero") }
            let scale = Float(1 / norm)
            floats = vector.map { $0 * scale }
        case .int8:
            // The scan sums products of at most 16,129 in 32 bits.
            guard vector.count <= Self.largestInt8Dimension else {
                throw ModelError.invalidInput(
                    "an int8 cache holds embeddings of at most \(Self.largestInt8Dimension) components, not \(vector.count)"
                )
            }
            let largest = vector.reduce(Float(0)) { max($0, abs($1)) }
            guard largest > 0 else { throw ModelError.invalidInput("an embedding of length zero") }
            let scale = 127 / largest
            codes = vector.map { Int16(($0 * scale).rounded()) }
            // Exact: the squares are integers far below 2^53.
            let norm = codes.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
            inverseNorm = Float(1 / norm)
        }
    }

    /// The cosine with another vector encoded the same way.
    func similarity(to other: EncodedVector) -> Float {
        if floats.isEmpty {
            let narrow = other.codes.map { Int8(truncatingIfNeeded: $0) }
            return codes.withUnsafeBufferPointer { query in
                narrow.withUnsafeBufferPointer { stored in
                    SimilarityKernel.int8Similarity(
                        query.baseAddress!, inverseNorm, stored.baseAddress!, other.inverseNorm, count: codes.count)
                }
            }
        }
        return floats.withUnsafeBufferPointer { query in
            other.floats.withUnsafeBufferPointer { stored in
                SimilarityKernel.dot(query.baseAddress!, stored.baseAddress!, count: floats.count)
            }
        }
    }
}
