import Foundation

extension WordPieceTokenizer {
    /// The tokenizer of a static model distilled from this one, as model2vec 0.10 makes it:
    /// `[unusedN]` tokens and every added token but `[PAD]` and `[UNK]` removed (`[CLS]`,
    /// `[SEP]` and `[MASK]` among them), the rest renumbered in order, and no special tokens
    /// added. Returns it with `baseIDs[i]`, this tokenizer's id of its token `i`.
    package func staticVocabulary() throws -> (tokenizer: WordPieceTokenizer, baseIDs: [Int]) {
        let kept: Set<Int> = [paddingID, unknownID]
        let added = Set(addedTokens.map(\.id))
        var baseIDs: [Int] = []
        for id in 0..<vocabularySize {
            guard let token = token(for: id) else { continue }
            if added.contains(id) || [classifierID, separatorID].contains(id) {
                if kept.contains(id) { baseIDs.append(id) }
                continue
            }
            if Self.isUnusedToken(token) { continue }
            baseIDs.append(id)
        }
        var vocabulary: [String: Int] = [:]
        for (new, base) in baseIDs.enumerated() { vocabulary[token(for: base)!] = new }
        guard let padding = vocabulary[token(for: paddingID) ?? ""], let unknown = vocabulary[token(for: unknownID)!]
        else {
            throw StaticModelError.mismatch("the base tokenizer's [PAD] or [UNK] has no token")
        }
        let tokenizer = try WordPieceTokenizer(
            normalizer: normalizer, vocabulary: vocabulary, continuingPrefix: continuingPrefix,
            addedTokens: [(token(for: paddingID)!, padding), (token(for: unknownID)!, unknown)],
            classifierID: nil, separatorID: nil, unknownID: unknown, paddingID: padding,
            maximumCharactersPerWord: maximumCharactersPerWord, maximumLength: maximumLength)
        return (tokenizer, baseIDs)
    }

    /// model2vec's default `token_remove_pattern`, `\[unused\d+\]`, matched at the start.
    static func isUnusedToken(_ token: String) -> Bool {
        guard token.hasPrefix("[unused") else { return false }
        let rest = token.dropFirst("[unused".count)
        let digits = rest.prefix { $0.isASCII && $0.isNumber }
        return !digits.isEmpty && rest.dropFirst(digits.count).hasPrefix("]")
    }

    /// This tokenizer as a Hugging Face `tokenizer.json`, the way model2vec saves a static
    /// model's: WordPiece, Bert normalizer and pre-tokenizer, no post-processor (`[CLS]` and
    /// `[SEP]` only when this tokenizer adds them), no truncation or padding.
    func tokenizerJSON() throws -> Data {
        var vocabulary: [String: Int] = [:]
        for id in 0..<vocabularySize { if let token = token(for: id) { vocabulary[token] = id } }
        var postProcessor: TokenizerFile.PostProcessor?
        if let classifierID, let separatorID, let cls = token(for: classifierID), let sep = token(for: separatorID) {
            postProcessor = .init(
                type: "BertProcessing", single: nil, classifier: .init(token: cls, id: classifierID),
                separator: .init(token: sep, id: separatorID))
        }
        let file = TokenizerFile(
            addedTokens: Set(addedTokens.map(\.id)).sorted().map {
                .init(
                    id: $0, content: token(for: $0) ?? "", singleWord: false, leftStrip: false, rightStrip: false,
                    normalized: false, special: true)
            },
            normalizer: .init(
                type: "BertNormalizer", cleanText: normalizer.cleanText,
                handleChineseCharacters: normalizer.handleChineseCharacters, stripAccents: normalizer.stripAccents,
                lowercase: normalizer.lowercase),
            preTokenizer: .init(type: "BertPreTokenizer"), postProcessor: postProcessor,
            model: .init(
                type: "WordPiece", unknownToken: token(for: unknownID) ?? "[UNK]",
                continuingSubwordPrefix: continuingPrefix, maxInputCharactersPerWord: maximumCharactersPerWord,
                vocabulary: vocabulary))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return try encoder.encode(file)
    }
}
