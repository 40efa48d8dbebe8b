// libFuzzer target: the WordPiece tokenizer must encode any string, [CLS] … [SEP] within the
// maximum length, never crash. Uses the real all-MiniLM-L6-v2 tokenizer (Scripts/setup/fetch-model.sh).
import SquireModels

let tokenizer: WordPieceTokenizer = {
    do {
        return try WordPieceTokenizer(folder: ModelFolder.allMiniLML6V2)
    } catch {
        fatalError("fetch the model first (Scripts/setup/fetch-model.sh): \(error)")
    }
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTokenizer(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let encoding = tokenizer.encode(text)
    let scalarCount = text.unicodeScalars.count
    if encoding.ids.first != tokenizer.classifierID || encoding.ids.last != tokenizer.separatorID
        || encoding.count > tokenizer.maximumLength || encoding.offsets.count != encoding.count
        || encoding.offsets.contains(where: { $0.upperBound > scalarCount })
    {
        fatalError("bad encoding for \(text.debugDescription): \(encoding)")
    }
    return 0
}
