import SquireEval
public import SquireModels

extension EmbeddedText {
    /// One embedding per text from a JSON Lines file as `squire embed` writes it, in the
    /// order of `texts`; a line's `"text"`, when present, must be that text.
    ///
    /// - Throws: ``DatasetError`` naming the file and line: a count that differs from the
    ///   texts', a line for another text, a line without an `"embedding"` list of numbers.
    public static func vectors(from path: String, for texts: [String]) throws -> [[Double]] {
        struct Line: Decodable {
            var text: String?
            var embedding: [Double]
        }
        let lines = try JSONLines.read(Line.self, from: path, expecting: "expected {\"embedding\": [numbers]}")
        guard lines.count == texts.count else {
            throw DatasetError(
                source: path,
                reason: "has \(lines.count) embeddings for \(texts.count) examples; embed the dataset's texts in order")
        }
        return try lines.enumerated().map { index, entry in
            if let text = entry.value.text, text != texts[index] {
                throw DatasetError(
                    source: path, line: entry.line,
                    reason: "the embedding is of another text than example \(index + 1)'s")
            }
            return entry.value.embedding
        }
    }
}
