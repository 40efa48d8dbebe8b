import SquireTensor

/// Distils a ``StaticEmbedder`` from a sentence encoder, as model2vec 0.10's `distill` does:
/// every vocabulary token run through the encoder once, reduced by PCA, weighted by rank.
///
/// ```swift
/// let encoder = try SentenceEmbedder(folder: ModelFolder.allMiniLML6V2)
/// let fast = try StaticDistillation(dimensions: 256).distill(from: encoder)
/// try fast.save(to: "minilm-static")
/// ```
///
/// 1. **Vocabulary**: the encoder's tokenizer without `[unusedN]` tokens and without added
///    tokens other than `[PAD]` and `[UNK]`, renumbered in order.
/// 2. **Vocabulary pass**: each token fed as `[CLS] token [SEP]`; its row is the mean of the
///    three final hidden states (not the pooled, normalized sentence vector).
/// 3. **PCA** to ``dimensions``: centred on the mean row, the covariance's leading
///    eigenvectors (LAPACK `ssyevd`), not whitened, each component's sign chosen so that its
///    largest-magnitude score is positive — which makes the result deterministic.
/// 4. **Weighting**: row `i` times `sif / (sif + p_i)`, `p_i ∝ 1 / (i + 2)` (Zipf by token id,
///    standing in for token frequency), then rounded to float16, as model2vec stores it.
///
/// With an ``extraVocabulary`` (model2vec's `vocabulary=`), its new words get the ids after
/// the vocabulary's — one-piece words as WordPiece tokens, several-piece ones (`apple pay`,
/// `top-up`) as added tokens — and rows from the encoder reading each word's own pieces, then
/// the same PCA and weighting (they rank last, so they are weighted up most):
///
/// ```swift
/// let words = encoder.tokenizer.missingWords(in: corpus, limit: 1000)
/// let fast = try StaticDistillation(extraVocabulary: words).distill(from: encoder)
/// ```
public struct StaticDistillation: Sendable {
    /// The width of the table; at most the encoder's.
    public var dimensions: Int
    /// model2vec's `sif_coefficient`: smaller values weigh frequent (low-id) tokens down more.
    public var sifCoefficient: Double
    /// Tokens per encoder call in the vocabulary pass.
    public var batchSize: Int
    /// Words to add to the vocabulary (model2vec's `vocabulary=`), in order; empty by default.
    /// Each is normalized and pre-tokenized as the tokenizer does; those already a token,
    /// repeated or empty are skipped. Its row is the mean of the encoder's final hidden states
    /// over `[CLS] pieces [SEP]` padded with `[PAD]` to the base `tokenizer.json`'s fixed
    /// padding length (128 for all-MiniLM-L6-v2), every position attended — model2vec's
    /// quirk, reproduced for parity.
    public var extraVocabulary: [String]

    /// Settings; the defaults are model2vec's.
    public init(
        dimensions: Int = 256, sifCoefficient: Double = 1e-4, batchSize: Int = 256, extraVocabulary: [String] = []
    ) {
        self.dimensions = dimensions
        self.sifCoefficient = sifCoefficient
        self.batchSize = batchSize
        self.extraVocabulary = extraVocabulary
    }

    /// The static model of `encoder`. `progress` gets the tokens done and the total after
    /// each batch of the vocabulary pass, which is most of the time.
    public func distill(
        from encoder: SentenceEmbedder, progress: (_ done: Int, _ total: Int) -> Void = { _, _ in }
    ) throws -> StaticEmbedder {
        guard dimensions >= 1, sifCoefficient > 0, sifCoefficient.isFinite, batchSize >= 1 else {
            throw StaticModelError.invalidSetting("dimensions and batch size ≥ 1, a positive SIF coefficient")
        }
        let base = encoder.tokenizer
        guard let classifier = base.classifierID, let separator = base.separatorID else {
            throw StaticModelError.mismatch("the encoder's tokenizer adds no [CLS] and [SEP] to feed tokens with")
        }
        let (tokenizer, baseIDs, addedTokens) = try base.staticVocabulary(adding: extraVocabulary)
        let sequences =
            baseIDs.map { [classifier, $0, separator] }
            + (try base.staticVocabularyPassIDs(
                for: addedTokens, maximumLength: encoder.encoder.configuration.maximumPositions))
        let hidden = encoder.dimension
        let count = sequences.count
        var rows = [Float](repeating: 0, count: count * hidden)
        for start in stride(from: 0, to: count, by: batchSize) {
            try Task.checkCancellation()
            let (states, ranges) = try encoder.encoder.hiddenStates(
                for: Array(sequences[start..<min(start + batchSize, count)]))
            states.scalars.withUnsafeBufferPointer { values in
                for (offset, range) in ranges.enumerated() {
                    let row = (start + offset) * hidden
                    for position in range {
                        for j in 0..<hidden { rows[row + j] += values[position * hidden + j] }
                    }
                    let size = Float(range.count)
                    for j in 0..<hidden { rows[row + j] /= size }
                }
            }
            progress(min(start + batchSize, count), count)
        }
        let reduced = try Self.principalComponents(
            try Tensor(shape: [count, hidden], scalars: rows), min(dimensions, hidden))
        let width = reduced.shape[1]
        let weights = Self.weights(count: count, sifCoefficient: sifCoefficient)
        var scalars = reduced.scalars
        for i in 0..<count {
            for j in 0..<width {
                scalars[i * width + j] = Float(Float16(Float(Double(scalars[i * width + j]) * weights[i])))
            }
        }
        return try StaticEmbedder(
            table: try Tensor(shape: [count, width], scalars: scalars), tokenizer: tokenizer, normalizes: true,
            maximumTokens: 512)
    }

    /// Scores of `x`'s rows on its `k` leading principal components, each component's sign
    /// set so that its largest-magnitude score is positive.
    static func principalComponents(_ x: Tensor, _ k: Int) throws -> Tensor {
        let (n, d) = (x.shape[0], x.shape[1])
        var mean = [Float](repeating: 0, count: d)
        x.scalars.withUnsafeBufferPointer { values in
            for i in 0..<n { for j in 0..<d { mean[j] += values[i * d + j] } }
        }
        for j in 0..<d { mean[j] /= Float(n) }
        var centred = x.scalars
        for i in 0..<n { for j in 0..<d { centred[i * d + j] -= mean[j] } }
        let xc = try Tensor(shape: [n, d], scalars: centred)
        let covariance = try Tensor.matmul(xc, xc, transposeA: true, alpha: 1 / Float(max(n - 1, 1)))
        let decomposition = try covariance.symmetricEigendecomposition()
        // Eigenvalues ascend: the leading components are the last columns.
        let vectors = decomposition.eigenvectors  // [d, d], one eigenvector per column
        var components = [Float](repeating: 0, count: d * k)
        for c in 0..<k {
            let column = d - 1 - c
            for j in 0..<d { components[j * k + c] = vectors.scalars[j * d + column] }
        }
        var scores = try Tensor.matmul(xc, try Tensor(shape: [d, k], scalars: components)).scalars
        for c in 0..<k {
            var largest = 0
            for i in 0..<n where abs(scores[i * k + c]) > abs(scores[largest * k + c]) { largest = i }
            if scores[largest * k + c] < 0 { for i in 0..<n { scores[i * k + c] = -scores[i * k + c] } }
        }
        return try Tensor(shape: [n, k], scalars: scores)
    }

    /// model2vec's SIF weights by token id: `sif / (sif + p_i)`, `p_i = (1/(i+2)) / Σ_j 1/(j+2)`.
    static func weights(count: Int, sifCoefficient: Double) -> [Double] {
        let inverse = (0..<count).map { 1 / Double($0 + 2) }
        let total = inverse.reduce(0, +)
        return inverse.map { sifCoefficient / (sifCoefficient + $0 / total) }
    }
}
