/// Why a weight could not be quantized, loaded or multiplied.
public enum QuantizationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The format or its parameters are not supported.
    case unsupportedFormat(String)
    /// A matrix's shape does not fit its format (say, a row length that is not a multiple of
    /// the group size).
    case incompatibleShape(String)
    /// Stored values or scales are inconsistent: wrong counts, non-finite or negative scales,
    /// an int8 value of -128.
    case invalidData(String)
    /// The input to a quantized product holds NaN or infinity.
    case nonFiniteInput(String)

    public var description: String {
        switch self {
        case .unsupportedFormat(let detail): "unsupported quantization format: \(detail)"
        case .incompatibleShape(let detail): "shape does not fit the quantization format: \(detail)"
        case .invalidData(let detail): "invalid quantized data: \(detail)"
        case .nonFiniteInput(let detail): "non-finite input to a quantized product: \(detail)"
        }
    }
}
