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
    /// model's: WordPiece, Bert normalizer and pre-tokenizer, no post-processor, truncation
    /// at ``maximumLength``, no padding.
    func tokenizerJSON() throws -> Data {
        var vocabulary: [String: Int] = [:]
        for id in 0..<vocabularySize { if let token = token(for: id) { vocabulary[token] = id } }
        let addedIDs = Set(addedTokens.map(\.id))
        let added: [[String: Any]] = addedIDs.sorted().map { id in
            [
                "id": id, "content": token(for: id) ?? "", "single_word": false, "lstrip": false, "rstrip": false,
                "normalized": false, "special": true,
            ]
        }
        var object: [String: Any] = [
            "version": "1.0",
            "truncation": [
                "direction": "Right", "max_length": maximumLength, "strategy": "LongestFirst", "stride": 0,
            ],
            "padding": NSNull(),
            "added_tokens": added,
            "normalizer": [
                "type": "BertNormalizer", "clean_text": normalizer.cleanText,
                "handle_chinese_chars": normalizer.handleChineseCharacters, "strip_accents": normalizer.stripAccents,
                "lowercase": normalizer.lowercase,
            ],
            "pre_tokenizer": ["type": "BertPreTokenizer"],
            "post_processor": NSNull(),
            "decoder": ["type": "WordPiece", "prefix": continuingPrefix, "cleanup": true],
            "model": [
                "type": "WordPiece", "unk_token": token(for: unknownID) ?? "[UNK]",
                "continuing_subword_prefix": continuingPrefix,
                "max_input_chars_per_word": maximumCharactersPerWord, "vocab": vocabulary,
            ] as [String: Any],
        ]
        if let classifierID, let separatorID, let cls = token(for: classifierID), let sep = token(for: separatorID) {
            object["post_processor"] = [
                "type": "BertProcessing", "sep": [sep, separatorID], "cls": [cls, classifierID],
            ]
        }
        return try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
    }
}
