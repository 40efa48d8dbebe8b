import Foundation
import Squire

/// What every `--json` flag prints: one JSON object on standard output, keys sorted and
/// indented, so scripts can read it and people can diff it.
enum JSONOutput {
    /// Prints `value`; `compact` keeps it on one line, for the commands whose output scripts
    /// read line by line.
    static func print(_ value: some Encodable, compact: Bool = false) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = compact ? [.sortedKeys] : [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        Swift.print(String(decoding: try encoder.encode(value), as: UTF8.self))
    }

    /// Writes an encodable value to `path` as an indented JSON file with sorted keys, atomically.
    static func write(_ value: some Encodable, to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try AtomicFile.write(Array(try encoder.encode(value)), to: path)
    }
}
