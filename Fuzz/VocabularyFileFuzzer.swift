// libFuzzer target: `WordPieceTokenizer(vocabularyFile:configuration:)`, the loader for
// model folders that ship vocab.txt (one token per line, its line number the id) and
// tokenizer_config.json instead of tokenizer.json. The input is a vocab.txt, optionally
// followed by a NUL byte and a tokenizer_config.json (JSON never holds a raw NUL, so the
// split is unambiguous). What must hold, besides never crashing: a file is loaded or refused
// with TokenizerError; a loaded vocabulary maps each id 0..<size to a token that maps back to
// that id (ids unique, no gaps); and every text encodes to [CLS] … [SEP] of ids inside the
// vocabulary, within the maximum length. Built and run by Scripts/fuzz/fuzz.sh.
import SquireModels

/// Texts that reach the added-token matcher, the normalizer, punctuation and long-word paths.
private let texts = ["", "hello world", "[CLS] a [SEP]", "Ünïcödé 中文 !?", String(repeating: "x", count: 120)]

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzVocabularyFile(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    let split = bytes.firstIndex(of: 0)
    let vocabulary = ScratchFolder.write(UnsafeRawBufferPointer(rebasing: bytes[..<(split ?? size)]), as: "vocab.txt")
    let configurationName = "tokenizer_config.json"
    let configuration =
        split.map { ScratchFolder.write(UnsafeRawBufferPointer(rebasing: bytes[($0 + 1)...]), as: configurationName) }
        ?? ScratchFolder.remove(configurationName)
    let tokenizer: WordPieceTokenizer
    do {
        tokenizer = try WordPieceTokenizer(vocabularyFile: vocabulary, configuration: configuration)
    } catch is TokenizerError {
        return 0
    } catch {
        fatalError("untyped error \(error)")
    }
    for id in 0..<tokenizer.vocabularySize {
        guard let token = tokenizer.token(for: id), tokenizer.id(for: token) == id else {
            fatalError("id \(id) does not round-trip: token \(String(describing: tokenizer.token(for: id)))")
        }
    }
    for text in texts {
        let encoding = tokenizer.encode(text)
        if encoding.ids.first != tokenizer.classifierID || encoding.ids.last != tokenizer.separatorID
            || encoding.count > tokenizer.maximumLength
            || encoding.ids.contains(where: { !(0..<tokenizer.vocabularySize).contains($0) })
        {
            fatalError("bad encoding of \(text.debugDescription): \(encoding)")
        }
    }
    return 0
}
