import Foundation

extension WordPieceTokenizer {
    /// The tokenizer of a static model distilled from this one, as model2vec 0.10 makes it:
    /// `[unusedN]` tokens and every added token but `[PAD]` and `[UNK]` removed (`[CLS]`,
    /// `[SEP]` and `[MASK]` among them), the rest renumbered in order, and no special tokens
    /// added. Returns it with `baseIDs[i]`, this tokenizer's id of its token `i`.
    package func staticVocabulary() throws -> (tokenizer: WordPieceTokenizer, baseIDs: [Int]) {
        let (tokenizer, baseIDs, _) = try staticVocabulary(adding: [])
        return (tokenizer, baseIDs)
    }

    /// ``staticVocabulary()`` with `words` added after the renumbered vocabulary as model2vec's
    /// `distill(vocabulary=)` adds them, in their order:
    ///
    /// - a word is normalized and pre-tokenized (``words(in:)``); nothing left: skipped;
    /// - one piece (`"Mastercard"` → `mastercard`): skipped when that piece is already a token
    ///   or was added before, else appended to the WordPiece vocabulary, so the longest-match
    ///   finds it as a whole word (and as the head of longer ones: `mastercards` →
    ///   `mastercard`, `##s`);
    /// - several pieces (`"Apple Pay"`, `"top-up"`): its normalized text, trimmed of whitespace
    ///   (`apple pay`), skipped when added before, else a normalized added token (matched in
    ///   the normalized text before pre-tokenizing), after every one-piece word. model2vec
    ///   also removes the word's raw text from the vocabulary when it is a token (only
    ///   `##`-pieces and bracketed specials split so); Squire skips such a word instead.
    ///
    /// Returns the tokenizer, `baseIDs` as ``staticVocabulary()`` does, and the added tokens
    /// in id order (their ids follow `baseIDs`).
    package func staticVocabulary(adding words: [String]) throws -> (
        tokenizer: WordPieceTokenizer, baseIDs: [Int], addedTokens: [String]
    ) {
        let kept: Set<Int> = [paddingID, unknownID]
        let added = Set(addedTokens.map(\.id) + normalizedAddedTokens.map(\.id))
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
        // The vocabulary model2vec checks a several-piece word's raw text against: this one
        // without the added tokens it prunes first ([MASK]).
        func isStaticToken(_ word: String) -> Bool {
            guard let id = id(for: word) else { return false }
            return !added.contains(id) || kept.contains(id) || [classifierID, separatorID].contains(id)
        }
        var wholeWords: [String] = []
        var phrases: [String] = []
        var seen = Set<String>()
        for word in words {
            let pieces = self.words(in: word)
            if pieces.count == 1 {
                // Checked against this whole vocabulary, [unusedN] and specials included, as
                // model2vec checks before removing them.
                guard id(for: pieces[0]) == nil, seen.insert(pieces[0]).inserted else { continue }
                wholeWords.append(pieces[0])
            } else if pieces.count > 1, !isStaticToken(word) {
                let phrase = normalized(word).trimmingWhitespace()
                guard vocabulary[phrase] == nil, seen.insert(phrase).inserted else { continue }
                phrases.append(phrase)
            }
        }
        for word in wholeWords { vocabulary[word] = vocabulary.count }
        let tokenizer = try WordPieceTokenizer(
            normalizer: normalizer, vocabulary: vocabulary, continuingPrefix: continuingPrefix,
            addedTokens: [(token(for: paddingID)!, padding), (token(for: unknownID)!, unknown)],
            normalizedAddedTokens: phrases.enumerated().map { ($1, vocabulary.count + $0) },
            classifierID: nil, separatorID: nil, unknownID: unknown, paddingID: padding,
            maximumCharactersPerWord: maximumCharactersPerWord, maximumLength: maximumLength)
        return (tokenizer, baseIDs, wholeWords + phrases)
    }

    /// The ids the encoder reads for an added token `word` in model2vec's vocabulary pass:
    /// `[CLS] pieces [SEP]` by this tokenizer without its non-special added tokens (`[MASK]`
    /// is text again, as model2vec prunes it), truncated to `maximumLength`, then padded with
    /// `[PAD]` to ``fixedPaddingLength`` — model2vec's tokenizer keeps the base
    /// `tokenizer.json`'s fixed padding (128 for all-MiniLM-L6-v2), and every position of it,
    /// padding included, is attended and averaged.
    package func staticVocabularyPassIDs(for words: [String], maximumLength: Int) throws -> [[Int]] {
        let specials = Set([paddingID, unknownID, classifierID, separatorID].compactMap { $0 })
        let pruned = try WordPieceTokenizer(
            normalizer: normalizer, vocabulary: vocabulary.ids, continuingPrefix: continuingPrefix,
            addedTokens: addedTokens.filter { specials.contains($0.id) }.compactMap { token in
                self.token(for: token.id).map { ($0, token.id) }
            },
            classifierID: classifierID, separatorID: separatorID, unknownID: unknownID, paddingID: paddingID,
            maximumCharactersPerWord: maximumCharactersPerWord, maximumLength: maximumLength)
        return words.map { word in
            let ids = pruned.encode(word).ids
            return ids + Array(repeating: paddingID, count: max(0, (fixedPaddingLength ?? 0) - ids.count))
        }
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
        let normalizedIDs = Set(normalizedAddedTokens.map(\.id))
        var vocabulary: [String: Int] = [:]
        for id in 0..<vocabularySize { if let token = token(for: id) { vocabulary[token] = id } }
        var postProcessor: TokenizerFile.PostProcessor?
        if let classifierID, let separatorID, let cls = token(for: classifierID), let sep = token(for: separatorID) {
            postProcessor = .init(
                type: "BertProcessing", single: nil, classifier: .init(token: cls, id: classifierID),
                separator: .init(token: sep, id: separatorID))
        }
        let file = TokenizerFile(
            // Normalized added tokens are written with model2vec's flags for its multi-word tokens.
            addedTokens: Set(addedTokens.map(\.id)).union(normalizedIDs).sorted().map {
                let isNormalized = normalizedIDs.contains($0)
                return .init(
                    id: $0, content: token(for: $0) ?? "", singleWord: false, leftStrip: isNormalized,
                    rightStrip: isNormalized, normalized: isNormalized, special: !isNormalized)
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

extension String {
    /// Without leading and trailing whitespace, as Python's `str.strip()`.
    fileprivate func trimmingWhitespace() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
            let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else { return "" }
        return String(scalars[first...last])
    }
}
