public import Foundation
import SquireCore
import SquireEval

/// A text waiting for a label, under a stable identifier.
public struct UnlabeledText: Sendable, Hashable, Codable {
    /// A stable identifier: resumption and review files find the example by it.
    public var id: String
    /// The text.
    public var text: String

    /// Creates a text to label.
    public init(id: String, text: String) {
        self.id = id
        self.text = text
    }

    /// Reads JSON Lines with a `text` on every line and optionally an `id` (default: the
    /// 1-based line number); other fields, such as an existing `label`, are ignored.
    /// Throws `DatasetError` naming the line at fault, and on duplicate ids.
    public static func load(contentsOf url: URL) throws -> [UnlabeledText] {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw DatasetError(source: url.path, reason: "cannot read the file; check the path")
        }
        let records = try JSONLinesRecords.parse(data, source: url.path, expecting: "one object with \"text\"")
        var seen: Set<String> = []
        return try records.map { line, record, _ in
            guard case .string(let text)? = record["text"] else {
                throw DatasetError(
                    source: url.path, line: line,
                    reason: record["text"] == nil ? "missing \"text\"" : "\"text\" must be a string")
            }
            var id = String(line)
            switch record["id"] {
            case nil, .null?: break
            case .string(let string)?: id = string
            case .integer(let number)?: id = String(number)
            default: throw DatasetError(source: url.path, line: line, reason: "\"id\" must be a string or an integer")
            }
            guard seen.insert(id).inserted else {
                throw DatasetError(
                    source: url.path, line: line, reason: "the id \"\(id)\" appears twice; ids must be unique")
            }
            return UnlabeledText(id: id, text: text)
        }
    }
}
