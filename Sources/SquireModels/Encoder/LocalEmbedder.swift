public import SquireCore
public import SquireTensor

/// An embedder that runs in this process and hands its vectors over as one tensor: what a
/// head is trained on and reads. Two kinds exist — ``SentenceEmbedder``, a transformer
/// (milliseconds a sentence), and ``StaticEmbedder``, a table (microseconds) — and an
/// ``EmbeddingClassifier`` holds either.
///
/// ```swift
/// let base = try ModelFolder.embedder(at: folder)     // a static model or an encoder
/// let vectors = try base.embeddings(for: ["where is my card?"])
/// ```
public protocol LocalEmbedder: TextEmbedder {
    /// Splits text into the ids the model reads.
    var tokenizer: WordPieceTokenizer { get }
    /// The most tokens of a text that count; later ones are cut.
    var maximumTokens: Int { get }

    /// The embeddings of `texts` as one `[N, D]` tensor, row `i` for `texts[i]`, computed
    /// before returning (on the calling thread and, where the model spreads work, the cores).
    ///
    /// - Parameter progress: called after each batch with the number of texts embedded so far.
    /// - Throws: `CancellationError` when the surrounding task is cancelled, checked between batches.
    func embeddings(for texts: [String], progress: (_ done: Int) -> Void) throws -> Tensor
}

extension LocalEmbedder {
    /// The embeddings of `texts` as one `[N, D]` tensor, without progress reports.
    public func embeddings(for texts: [String]) throws -> Tensor {
        try embeddings(for: texts, progress: { _ in })
    }
}
