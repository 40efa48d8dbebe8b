import SquireCore
public import SquireTensor

/// A static embedding model: each token's vector read from a table, a sentence's embedding the
/// mean of its tokens' rows — model2vec's method, microseconds per sentence where the encoder
/// takes milliseconds.
///
/// ```swift
/// let fast = try StaticEmbedder(folder: "potion-base-8M")        // model2vec's format
/// let vectors = try await fast.embed(["where is my card?"])
/// ```
///
/// A sentence is embedded exactly as model2vec's `StaticModel.encode` does it: the text cut to
/// ``maximumScalars`` Unicode scalars, tokenized without special tokens and truncated to
/// ``maximumTokens``, `[UNK]` pieces dropped, the remaining rows averaged in token order and,
/// when ``normalizes``, scaled to unit length. A text with no known token (empty, whitespace,
/// only unknown characters) embeds as zeros, not NaN; ``knownTokenCount(of:)`` tells such
/// texts apart. model2vec rounds to float16 twice (the mean, then the unit vector) and returns
/// float16; Squire returns the float32 values of the same maths, equal to model2vec's float32
/// computation to 1e-5 (Documentation/SquireModels.md, "Static embeddings").
public struct StaticEmbedder: LocalEmbedder {
    /// Splits text into the table's token ids; adds no special tokens.
    public let tokenizer: WordPieceTokenizer
    /// `[V, D]`: row `i` is token `i`'s vector.
    public let table: Tensor
    /// Whether sentence vectors are scaled to unit length (model2vec's `normalize`).
    public let normalizes: Bool
    /// The most tokens of a text that count; later ones are cut.
    public let maximumTokens: Int
    /// The most Unicode scalars of a text that are tokenized: ``maximumTokens`` times the
    /// median token length, as model2vec cuts before tokenizing.
    public let maximumScalars: Int

    /// The width of every vector.
    public var dimension: Int { table.shape[1] }

    /// A model from its parts.
    ///
    /// - Throws: ``StaticModelError/mismatch(_:)`` when the table's rows are not the
    ///   tokenizer's ids, or the tokenizer adds special tokens (`[CLS]` would be averaged in).
    public init(table: Tensor, tokenizer: WordPieceTokenizer, normalizes: Bool = true, maximumTokens: Int = 512)
        throws
    {
        guard table.rank == 2, table.shape[1] > 0 else {
            throw StaticModelError.mismatch("the table must be [tokens, dimensions], not \(table.shape)")
        }
        guard table.shape[0] == tokenizer.vocabularySize else {
            throw StaticModelError.mismatch(
                "the table has \(table.shape[0]) rows but the tokenizer \(tokenizer.vocabularySize) tokens; they must be the same vocabulary"
            )
        }
        guard tokenizer.classifierID == nil else {
            throw StaticModelError.mismatch(
                "the tokenizer adds [CLS] and [SEP]; a static model's tokenizer adds no special tokens (no post-processor)"
            )
        }
        guard table.scalars.allSatisfy(\.isFinite) else {
            throw StaticModelError.mismatch("the table holds NaN or infinite values")
        }
        guard maximumTokens >= 1 else { throw StaticModelError.mismatch("maximumTokens must be at least 1") }
        self.table = table
        self.tokenizer = tokenizer
        self.normalizes = normalizes
        self.maximumTokens = maximumTokens
        maximumScalars = maximumTokens * Self.medianTokenLength(tokenizer)
    }

    /// The ids of `text` that are averaged: cut, tokenized, truncated, `[UNK]` dropped.
    public func tokenIDs(of text: String) -> [Int] {
        var workspace = EncodingWorkspace()
        encode(text, into: &workspace)
        let unknown = tokenizer.unknownID
        return workspace.ids.filter { $0 != unknown }
    }

    /// Tokenizes `text` as model2vec does — cut to ``maximumScalars``, no special tokens,
    /// truncated to ``maximumTokens`` — into `workspace` (`[UNK]` pieces still in).
    private func encode(_ text: String, into workspace: inout EncodingWorkspace) {
        tokenizer.encode(text, maximumLength: maximumTokens, scalarLimit: maximumScalars, into: &workspace)
    }

    /// How many of `text`'s tokens have a row; 0 means its embedding is all zeros.
    public func knownTokenCount(of text: String) -> Int { tokenIDs(of: text).count }

    /// One `[N, D]` tensor for `texts`, row `i` for `texts[i]`, spread over the cores.
    ///
    /// - Parameter progress: called after each batch of ``progressBatch`` texts with the
    ///   number embedded so far.
    /// - Throws: `CancellationError` when the surrounding task is cancelled, checked between
    ///   batches.
    public func embeddings(for texts: [String], progress: (_ done: Int) -> Void = { _ in }) throws -> Tensor {
        let width = dimension
        var output = [Float](repeating: 0, count: texts.count * width)
        var start = 0
        while start < texts.count {
            try Task.checkCancellation()
            let end = min(texts.count, start + Self.progressBatch)
            output.withUnsafeMutableBufferPointer { out in
                embed(texts[start..<end], into: out.baseAddress! + start * width)
            }
            start = end
            progress(start)
        }
        return try Tensor(shape: [texts.count, width], scalars: output)
    }

    public func embed(_ texts: [String]) async throws -> [[Float]] {
        let all = try embeddings(for: texts)
        let width = dimension
        return all.scalars.withUnsafeBufferPointer { scalars in
            (0..<texts.count).map { Array(scalars[($0 * width)..<(($0 + 1) * width)]) }
        }
    }

    /// How many texts are embedded between progress reports and cancellation checks: large
    /// enough that each batch is spread over the cores, small enough (a few milliseconds) to
    /// stop promptly.
    public static let progressBatch = 4096

    /// Embeds `texts` into consecutive rows from `destination`, the texts split across cores.
    /// Each core reuses one tokenizer workspace, so a text allocates nothing once the buffers
    /// have grown to the longest text.
    private func embed(_ texts: ArraySlice<String>, into destination: UnsafeMutablePointer<Float>) {
        let width = dimension
        let parts = min(ParallelParts.cores, max(1, texts.count / 64))
        let chunk = (texts.count + parts - 1) / parts
        let address = Int(bitPattern: destination)
        let first = texts.startIndex
        ParallelParts.run(parts) { part in
            let destination = UnsafeMutablePointer<Float>(bitPattern: address)!
            var workspace = EncodingWorkspace()
            for offset in (part * chunk)..<min(texts.count, (part + 1) * chunk) {
                encode(texts[first + offset], into: &workspace)
                workspace.ids.withUnsafeBufferPointer { ids in
                    embed(ids, into: destination + offset * width)
                }
            }
        }
    }

    /// Writes the mean (and normalized) row of the known ids among `ids` at `destination`;
    /// zeros when none is known.
    private func embed(_ ids: UnsafeBufferPointer<Int>, into destination: UnsafeMutablePointer<Float>) {
        let width = dimension
        let unknown = tokenizer.unknownID
        destination.initialize(repeating: 0, count: width)
        var count = 0
        table.scalars.withUnsafeBufferPointer { rows in
            // Summed in token order, in float32, as model2vec's numpy mean does.
            for id in ids where id != unknown {
                let row = rows.baseAddress! + id * width
                for j in 0..<width { destination[j] += row[j] }
                count += 1
            }
        }
        guard count > 0 else { return }
        var squares: Float = 0
        for j in 0..<width {
            destination[j] /= Float(count)
            squares += destination[j] * destination[j]
        }
        guard normalizes else { return }
        // model2vec divides by the norm plus 1e-32, so a zero mean stays zero.
        let norm = squares.squareRoot() + 1e-32
        for j in 0..<width { destination[j] /= norm }
    }

    /// model2vec's `median_token_length`: the median length, in Unicode scalars, of every token
    /// string (`##` prefixes and special tokens included), rounded down.
    static func medianTokenLength(_ tokenizer: WordPieceTokenizer) -> Int {
        // Python's len: Unicode scalars, not grapheme clusters.
        let lengths = (0..<tokenizer.vocabularySize).compactMap { tokenizer.token(for: $0)?.unicodeScalars.count }
            .sorted()
        guard !lengths.isEmpty else { return 1 }
        let middle = lengths.count / 2
        let median =
            lengths.count % 2 == 1 ? Double(lengths[middle]) : Double(lengths[middle - 1] + lengths[middle]) / 2
        return max(1, Int(median))
    }
}
