/// How a weight matrix is stored in fewer bits.
public enum QuantizationFormat: Sendable, Hashable, CustomStringConvertible {
    /// 8-bit integers in [-127, 127] with one scale per row (output channel), as llama.cpp's
    /// Q8_0 but with the whole row as the block.
    case int8
    /// 4-bit integers in [-8, 7] with one scale per `groupSize` consecutive values of a row
    /// (32, 64 or 128), packed two per byte, as llama.cpp's Q4_0 and MLX's grouped
    /// quantization.
    case int4(groupSize: Int)

    /// Bits per stored weight, scales aside.
    public var bits: Int {
        switch self {
        case .int8: 8
        case .int4: 4
        }
    }

    /// The values that share one scale along a row; `nil` for ``int8``, whose scale covers
    /// the whole row.
    public var groupSize: Int? {
        switch self {
        case .int8: nil
        case .int4(let groupSize): groupSize
        }
    }

    public var description: String {
        switch self {
        case .int8: "int8"
        case .int4(let groupSize): "int4 (groups of \(groupSize))"
        }
    }

    /// The format's name in a bundle's `config.json`: `int8`, `int4-32`, `int4-64`, `int4-128`.
    public var tag: String {
        groupSize.map { "int4-\($0)" } ?? "int8"
    }

    /// The format a ``tag`` names; nil for anything else.
    public init?(tag: String) {
        switch tag {
        case "int8": self = .int8
        case "int4-32": self = .int4(groupSize: 32)
        case "int4-64": self = .int4(groupSize: 64)
        case "int4-128": self = .int4(groupSize: 128)
        default: return nil
        }
    }

    /// Throws unless the format is one Squire's kernels run.
    public func validate() throws {
        if case .int4(let groupSize) = self, ![32, 64, 128].contains(groupSize) {
            throw QuantizationError.unsupportedFormat("int4 group size \(groupSize); use 32, 64 or 128")
        }
    }
}
