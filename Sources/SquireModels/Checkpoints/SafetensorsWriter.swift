import Foundation
import SquireCore
public import SquireTensor

/// Collects tensors and writes them as one safetensors file, atomically.
///
/// Keys are written sorted, the header padded with spaces to an 8-byte boundary, as
/// the reference implementation does. The file appears at its destination complete or
/// not at all: it is written to a temporary file beside it, flushed, then renamed.
public struct SafetensorsWriter: Sendable {
    private var entries: [String: (dtype: SafetensorsDType, shape: [Int], bytes: [UInt8])] = [:]
    /// Free-form string metadata written as `__metadata__`.
    public var metadata: [String: String] = [:]

    /// Creates an empty writer.
    public init() {}

    /// Adds `tensor` as F32 under `name`, replacing any tensor of that name.
    ///
    /// Throws for the one name the format reserves, `__metadata__`.
    public mutating func add(_ tensor: Tensor, named name: String) throws {
        try checkName(name)
        let bytes = tensor.withUnsafeBufferPointer { Array(UnsafeRawBufferPointer($0)) }
        entries[name] = (.float32, tensor.shape, bytes)
    }

    /// Adds raw little-endian `bytes` of `dtype` and `shape` under `name` (quantized weights, ids).
    public mutating func add(bytes: [UInt8], dtype: SafetensorsDType, shape: [Int], named name: String) throws {
        try checkName(name)
        let expected = shape.reduce(dtype.byteCount, *)
        guard shape.allSatisfy({ $0 >= 0 }), expected == bytes.count else {
            throw SafetensorsError.sizeMismatch(
                file: "(unwritten)", tensor: name, shape: shape, dtype: dtype.rawValue, byteCount: bytes.count)
        }
        entries[name] = (dtype, shape, bytes)
    }

    private func checkName(_ name: String) throws {
        guard name != "__metadata__" else {
            throw SafetensorsError.invalidHeader(
                file: "(unwritten)", reason: "\"__metadata__\" is reserved for metadata and cannot name a tensor")
        }
    }

    /// The complete file contents.
    public func serialized() throws -> [UInt8] {
        var header: [String: Any] = [:]
        var offset = 0
        let names = entries.keys.sorted()
        for name in names {
            let entry = entries[name]!
            header[name] = [
                "dtype": entry.dtype.rawValue, "shape": entry.shape,
                "data_offsets": [offset, offset + entry.bytes.count],
            ]
            offset += entry.bytes.count
        }
        if !metadata.isEmpty { header["__metadata__"] = metadata }
        var json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        json.append(contentsOf: [UInt8](repeating: 0x20, count: (8 - json.count % 8) % 8))
        var output = [UInt8]()
        output.reserveCapacity(8 + json.count + offset)
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { output.append(contentsOf: $0) }
        output.append(contentsOf: json)
        for name in names { output.append(contentsOf: entries[name]!.bytes) }
        return output
    }

    /// Writes the file to `path` atomically.
    public func write(to path: String) throws {
        try AtomicFile.write(try serialized(), to: path)
    }
}
