extension WordPieceTokenizer {
    /// `text` as the normalizer leaves it: lowercased, accents stripped, control characters
    /// dropped, CJK characters set apart by spaces (for BERT's uncased normalizer).
    public func normalized(_ text: String) -> String {
        var scalars: [Unicode.Scalar] = []
        scalars.reserveCapacity(text.unicodeScalars.count)
        for scalar in text.unicodeScalars { normalizer.normalize(scalar, into: &scalars) }
        var result = String.UnicodeScalarView()
        result.append(contentsOf: scalars)
        return String(result)
    }

    /// The words of `text` as WordPiece receives them: normalized, then split at whitespace
    /// (which is dropped) and around every punctuation mark and CJK character (each a word of
    /// its own). Added tokens are not looked for.
    ///
    /// ```swift
    /// tokenizer.words(in: "Top-up via Apple Pay!")  // ["top", "-", "up", "via", "apple", "pay", "!"]
    /// ```
    public func words(in text: String) -> [String] {
        var words: [String] = []
        var word = String.UnicodeScalarView()
        func finish() {
            if !word.isEmpty { words.append(String(word)) }
            word = String.UnicodeScalarView()
        }
        for scalar in normalized(text).unicodeScalars {
            if BertNormalizer.isWhitespace(scalar) {
                finish()
            } else if BertNormalizer.isPunctuation(scalar) || BertNormalizer.isChineseCharacter(scalar.value) {
                finish()
                word.append(scalar)
                finish()
            } else {
                word.append(scalar)
            }
        }
        finish()
        return words
    }

    /// The `limit` most frequent words of `texts` (``words(in:)``) that are not whole tokens of
    /// this vocabulary, most frequent first, ties in order of first appearance — a corpus's
    /// own vocabulary, to give a static model rows for (`StaticDistillation.extraVocabulary`).
    ///
    /// Words longer than ``maximumCharactersPerWord`` are left out: the tokenizer reads them
    /// as `[UNK]` whatever the vocabulary holds. model2vec has no such helper; this is Squire's.
    public func missingWords(in texts: some Sequence<String>, limit: Int) -> [String] {
        guard limit > 0 else { return [] }
        var counts: [String: (count: Int, first: Int)] = [:]
        for text in texts {
            for word in words(in: text) where id(for: word) == nil {
                if let seen = counts[word] {
                    counts[word] = (seen.count + 1, seen.first)
                } else if word.unicodeScalars.count <= maximumCharactersPerWord {
                    counts[word] = (1, counts.count)
                }
            }
        }
        return counts.sorted { ($0.value.count, $1.value.first) > ($1.value.count, $0.value.first) }
            .prefix(limit).map(\.key)
    }
}
