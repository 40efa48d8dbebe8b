public import SquireTensor

/// BERT's input layer: word + position + token-type embeddings, then a layer norm.
public struct BertEmbeddings: Sendable {
    /// `[V, D]`.
    public var words: Tensor
    /// `[maximumPositions, D]`.
    public var positions: Tensor
    /// `[tokenTypeCount, D]`; every token here is type 0.
    public var tokenTypes: Tensor
    /// Applied to the sum.
    public var norm: LayerNorm

    /// `[N, D]` for the packed tokens of `sequences`, each sequence's positions counted from 0.
    public func forward(_ sequences: [[Int]]) throws -> Tensor {
        let words = try self.words.gatheringRows(at: sequences.flatMap { $0 })
        let positions = try self.positions.gatheringRows(at: sequences.flatMap { Array(0..<$0.count) })
        let typeZero = try tokenTypes.rows(0..<1).reshaped(to: [tokenTypes.shape[1]])
        return try norm.forward(words + positions + typeZero)
    }
}
