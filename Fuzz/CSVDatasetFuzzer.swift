// libFuzzer target: `Dataset(csv:name:)` and the RFC 4180 reader under it (quoted fields
// holding commas, newlines and doubled quotes; CRLF; a byte-order mark) — the format
// spreadsheets export. What must hold, besides never crashing: a file is read or refused
// with DatasetError; a dataset read has unique ids, no empty label and no empty or padded
// tag; and writing it as JSON Lines and reading that gives the same dataset. Built and run
// by Scripts/fuzz/fuzz.sh.
import Foundation
import SquireEval

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCSVDataset(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    // Any String is valid input to the API; files that are not UTF-8 are refused before it.
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let dataset: Dataset
    do {
        dataset = try Dataset(csv: text, name: "fuzz")
    } catch is DatasetError {
        return 0
    } catch {
        fatalError("untyped error \(error)")
    }
    if Set(dataset.examples.map(\.id)).count != dataset.count { fatalError("duplicate ids in \(dataset)") }
    if dataset.examples.contains(where: \.label.isEmpty) { fatalError("an empty label in \(dataset)") }
    let tags = dataset.examples.flatMap(\.tags)
    if tags.contains(where: { $0.isEmpty || $0 != $0.trimmingCharacters(in: .whitespaces) }) {
        fatalError("an empty or untrimmed tag in \(tags)")
    }
    do {
        let reread = try Dataset(jsonLines: try dataset.jsonLines(), name: "fuzz")
        if reread != dataset { fatalError("the dataset changed on rereading: \(dataset) became \(reread)") }
    } catch {
        fatalError("the dataset's JSON Lines cannot be read back: \(error)")
    }
    return 0
}
