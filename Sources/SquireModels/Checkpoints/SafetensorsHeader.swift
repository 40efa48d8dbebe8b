import Foundation
import SquireCore

/// The parsed, validated header of a safetensors file: its tensors and metadata.
///
/// Parsing treats the header as untrusted input: every entry's dtype, shape and byte
/// range is checked against the data section before any byte of it is read.
public struct SafetensorsHeader: Sendable, Hashable {
    /// One tensor's declaration.
    public struct Entry: Sendable, Hashable {
        /// The tensor's key, such as `encoder.layer.0.attention.self.query.weight`.
        public var name: String
        /// Its element type.
        public var dtype: SafetensorsDType
        /// Its shape, outermost axis first.
        public var shape: [Int]
        /// Its bytes, relative to the start of the data section.
        public var byteRange: Range<Int>
    }

    /// The entries in data order.
    public var entries: [Entry]
    /// The free-form string metadata (`__metadata__`).
    public var metadata: [String: String]

    /// The largest header the format allows (100 MB), so a hostile length cannot exhaust memory.
    public static let maximumHeaderSize = 100_000_000

    /// Parses and validates the JSON `header` describing a data section of `dataSize` bytes.
    ///
    /// `file` names the source in errors.
    public static func parse(_ header: UnsafeRawBufferPointer, dataSize: Int, file: String) throws -> SafetensorsHeader
    {
        let object: [String: JSONValue]
        do {
            object = try JSONDecoder().decode([String: JSONValue].self, from: Data(header))
        } catch {
            throw SafetensorsError.invalidHeader(file: file, reason: Self.reason(error))
        }
        var metadata: [String: String] = [:]
        var entries: [Entry] = []
        for (name, value) in object {
            if name == "__metadata__" {
                guard case .object(let pairs) = value else {
                    throw SafetensorsError.invalidHeader(file: file, reason: "__metadata__ is not an object")
                }
                for (key, text) in pairs {
                    guard case .string(let text) = text else {
                        throw SafetensorsError.invalidHeader(
                            file: file, reason: "__metadata__ value for \"\(key)\" is not a string")
                    }
                    metadata[key] = text
                }
                continue
            }
            entries.append(try entry(name, value, dataSize: dataSize, file: file))
        }
        entries.sort {
            ($0.byteRange.lowerBound, $0.byteRange.upperBound, $0.name) < (
                $1.byteRange.lowerBound, $1.byteRange.upperBound, $1.name
            )
        }
        var covered = 0
        for (index, entry) in entries.enumerated() {
            if index > 0, entry.byteRange.lowerBound < entries[index - 1].byteRange.upperBound {
                throw SafetensorsError.overlappingTensors(
                    file: file, tensor: entries[index - 1].name, other: entry.name)
            }
            covered += entry.byteRange.count
        }
        guard covered == dataSize else {
            throw SafetensorsError.incompleteBuffer(file: file, covered: covered, dataSize: dataSize)
        }
        return SafetensorsHeader(entries: entries, metadata: metadata)
    }

    private static func entry(_ name: String, _ value: JSONValue, dataSize: Int, file: String) throws -> Entry {
        guard case .object(let fields) = value else {
            throw SafetensorsError.invalidHeader(file: file, reason: "entry \"\(name)\" is not an object")
        }
        guard case .string(let dtypeName)? = fields["dtype"] else {
            throw SafetensorsError.invalidHeader(file: file, reason: "entry \"\(name)\" has no dtype string")
        }
        guard let dtype = SafetensorsDType(rawValue: dtypeName) else {
            throw SafetensorsError.unknownDType(file: file, tensor: name, dtype: dtypeName)
        }
        guard let shape = integers(fields["shape"]), shape.allSatisfy({ $0 >= 0 }) else {
            throw SafetensorsError.invalidHeader(
                file: file, reason: "entry \"\(name)\" has no shape of non-negative integers")
        }
        guard let offsets = integers(fields["data_offsets"]), offsets.count == 2 else {
            throw SafetensorsError.invalidHeader(
                file: file, reason: "entry \"\(name)\" has no data_offsets [begin, end]")
        }
        guard offsets[0] >= 0, offsets[0] <= offsets[1], offsets[1] <= dataSize else {
            throw SafetensorsError.offsetsOutOfRange(file: file, tensor: name, offsets: offsets, dataSize: dataSize)
        }
        var bytes = dtype.byteCount
        for extent in shape {
            let (product, overflow) = bytes.multipliedReportingOverflow(by: extent)
            guard !overflow else {
                throw SafetensorsError.sizeMismatch(
                    file: file, tensor: name, shape: shape, dtype: dtypeName, byteCount: offsets[1] - offsets[0])
            }
            bytes = product
        }
        guard bytes == offsets[1] - offsets[0] else {
            throw SafetensorsError.sizeMismatch(
                file: file, tensor: name, shape: shape, dtype: dtypeName, byteCount: offsets[1] - offsets[0])
        }
        return Entry(name: name, dtype: dtype, shape: shape, byteRange: offsets[0]..<offsets[1])
    }

    /// An array of JSON integers, or nil for anything else.
    private static func integers(_ value: JSONValue?) -> [Int]? {
        guard case .array(let array)? = value else { return nil }
        var result: [Int] = []
        for element in array {
            guard case .integer(let number) = element else { return nil }
            result.append(number)
        }
        return result
    }

    private static func reason(_ error: any Error) -> String {
        switch error {
        case DecodingError.typeMismatch(_, let context) where context.codingPath.isEmpty:
            "the header is not a JSON object"
        case DecodingError.typeMismatch, DecodingError.valueNotFound:
            "the header holds a value of the wrong JSON type"
        default:
            "the header is not valid JSON"
        }
    }
}
