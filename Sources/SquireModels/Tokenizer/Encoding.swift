/// One text as token ids, with where each token came from.
public struct Encoding: Sendable, Hashable {
    /// Token ids, `[CLS]` and `[SEP]` included.
    public var ids: [Int]
    /// For each token, the Unicode scalar offsets in the original text it was made from,
    /// as Hugging Face `tokenizers` reports them; empty (`0..<0`) for `[CLS]` and `[SEP]`.
    public var offsets: [Range<Int>]
    /// How many tokens were cut off by truncation.
    public var truncatedTokenCount: Int

    /// The number of tokens.
    public var count: Int { ids.count }
}

/// Several encodings padded to one length, ready for the encoder.
public struct BatchEncoding: Sendable, Hashable {
    /// `[B][T]` token ids, padded on the right with the padding id.
    public var ids: [[Int]]
    /// `[B][T]`: 1 for a real token, 0 for padding.
    public var attentionMask: [[Int]]
    /// The unpadded encodings, in input order.
    public var encodings: [Encoding]

    /// The padded length T.
    public var length: Int { ids.first?.count ?? 0 }
}
