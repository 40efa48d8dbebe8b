/// What can be wrong with a safetensors file; every case names the file, and the tensor when one is at fault.
public enum SafetensorsError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The file could not be opened or read.
    case unreadable(file: String, reason: String)
    /// The file ends before the header or the data it declares.
    case truncated(file: String, reason: String)
    /// The header is not a JSON object of tensor entries, with the reason.
    case invalidHeader(file: String, reason: String)
    /// A tensor declares a dtype the safetensors format does not define.
    case unknownDType(file: String, tensor: String, dtype: String)
    /// A tensor's byte range lies outside the data section.
    case offsetsOutOfRange(file: String, tensor: String, offsets: [Int], dataSize: Int)
    /// Two tensors claim overlapping bytes.
    case overlappingTensors(file: String, tensor: String, other: String)
    /// A tensor's shape and dtype need a different number of bytes than its range holds.
    case sizeMismatch(file: String, tensor: String, shape: [Int], dtype: String, byteCount: Int)
    /// Bytes of the data section belong to no tensor (the spec forbids holes and trailing bytes).
    case incompleteBuffer(file: String, covered: Int, dataSize: Int)
    /// A tensor the caller asked for is not in the file.
    case missingTensor(file: String, tensor: String)
    /// A tensor's dtype cannot be read as requested (an integer tensor as `Float`, say).
    case unsupportedConversion(file: String, tensor: String, dtype: String, requested: String)
    /// A tensor has the wrong shape for its role.
    case unexpectedShape(file: String, tensor: String, expected: [Int], actual: [Int])
    /// A tensor holds NaN or infinity where finite values are required.
    case nonFiniteValues(file: String, tensor: String)

    public var description: String {
        switch self {
        case .unreadable(let file, let reason): "\(file): cannot read: \(reason)"
        case .truncated(let file, let reason): "\(file): the file is truncated: \(reason); download or copy it again"
        case .invalidHeader(let file, let reason): "\(file): invalid safetensors header: \(reason)"
        case .unknownDType(let file, let tensor, let dtype):
            "\(file): tensor \"\(tensor)\" has unknown dtype \"\(dtype)\""
        case .offsetsOutOfRange(let file, let tensor, let offsets, let size):
            "\(file): tensor \"\(tensor)\" has data_offsets \(offsets) outside the \(size)-byte data section"
        case .overlappingTensors(let file, let tensor, let other):
            "\(file): tensors \"\(tensor)\" and \"\(other)\" overlap"
        case .sizeMismatch(let file, let tensor, let shape, let dtype, let bytes):
            "\(file): tensor \"\(tensor)\" of shape \(shape) and dtype \(dtype) cannot fill its \(bytes) bytes"
        case .incompleteBuffer(let file, let covered, let size):
            "\(file): tensors cover \(covered) of the \(size) data bytes; the file is damaged or not safetensors"
        case .missingTensor(let file, let tensor): "\(file): no tensor named \"\(tensor)\""
        case .unsupportedConversion(let file, let tensor, let dtype, let requested):
            "\(file): tensor \"\(tensor)\" is \(dtype) and cannot be read as \(requested)"
        case .unexpectedShape(let file, let tensor, let expected, let actual):
            "\(file): tensor \"\(tensor)\" has shape \(actual), expected \(expected)"
        case .nonFiniteValues(let file, let tensor): "\(file): tensor \"\(tensor)\" holds NaN or infinity"
        }
    }
}
