import Foundation

/// What every `--json` flag prints: one JSON object on standard output, keys sorted and
/// indented, so scripts can read it and people can diff it.
enum JSONOutput {
    /// Prints `object` (values JSONSerialization accepts: strings, numbers, arrays, dictionaries).
    static func print(_ object: [String: Any]) throws {
        let data = try JSONSerialization.data(
            withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        Swift.print(String(decoding: data, as: UTF8.self))
    }
}
