import Foundation
import Squire

/// Texts read from a file, one per line: `.jsonl` lines are objects with a `"text"` string;
/// any other file is plain text, each line one input (an empty line is an empty text).
enum InputTexts {
    /// What is wrong with an input file, with the line at fault.
    struct Error: Swift.Error, CustomStringConvertible {
        var path: String
        var line: Int?
        var reason: String
        var description: String { "\(path)\(line.map { ":\($0)" } ?? ""): \(reason)" }
    }

    static func read(_ path: String) throws -> [String] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw Error(path: path, line: nil, reason: "cannot read the file; check the path")
        }
        var lines = data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        if lines.last?.isEmpty == true { lines.removeLast() }  // the final newline ends the last line
        let json = path.hasSuffix(".jsonl") || path.hasSuffix(".ndjson")
        struct Line: Decodable { var text: String }
        return try lines.enumerated().compactMap { index, raw in
            var bytes = raw
            if bytes.last == UInt8(ascii: "\r") { bytes.removeLast() }
            guard let text = String(validating: bytes, as: UTF8.self) else {
                throw Error(path: path, line: index + 1, reason: "not valid UTF-8")
            }
            guard json else { return text }
            if text.allSatisfy(\.isWhitespace) { return nil }  // blank JSONL lines carry no record
            do {
                return try JSONDecoder().decode(Line.self, from: Data(bytes)).text
            } catch {
                throw Error(path: path, line: index + 1, reason: "expected a JSON object with a \"text\" string")
            }
        }
    }
}

/// Reads and writes JSON Lines files for the subcommands.
enum JSONLines {
    /// Decodes every non-blank line as `T`; an error names the file and line, with
    /// `expecting` saying what a line should be.
    static func read<T: Decodable>(_ type: T.Type, from path: String, expecting: String) throws -> [(
        line: Int, value: T
    )] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw InputTexts.Error(path: path, line: nil, reason: "cannot read the file; check the path")
        }
        var lines = data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        if lines.last?.isEmpty == true { lines.removeLast() }
        let decoder = JSONDecoder()
        return try lines.enumerated().compactMap { index, raw in
            if raw.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { return nil }
            do { return (index + 1, try decoder.decode(T.self, from: Data(raw))) } catch {
                let detail = (error as? DecodingError).map { ": \($0.summary)" } ?? ""
                throw InputTexts.Error(path: path, line: index + 1, reason: "\(expecting)\(detail)")
            }
        }
    }

    /// Writes one JSON object per line, atomically.
    static func write(_ records: [[String: Any]], to path: String) throws {
        var output = Data()
        for record in records {
            output.append(
                try JSONSerialization.data(withJSONObject: record, options: [.sortedKeys, .withoutEscapingSlashes]))
            output.append(UInt8(ascii: "\n"))
        }
        try AtomicFile.write(Array(output), to: path)
    }

    /// Writes one encoded value per line (keys sorted), atomically.
    static func write<T: Encodable>(_ values: [T], to path: String) throws {
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
