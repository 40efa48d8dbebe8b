import Foundation
import SquireCore

/// Texts read from a file, one per line: `.jsonl` lines are objects with a `"text"` string;
/// any other file is plain text, each line one input (an empty line is an empty text).
public enum TextLines {
    /// The texts of the file at `path`, in order.
    ///
    /// - Throws: ``DatasetError`` naming the file and line: an unreadable file, a line that
    ///   is not UTF-8, a JSON Lines line without a `"text"` string.
    public static func read(_ path: String) throws -> [String] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DatasetError(source: path, reason: "cannot read the file; check the path")
        }
        var lines = data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        // The final newline ends the last line; it does not start an empty one.
        if lines.last?.isEmpty == true { lines.removeLast() }
        let json = path.hasSuffix(".jsonl") || path.hasSuffix(".ndjson")
        struct Line: Decodable { var text: String }
        return try lines.enumerated().compactMap { index, raw in
            var bytes = raw
            if bytes.last == UInt8(ascii: "\r") { bytes.removeLast() }
            guard let text = String(validating: bytes, as: UTF8.self) else {
                throw DatasetError(source: path, line: index + 1, reason: "not valid UTF-8")
            }
            guard json else { return text }
            // Blank JSON Lines lines carry no record.
            if text.allSatisfy(\.isWhitespace) { return nil }
            do {
                return try JSONDecoder().decode(Line.self, from: Data(bytes)).text
            } catch {
                throw DatasetError(
                    source: path, line: index + 1, reason: "expected a JSON object with a \"text\" string")
            }
        }
    }
}
