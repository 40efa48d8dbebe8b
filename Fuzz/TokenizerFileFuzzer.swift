// libFuzzer target: `WordPieceTokenizer(tokenizerJSON:)`, the reader of a Hugging Face
// tokenizer.json — a file that arrives with any downloaded model. (The `tokenizer` target
// fuzzes the texts given to a real tokenizer; this one fuzzes the file.) What must hold,
// besides never crashing: a file is loaded or refused with TokenizerError, and a loaded
// tokenizer encodes every text to [CLS] … [SEP] of ids inside its vocabulary, within the
// maximum length, with one offset per token — or, for a file without a post-processor (as
// model2vec saves), without [CLS] and [SEP], which such a tokenizer then has none of.
// Built and run by Scripts/fuzz/fuzz.sh.
import SquireModels

/// Texts that reach the added-token matcher, the normalizer, punctuation and long-word paths.
private let texts = ["", "hello world", "[CLS] a [SEP] [MASK]", "Ünïcödé 中文 !?", String(repeating: "x", count: 120)]

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTokenizerFile(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let path = ScratchFolder.write(UnsafeRawBufferPointer(start: data, count: size), as: "tokenizer.json")
    let tokenizer: WordPieceTokenizer
    do {
        tokenizer = try WordPieceTokenizer(tokenizerJSON: path)
    } catch is TokenizerError {
        return 0
    } catch {
        fatalError("untyped error \(error)")
    }
    for text in texts {
        let encoding = tokenizer.encode(text)
        let framed =
            if let first = tokenizer.classifierID, let last = tokenizer.separatorID {
                encoding.ids.first == first && encoding.ids.last == last
            } else {
                tokenizer.classifierID == nil && tokenizer.separatorID == nil
            }
        if !framed || encoding.count > tokenizer.maximumLength || encoding.offsets.count != encoding.count
            || encoding.ids.contains(where: { !(0..<tokenizer.vocabularySize).contains($0) })
        {
            fatalError("bad encoding of \(text.debugDescription): \(encoding)")
        }
    }
    return 0
}
