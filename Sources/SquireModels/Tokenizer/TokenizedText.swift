/// A text with its token ids, one line of `squire tokenize`'s output.
public struct TokenizedText: Sendable, Hashable, Codable {
    /// The text as given.
    public var text: String
    /// Its token ids, `[CLS]` and `[SEP]` included.
    public var ids: [Int]

    /// Creates a line.
    public init(text: String, ids: [Int]) {
        self.text = text
        self.ids = ids
    }
}
