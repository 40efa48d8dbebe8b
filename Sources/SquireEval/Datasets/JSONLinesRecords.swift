package import Foundation
package import SquireCore

/// The objects of a JSON Lines file with their 1-based line numbers (and bytes, for typed decoding): blank lines skipped,
/// a leading UTF-8 byte-order mark ignored, each line checked for UTF-8 and for being one
/// JSON object. Datasets and recorded answers read their files through it.
package enum JSONLinesRecords {
    package static func parse(_ data: Data, source: String, expecting: String) throws -> [(
        line: Int, record: [String: JSONValue], bytes: Data
    )] {
        // Spreadsheet exports often start with a byte-order mark; it is not part of the data.
        let data = data.starts(with: [0xEF, 0xBB, 0xBF]) ? data.dropFirst(3) : data
        var lines = data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        if lines.last?.isEmpty == true { lines.removeLast() }
        var records: [(line: Int, record: [String: JSONValue], bytes: Data)] = []
        for (index, raw) in lines.enumerated() {
            let number = index + 1
            guard String(validating: raw, as: UTF8.self) != nil else {
                throw DatasetError(source: source, line: number, reason: "not valid UTF-8")
            }
            if raw.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { continue }
            do {
                let bytes = Data(raw)
                records.append((number, try JSONDecoder().decode([String: JSONValue].self, from: bytes), bytes))
            } catch {
                throw DatasetError(
                    source: source, line: number, reason: "not a JSON object; each line must be \(expecting)")
            }
        }
        return records
    }
}
