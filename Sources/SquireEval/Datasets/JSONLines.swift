import Foundation
import SquireCore

/// Typed JSON Lines files: one value per line, read with the line at fault named, written
/// atomically with sorted keys.
public enum JSONLines {
    /// Decodes every non-blank line of the file at `path` as `T`, with its 1-based line number.
    ///
    /// - Parameter expecting: what a line should be, for the error message.
    /// - Throws: ``DatasetError`` naming the file and line.
    public static func read<T: Decodable>(_ type: T.Type, from path: String, expecting: String) throws -> [(
        line: Int, value: T
    )] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DatasetError(source: path, reason: "cannot read the file; check the path")
        }
        var lines = data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        if lines.last?.isEmpty == true { lines.removeLast() }
        let decoder = JSONDecoder()
        return try lines.enumerated().compactMap { index, raw in
            if raw.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { return nil }
            do { return (index + 1, try decoder.decode(T.self, from: Data(raw))) } catch {
                let detail = (error as? DecodingError).map { ": \($0.summary)" } ?? ""
                throw DatasetError(source: path, line: index + 1, reason: "\(expecting)\(detail)")
            }
        }
    }

    /// Writes one encoded value per line (keys sorted, slashes unescaped), atomically: the
    /// file appears whole or not at all.
    public static func write<T: Encodable>(_ values: [T], to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var output = Data()
        for value in values {
            output.append(try encoder.encode(value))
            output.append(UInt8(ascii: "\n"))
        }
        try AtomicFile.write(Array(output), to: path)
    }
}
