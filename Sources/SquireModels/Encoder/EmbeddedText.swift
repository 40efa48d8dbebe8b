/// A text with its sentence embedding, one line of `squire embed`'s output.
public struct EmbeddedText: Sendable, Hashable, Codable {
    /// The text as given.
    public var text: String
    /// Its embedding, `[D]`.
    public var embedding: [Float]

    /// Creates a line.
    public init(text: String, embedding: [Float]) {
        self.text = text
        self.embedding = embedding
    }
}
