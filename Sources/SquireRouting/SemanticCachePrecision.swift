import SquireCore

/// How a ``SemanticCache`` stores its vectors, and so how it measures similarity.
///
/// Both compare by cosine. `float32` keeps each embedding as a unit vector, 4 bytes per
/// component. `int8` keeps one signed byte per component with a per-vector symmetric scale
/// (the largest magnitude maps to ±127): a quarter of the memory, and a scan that reads a
/// quarter of the bytes. Its similarity is the exact cosine of the two quantized vectors
/// (the query is quantized the same way), which differs from the float cosine by about 1e-3;
/// calibrate an `int8` cache's threshold on `int8` similarities.
public enum SemanticCachePrecision: String, Sendable, Hashable, Codable, CaseIterable {
    /// 32-bit floats, normalized to unit length.
    case float32
    /// 8-bit integers with a per-vector symmetric scale.
    case int8

    /// The similarity a cache storing vectors this way computes between a query's embedding
    /// and a stored one — bit for bit what its scan compares with the threshold — for
    /// calibrating a threshold on labelled pairs.
    ///
    /// - Throws: ``ModelError/dimensionMismatch(expected:actual:)`` when the vectors differ in
    ///   length, ``ModelError/invalidInput(_:)`` when either is empty, zero or not finite.
    public func similarity(between query: [Float], and stored: [Float]) throws -> Double {
        guard query.count == stored.count else {
            throw ModelError.dimensionMismatch(expected: stored.count, actual: query.count)
        }
        let a = try EncodedVector(query, precision: self)
        let b = try EncodedVector(stored, precision: self)
        return Double(a.similarity(to: b))
    }
}
