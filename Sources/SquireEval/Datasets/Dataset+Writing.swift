public import Foundation
import SquireCore

extension Dataset {
    /// The dataset as JSON Lines, one `{"id", "text", "label", "tags"}` object per example
    /// (`tags` only when there are some), in order — the format ``init(contentsOf:)`` reads.
    public func jsonLines() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var data = Data()
        for example in examples {
            struct Record: Encodable {
                var id: String
                var text: String
                var label: String
                var tags: [String]?
            }
            data.append(
                try encoder.encode(
                    Record(
                        id: example.id, text: example.text, label: example.label,
                        tags: example.tags.isEmpty ? nil : example.tags)))
            data.append(UInt8(ascii: "\n"))
        }
        return data
    }

    /// Writes the dataset as JSON Lines, atomically.
    public func write(to url: URL) throws {
        try AtomicFile.write(Array(try jsonLines()), to: url.path)
    }
}
