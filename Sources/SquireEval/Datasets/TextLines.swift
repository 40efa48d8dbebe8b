import Foundation
import SquireCore

/// Texts read from a file, one per record: `.jsonl` (or `.ndjson`) lines are objects with a
/// `"text"` string; `.csv` files have a header row naming a `text` column; any other file is
/// plain text, each line one input (an empty line is an empty text).
///
/// JSON Lines objects and CSV rows may also carry an `id` and a `label`, which
/// ``records(_:)`` keeps.
public enum TextLines {
    /// One text with what its file said about it.
    public struct Record: Sendable, Hashable {
        /// The text.
        public var text: String
        /// Its identifier, when the file gives one (numbers are kept as their digits).
        public var id: String?
        /// Its true label, when the file gives one.
        public var label: String?

        /// Creates a record.
        public init(text: String, id: String? = nil, label: String? = nil) {
            self.text = text
            self.id = id
            self.label = label
        }
    }

    /// The texts of the file at `path`, in order.
    ///
    /// - Throws: ``DatasetError`` naming the file and line: an unreadable file, a line that
    ///   is not UTF-8, a JSON Lines line without a `"text"` string, a CSV file whose header
    ///   names no `text` column.
    public static func read(_ path: String) throws -> [String] {
        try records(path).map(\.text)
    }

    /// The texts of the file at `path` with their ids and labels, in order; throws as
    /// ``read(_:)`` does.
    public static func records(_ path: String) throws -> [Record] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DatasetError(source: path, reason: "cannot read the file; check the path")
        }
        if path.lowercased().hasSuffix(".csv") { return try csvRecords(data, path: path) }
        var lines = data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        // The final newline ends the last line; it does not start an empty one.
        if lines.last?.isEmpty == true { lines.removeLast() }
        let json = path.hasSuffix(".jsonl") || path.hasSuffix(".ndjson")
        return try lines.enumerated().compactMap { index, raw in
            var bytes = raw
            if bytes.last == UInt8(ascii: "\r") { bytes.removeLast() }
            guard let text = String(validating: bytes, as: UTF8.self) else {
                throw DatasetError(source: path, line: index + 1, reason: "not valid UTF-8")
            }
            guard json else { return Record(text: text) }
            // Blank JSON Lines lines carry no record.
            if text.allSatisfy(\.isWhitespace) { return nil }
            do {
                return try JSONDecoder().decode(JSONRecord.self, from: Data(bytes)).record
            } catch {
                throw DatasetError(
                    source: path, line: index + 1,
                    reason: "expected a JSON object with a \"text\" string (and optionally \"id\" and \"label\")")
            }
        }
    }

    private static func csvRecords(_ data: Data, path: String) throws -> [Record] {
        guard var text = String(validating: data, as: UTF8.self) else {
            throw DatasetError(source: path, reason: "not valid UTF-8")
        }
        if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
        var rows = try CSVReader.records(in: text, source: path)
        guard !rows.isEmpty else { return [] }
        let header = rows.removeFirst().fields.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        guard let textColumn = header.firstIndex(of: "text") else {
            throw DatasetError(source: path, line: 1, reason: "the header must name a \"text\" column; found \(header)")
        }
        let idColumn = header.firstIndex(of: "id")
        let labelColumn = header.firstIndex(of: "label")
        return try rows.map { row in
            guard row.fields.count == header.count else {
                throw DatasetError(
                    source: path, line: row.line,
                    reason:
                        "\(row.fields.count) fields where the header has \(header.count); quote fields that contain commas"
                )
            }
            func field(_ column: Int?) -> String? { column.map { row.fields[$0] }.flatMap { $0.isEmpty ? nil : $0 } }
            return Record(text: row.fields[textColumn], id: field(idColumn), label: field(labelColumn))
        }
    }

    /// A JSON Lines record; ids may be numbers in the wild, kept as their digits.
    private struct JSONRecord: Decodable {
        var record: Record

        private enum CodingKeys: String, CodingKey { case text, id, label }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            let id: String? =
                if let number = try? container.decodeIfPresent(Int.self, forKey: .id) {
                    String(number)
                } else {
                    try container.decodeIfPresent(String.self, forKey: .id)
                }
            record = Record(
                text: try container.decode(String.self, forKey: .text), id: id,
                label: try container.decodeIfPresent(String.self, forKey: .label))
        }
    }
}
