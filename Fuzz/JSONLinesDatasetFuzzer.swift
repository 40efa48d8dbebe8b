// libFuzzer target: `Dataset(jsonLines:name:)`, the reader of .jsonl eval and training sets
// (one {"text", "label", "id"?, "tags"?} object per line) — files users export from
// spreadsheets, logs and labelling tools. What must hold, besides never crashing: a file is
// read or refused with DatasetError naming a line; a dataset read has unique ids and no
// empty label; and writing it back as JSON Lines and reading that gives the same dataset.
// Built and run by Scripts/fuzz/fuzz.sh.
import Foundation
import SquireEval

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSONLinesDataset(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Data(UnsafeRawBufferPointer(start: data, count: size))
    let dataset: Dataset
    do {
        dataset = try Dataset(jsonLines: bytes, name: "fuzz")
    } catch is DatasetError {
        return 0
    } catch {
        fatalError("untyped error \(error)")
    }
    if Set(dataset.examples.map(\.id)).count != dataset.count { fatalError("duplicate ids in \(dataset)") }
    if dataset.examples.contains(where: \.label.isEmpty) { fatalError("an empty label in \(dataset)") }
    do {
        let reread = try Dataset(jsonLines: try dataset.jsonLines(), name: "fuzz")
        if reread != dataset { fatalError("the dataset changed on rereading: \(dataset) became \(reread)") }
    } catch {
        fatalError("the dataset's own JSON Lines cannot be read back: \(error)")
    }
    return 0
}
