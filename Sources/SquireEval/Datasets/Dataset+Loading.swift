public import Foundation
import SquireCore

extension Dataset {
    /// Loads a dataset from a `.jsonl` (JSON Lines) or `.csv` file.
    ///
    /// Each record has a `text` and a `label`, and optionally `id` (default: the
    /// 1-based line number) and `tags` (JSON: an array of strings; CSV: separated by `;`).
    /// Numeric labels are read as their decimal text. Errors name the line at fault.
    public init(contentsOf url: URL) throws {
        let source = url.path
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw DatasetError(source: source, reason: "cannot read the file; check the path")
        }
        let name = url.deletingPathExtension().lastPathComponent
        switch url.pathExtension.lowercased() {
        case "csv":
            guard let text = String(data: data, encoding: .utf8) else {
                throw DatasetError(source: source, reason: "not valid UTF-8")
            }
            try self.init(csv: text, name: name, source: source)
        case "jsonl", "ndjson", "json":
            try self.init(jsonLines: data, name: name, source: source)
        default:
            throw DatasetError(source: source, reason: "unknown format \".\(url.pathExtension)\"; use .jsonl or .csv")
        }
    }

    /// Reads JSON Lines: one object per line; blank lines are skipped.
    public init(jsonLines data: Data, name: String, source: String? = nil) throws {
        let source = source ?? name
        let records = try JSONLinesRecords.parse(
            data, source: source, expecting: "one object with \"text\" and \"label\"")
        let examples = try records.map { try Self.example(from: $0.record, line: $0.line, source: source) }
        try self.init(name: name, examples: examples)
    }

    /// Reads CSV with a header row naming at least `text` and `label` (any order).
    public init(csv text: String, name: String, source: String? = nil) throws {
        let source = source ?? name
        let text = text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text
        var records = try CSVReader.records(in: text, source: source)
        guard !records.isEmpty else {
            try self.init(name: name, examples: [])
            return
        }
        let header = records.removeFirst().fields.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        func column(_ name: String) -> Int? { header.firstIndex(of: name) }
        guard let textColumn = column("text"), let labelColumn = column("label") else {
            throw DatasetError(
                source: source, line: 1,
                reason: "the header must name the columns \"text\" and \"label\"; found \(header)")
        }
        let idColumn = column("id")
        let tagsColumn = column("tags")
        var examples: [LabeledExample] = []
        for record in records {
            guard record.fields.count == header.count else {
                throw DatasetError(
                    source: source, line: record.line,
                    reason:
                        "\(record.fields.count) fields where the header has \(header.count); quote fields that contain commas"
                )
            }
            let label = record.fields[labelColumn]
            guard !label.isEmpty else {
                throw DatasetError(source: source, line: record.line, reason: "the label is empty")
            }
            let tags =
                tagsColumn.map {
                    record.fields[$0].split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }.filter {
                        !$0.isEmpty
                    }
                } ?? []
            let id = idColumn.map { record.fields[$0] }.flatMap { $0.isEmpty ? nil : $0 } ?? String(record.line)
            examples.append(LabeledExample(id: id, text: record.fields[textColumn], label: label, tags: tags))
        }
        try self.init(name: name, examples: examples)
    }

    private static func example(from record: [String: JSONValue], line: Int, source: String) throws -> LabeledExample {
        func fail(_ reason: String) -> DatasetError { DatasetError(source: source, line: line, reason: reason) }
        guard case .string(let text)? = record["text"] else {
            throw fail(record["text"] == nil ? "missing \"text\"" : "\"text\" must be a string")
        }
        let label: String
        switch record["label"] {
        case .string(let string)?: label = string
        case .integer(let number)?: label = String(number)
        case nil: throw fail("missing \"label\"")
        default: throw fail("\"label\" must be a string or an integer")
        }
        guard !label.isEmpty else { throw fail("the label is empty") }
        var tags: [String] = []
        switch record["tags"] {
        case nil, .null?: break
        case .array(let values)?:
            for value in values {
                guard case .string(let tag) = value else { throw fail("\"tags\" must be an array of strings") }
                tags.append(tag)
            }
        default: throw fail("\"tags\" must be an array of strings")
        }
        var id = String(line)
        switch record["id"] {
        case nil, .null?: break
        case .string(let string)?: id = string
        case .integer(let number)?: id = String(number)
        default: throw fail("\"id\" must be a string or an integer")
        }
        return LabeledExample(id: id, text: text, label: label, tags: tags)
    }
}
