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

    /// Creates the layer from its tables, checking that they share one width.
    public init(words: Tensor, positions: Tensor, tokenTypes: Tensor, norm: LayerNorm) throws {
        let width = words.shape.last ?? 0
        for (name, table) in [("positions", positions), ("token types", tokenTypes)]
        where table.rank != 2 || table.shape[1] != width || words.rank != 2 {
            throw TensorError.shapeMismatch("BertEmbeddings (words vs \(name))", words.shape, table.shape)
        }
        (self.words, self.positions, self.tokenTypes, self.norm) = (words, positions, tokenTypes, norm)
    }

    /// The tables and the layer norm under their checkpoint keys relative to `embeddings`:
    /// `word_embeddings.weight`, `position_embeddings.weight`, `token_type_embeddings.weight`,
    /// `LayerNorm.weight` (gamma) and `LayerNorm.bias` (beta).
    public var parameters: NamedTensors {
        var parameters = NamedTensors()
        parameters["word_embeddings.weight"] = words
        parameters["position_embeddings.weight"] = positions
        parameters["token_type_embeddings.weight"] = tokenTypes
        parameters["LayerNorm.weight"] = norm.gamma
        parameters["LayerNorm.bias"] = norm.beta
        return parameters
    }

    /// The same layer with the tensors of `replacements` in place of the parameters under the
    /// same keys (relative, as in ``parameters``); the others stay.
    ///
    /// - Throws: ``NamedTensorsError`` for an unknown key or a tensor of another shape.
    public func replacingParameters(_ replacements: NamedTensors) throws -> BertEmbeddings {
        let parameters = try parameters.replacingTensors(with: replacements, context: "BertEmbeddings")
        return try BertEmbeddings(
            words: parameters.tensor(forKey: "word_embeddings.weight"),
            positions: parameters.tensor(forKey: "position_embeddings.weight"),
            tokenTypes: parameters.tensor(forKey: "token_type_embeddings.weight"),
            norm: LayerNorm(
                gamma: parameters.tensor(forKey: "LayerNorm.weight"), beta: parameters.tensor(forKey: "LayerNorm.bias"),
                epsilon: norm.epsilon))
    }

    /// `[N, D]` for the packed tokens of `sequences`, each sequence's positions counted from 0:
    /// the layer's one forward pass. For inference `training` is nil and there is no cache; in
    /// training the cache is what ``backward(_:cache:parametersWhere:)`` needs. The layer has no
    /// randomness of its own.
    public func forward(_ sequences: [[Int]], training: inout SeededGenerator?) throws -> (
        output: Tensor, cache: Cache?
    ) {
        let words = try self.words.gatheringRows(at: sequences.flatMap { $0 })
        let positions = try self.positions.gatheringRows(at: sequences.flatMap { Array(0..<$0.count) })
        let typeZero = try tokenTypes.rows(0..<1).reshaped(to: [tokenTypes.shape[1]])
        let sum = try words + positions + typeZero
        return (try norm.forward(sum), training == nil ? nil : Cache(sequences: sequences, sum: sum))
    }

    /// ``forward(_:training:)`` for inference.
    public func forward(_ sequences: [[Int]]) throws -> Tensor {
        var inference: SeededGenerator? = nil
        return try forward(sequences, training: &inference).output
    }
}

extension BertEmbeddings {
    /// What ``backward(_:cache:parametersWhere:)`` needs: the token ids and the sum before the layer norm.
    public struct Cache: Sendable {
        let sequences: [[Int]]
        let sum: Tensor
    }

    /// The gradients of the parameters whose keys (as in ``parameters``) `selected` accepts,
    /// under those keys in ``parameters`` order, from `∂L/∂output`, `[N, D]`.
    ///
    /// Tables get the output gradient scattered into the rows the forward pass read;
    /// every token is type 0, so only the first token-type row gets a gradient.
    public func backward(
        _ outputGradient: Tensor, cache: Cache, parametersWhere selected: (String) -> Bool = { _ in true }
    ) throws -> NamedTensors {
        let normGradients = try norm.backward(outputGradient, input: cache.sum)
        let sumGradient = normGradients.input
        var gradients = NamedTensors()
        if selected("word_embeddings.weight") {
            gradients["word_embeddings.weight"] = try sumGradient.scatterAddingRows(
                at: cache.sequences.flatMap { $0 }, rowCount: words.shape[0])
        }
        if selected("position_embeddings.weight") {
            gradients["position_embeddings.weight"] = try sumGradient.scatterAddingRows(
                at: cache.sequences.flatMap { Array(0..<$0.count) }, rowCount: positions.shape[0])
        }
        if selected("token_type_embeddings.weight") {
            gradients["token_type_embeddings.weight"] = try sumGradient.scatterAddingRows(
                at: [Int](repeating: 0, count: sumGradient.shape[0]), rowCount: tokenTypes.shape[0])
        }
        if selected("LayerNorm.weight") { gradients["LayerNorm.weight"] = normGradients.gamma }
        if selected("LayerNorm.bias") { gradients["LayerNorm.bias"] = normGradients.beta }
        return gradients
    }
}
