public import SquireTensor

/// A safetensors file, memory-mapped and validated on open.
///
/// F32, F16, BF16 and F64 tensors read as `Float` ``Tensor``s; every dtype reads as raw
/// bytes (I8 and U8 weights for quantized layers stay bytes). Opening validates the
/// whole header (see ``SafetensorsHeader``), so a damaged file fails here, by name, and
/// not halfway through loading a model.
public struct SafetensorsFile: Sendable {
    /// The file's path, as given.
    public let path: String
    /// The validated header.
    public let header: SafetensorsHeader
    private let mapping: MappedFile
    private let dataStart: Int
    private let index: [String: Int]

    /// Opens and validates the file at `path`.
    public init(path: String) throws {
        self.path = path
        mapping = try MappedFile(path: path)
        guard mapping.size >= 8 else {
            throw SafetensorsError.truncated(
                file: path, reason: "\(mapping.size) bytes, shorter than the 8-byte header length")
        }
        let declared = mapping.bytes(0..<8).loadUnaligned(as: UInt64.self).littleEndian
        guard declared <= UInt64(SafetensorsHeader.maximumHeaderSize) else {
            throw SafetensorsError.invalidHeader(
                file: path, reason: "declared header length \(declared) exceeds the format's 100 MB limit")
        }
        guard Int(declared) <= mapping.size - 8 else {
            throw SafetensorsError.truncated(
                file: path, reason: "the header claims \(declared) bytes but only \(mapping.size - 8) follow")
        }
        dataStart = 8 + Int(declared)
        header = try SafetensorsHeader.parse(
            mapping.bytes(8..<dataStart), dataSize: mapping.size - dataStart, file: path)
        index = Dictionary(uniqueKeysWithValues: header.entries.enumerated().map { ($1.name, $0) })
    }

    /// The names of the tensors, in data order.
    public var names: [String] { header.entries.map(\.name) }

    /// The declaration of the tensor called `name`.
    public func entry(_ name: String) throws -> SafetensorsHeader.Entry {
        guard let position = index[name] else { throw SafetensorsError.missingTensor(file: path, tensor: name) }
        return header.entries[position]
    }

    /// The tensor called `name` as `Float`, converted from F16, BF16 or F64 when stored so.
    public func tensor(_ name: String) throws -> Tensor {
        let entry = try entry(name)
        guard entry.dtype.convertsToFloat else {
            throw SafetensorsError.unsupportedConversion(
                file: path, tensor: name, dtype: entry.dtype.rawValue, requested: "Float")
        }
        let range = (dataStart + entry.byteRange.lowerBound)..<(dataStart + entry.byteRange.upperBound)
        let source = mapping.bytes(range)
        let count = entry.byteRange.count / entry.dtype.byteCount
        let scalars = [Float](unsafeUninitializedCapacity: count) { output, initialized in
            switch entry.dtype {
            case .float32:
                // The data section need not be 4-byte aligned, so copy bytes, not floats.
                UnsafeMutableRawBufferPointer(output).copyMemory(from: source)
            case .float16:
                for i in 0..<count {
                    output[i] = Self.float(
                        fromHalf: source.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self).littleEndian)
                }
            case .bfloat16:
                for i in 0..<count {
                    output[i] = Float(
                        bitPattern: UInt32(source.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self).littleEndian)
                            << 16)
                }
            default:
                for i in 0..<count {
                    output[i] = Float(
                        Double(bitPattern: source.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self).littleEndian))
                }
            }
            initialized = count
        }
        mapping.release(range)
        return try Tensor(shape: entry.shape, scalars: scalars)
    }

    /// The tensor called `name` as `Float`, checked to have `shape`.
    public func tensor(_ name: String, shape: [Int]) throws -> Tensor {
        let result = try tensor(name)
        guard result.shape == shape else {
            throw SafetensorsError.unexpectedShape(file: path, tensor: name, expected: shape, actual: result.shape)
        }
        return result
    }

    /// The raw little-endian bytes of the tensor called `name`, whatever its dtype.
    public func bytes(_ name: String) throws -> [UInt8] {
        let entry = try entry(name)
        return Array(mapping.bytes((dataStart + entry.byteRange.lowerBound)..<(dataStart + entry.byteRange.upperBound)))
    }

    /// IEEE 754 binary16 to Float, exactly (every half is a float), subnormals and NaN included.
    package static func float(fromHalf half: UInt16) -> Float {
        let sign = UInt32(half & 0x8000) << 16
        let exponent = Int(half >> 10) & 0x1F
        let mantissa = UInt32(half & 0x03FF)
        switch exponent {
        case 0:
            // Zero or subnormal: mantissa · 2^-24.
            let magnitude = Float(mantissa) * 0x1p-24
            return sign == 0 ? magnitude : -magnitude
        case 0x1F:
            return Float(bitPattern: sign | 0x7F80_0000 | (mantissa << 13))
        default:
            return Float(bitPattern: sign | UInt32(exponent - 15 + 127) << 23 | (mantissa << 13))
        }
    }
}
