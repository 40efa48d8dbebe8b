extension WordPieceTokenizer {
    /// Encodes `text` as `[CLS] … [SEP]`, truncated to ``maximumLength`` tokens.
    public func encode(_ text: String) -> Encoding {
        encode(text, maximumLength: maximumLength)
    }

    /// Encodes `text` as `[CLS] … [SEP]` (or without them, for a tokenizer that adds none),
    /// truncated to `maximumLength` tokens, or not at all when nil.
    public func encode(_ text: String, maximumLength: Int?) -> Encoding {
        var workspace = EncodingWorkspace()
        encode(text, maximumLength: maximumLength, into: &workspace)
        let state = workspace.state
        return Encoding(ids: state.ids, offsets: state.offsets, truncatedTokenCount: workspace.truncatedTokenCount)
    }

    /// ``encode(_:maximumLength:)`` into `workspace`, whose buffers are reused from call to
    /// call: the ids end up in `workspace.ids`. Only the first `scalarLimit` Unicode scalars
    /// of `text` are read, as if the rest were cut off first. For hot loops (the static
    /// embedder) that would otherwise allocate several arrays per text.
    package func encode(
        _ text: String, maximumLength: Int?, scalarLimit: Int = .max, into workspace: inout EncodingWorkspace
    ) {
        workspace.state.reset()
        workspace.scalars.removeAll(keepingCapacity: true)
        for scalar in text.unicodeScalars {
            guard workspace.scalars.count < scalarLimit else { break }
            workspace.scalars.append(scalar)
        }
        let scalars = workspace.scalars
        if let classifierID {
            workspace.state.ids.append(classifierID)
            workspace.state.offsets.append(0..<0)
        }
        var segmentStart = 0
        var position = 0
        // Added tokens are found on the raw text first, leftmost and longest.
        while position < scalars.count {
            if addedTokenStarts.contains(scalars[position]), let match = addedToken(in: scalars, at: position) {
                tokenizeSegment(scalars, segmentStart..<position, into: &workspace.state)
                workspace.state.ids.append(match.id)
                workspace.state.offsets.append(position..<(position + match.length))
                position += match.length
                segmentStart = position
            } else {
                position += 1
            }
        }
        tokenizeSegment(scalars, segmentStart..<scalars.count, into: &workspace.state)

        workspace.truncatedTokenCount = 0
        let closing = separatorID == nil ? 0 : 1
        if let maximumLength, workspace.state.ids.count + closing > maximumLength {
            let truncated = workspace.state.ids.count + closing - maximumLength
            workspace.state.ids.removeLast(truncated)
            workspace.state.offsets.removeLast(truncated)
            workspace.truncatedTokenCount = truncated
        }
        if let separatorID {
            workspace.state.ids.append(separatorID)
            workspace.state.offsets.append(0..<0)
        }
    }

    /// Encodes every text and pads them to the longest, with an attention mask.
    public func encode(batch texts: [String]) -> BatchEncoding {
        let encodings = texts.map { encode($0) }
        let length = encodings.map(\.count).max() ?? 0
        return BatchEncoding(
            ids: encodings.map { $0.ids + Array(repeating: paddingID, count: length - $0.count) },
            attentionMask: encodings.map {
                Array(repeating: 1, count: $0.count) + Array(repeating: 0, count: length - $0.count)
            },
            encodings: encodings)
    }

    private func addedToken(in scalars: [Unicode.Scalar], at position: Int) -> (id: Int, length: Int)? {
        Self.longestAddedToken(addedTokens, in: scalars, at: position)
    }

    /// The first of `tokens` (sorted longest first) that `scalars` holds at `position`.
    private static func longestAddedToken(
        _ tokens: [(scalars: [Unicode.Scalar], id: Int)], in scalars: [Unicode.Scalar], at position: Int
    ) -> (id: Int, length: Int)? {
        for token in tokens where position + token.scalars.count <= scalars.count {
            var matches = true
            for (offset, scalar) in token.scalars.enumerated() where scalars[position + offset] != scalar {
                matches = false
                break
            }
            if matches { return (token.id, token.scalars.count) }
        }
        return nil
    }

    /// Normalizes, splits and word-pieces `scalars[range]`, appending tokens to `state`.
    private func tokenizeSegment(_ scalars: [Unicode.Scalar], _ range: Range<Int>, into state: inout EncodingState) {
        guard !range.isEmpty else { return }
        guard normalizedAddedTokens.isEmpty else {
            return tokenizeSegmentMatchingNormalizedTokens(scalars, range, into: &state)
        }
        var normalized = state.normalized
        // Taken out of `state` while `state` is written to, so that it is not copied.
        state.normalized = []
        defer { state.normalized = normalized }
        for origin in range {
            normalized.removeAll(keepingCapacity: true)
            normalizer.normalize(scalars[origin], into: &normalized)
            for scalar in normalized { preTokenize(scalar, origin: origin, into: &state) }
        }
        finishWord(&state)
    }

    /// ``tokenizeSegment(_:_:into:)`` for a tokenizer with normalized added tokens: the whole
    /// segment normalized first, since those tokens are found in the normalized text, leftmost
    /// and longest, anywhere (also inside a word: "xapple payy" is `x`, `apple pay`, `y`), as
    /// Hugging Face `tokenizers` finds them.
    private func tokenizeSegmentMatchingNormalizedTokens(
        _ scalars: [Unicode.Scalar], _ range: Range<Int>, into state: inout EncodingState
    ) {
        var normalized: [Unicode.Scalar] = []
        var origins: [Int] = []
        normalized.reserveCapacity(range.count)
        origins.reserveCapacity(range.count)
        for origin in range {
            let before = normalized.count
            normalizer.normalize(scalars[origin], into: &normalized)
            for _ in before..<normalized.count { origins.append(origin) }
        }
        var position = 0
        while position < normalized.count {
            if normalizedAddedTokenStarts.contains(normalized[position]),
                let match = Self.longestAddedToken(normalizedAddedTokens, in: normalized, at: position)
            {
                finishWord(&state)
                state.ids.append(match.id)
                state.offsets.append(origins[position]..<(origins[position + match.length - 1] + 1))
                position += match.length
            } else {
                preTokenize(normalized[position], origin: origins[position], into: &state)
                position += 1
            }
        }
        finishWord(&state)
    }

    /// BERT's pre-tokenizer on one normalized scalar: whitespace ends a word, punctuation and
    /// CJK characters are words of their own.
    @inline(__always)
    private func preTokenize(_ scalar: Unicode.Scalar, origin: Int, into state: inout EncodingState) {
        if BertNormalizer.isWhitespace(scalar) {
            finishWord(&state)
        } else if BertNormalizer.isPunctuation(scalar) || BertNormalizer.isChineseCharacter(scalar.value) {
            finishWord(&state)
            state.append(scalar, origin: origin)
            finishWord(&state)
        } else {
            state.append(scalar, origin: origin)
        }
    }

    /// Cuts the word in `state` into the longest vocabulary pieces, or one `[UNK]`.
    private func finishWord(_ state: inout EncodingState) {
        guard state.scalarCount > 0 else { return }
        defer { state.clearWord() }
        let wordRange = state.byteOrigin[0].lowerBound..<state.byteOrigin[state.bytes.count - 1].upperBound
        guard state.scalarCount <= maximumCharactersPerWord else {
            state.ids.append(unknownID)
            state.offsets.append(wordRange)
            return
        }
        let firstPiece = state.ids.count
        let complete: Bool = state.bytes.withUnsafeBufferPointer { bytes in
            var start = 0
            while start < bytes.count {
                let trie = start == 0 ? vocabulary.initial : vocabulary.continuation
                guard let match = trie.longestMatch(in: bytes, from: start) else { return false }
                state.ids.append(match.id)
                state.offsets.append(state.byteOrigin[start].lowerBound..<state.byteOrigin[match.end - 1].upperBound)
                start = match.end
            }
            return true
        }
        if !complete {
            state.ids.removeSubrange(firstPiece...)
            state.offsets.removeSubrange(firstPiece...)
            state.ids.append(unknownID)
            state.offsets.append(wordRange)
        }
    }

    /// The share of `text`'s word pieces that are `[UNK]`, without `[CLS]` and `[SEP]`; 0 for
    /// a text with no pieces. A rising rate is vocabulary drift: text the model cannot read.
    public func unknownTokenRate(of text: String) -> Double {
        let ids = encode(text).ids.dropFirst(classifierID == nil ? 0 : 1).dropLast(separatorID == nil ? 0 : 1)
        guard !ids.isEmpty else { return 0 }
        return Double(ids.filter { $0 == unknownID }.count) / Double(ids.count)
    }
}

/// Buffers for ``WordPieceTokenizer/encode(_:maximumLength:scalarLimit:into:)``, kept from
/// one text to the next so that encoding many texts allocates only while they grow.
package struct EncodingWorkspace {
    var state = EncodingState()
    var scalars: [Unicode.Scalar] = []
    /// How many tokens the last text lost to truncation.
    package var truncatedTokenCount = 0
    /// The last text's ids.
    package var ids: [Int] { state.ids }

    /// Empty buffers.
    package init() {}
}

/// The work in progress of one ``WordPieceTokenizer/encode(_:maximumLength:)`` call.
struct EncodingState {
    var ids: [Int] = []
    var offsets: [Range<Int>] = []
    /// One scalar's normalized form (lowercased, accents stripped: up to a few scalars).
    var normalized: [Unicode.Scalar] = []
    /// The current word's UTF-8 bytes, and for each byte the original scalar it came from.
    var bytes: [UInt8] = []
    var byteOrigin: [Range<Int>] = []
    var scalarCount = 0

    mutating func append(_ scalar: Unicode.Scalar, origin: Int) {
        let before = bytes.count
        if scalar.value < 0x80 {
            bytes.append(UInt8(scalar.value))
        } else {
            bytes.append(contentsOf: scalar.utf8)
        }
        for _ in before..<bytes.count { byteOrigin.append(origin..<(origin + 1)) }
        scalarCount += 1
    }

    mutating func clearWord() {
        bytes.removeAll(keepingCapacity: true)
        byteOrigin.removeAll(keepingCapacity: true)
        scalarCount = 0
    }

    /// Ready for the next text, keeping every buffer's capacity.
    mutating func reset() {
        ids.removeAll(keepingCapacity: true)
        offsets.removeAll(keepingCapacity: true)
        clearWord()
    }
}
