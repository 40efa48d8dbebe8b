import SquireTensor
import Testing

/// Keeps the example in Documentation/SquireTensor.md compiling and true; edit both together.
@Suite struct DocumentationExampleTests {
    @Test func linearLayerAndAttentionScores() throws {
        var generator = SeededGenerator(seed: 42)  // same numbers on every platform
        let x = try Tensor.normal([2, 5, 8], using: &generator)  // [B, T, D]
        let weight = try Tensor.xavierUniform([12, 8], using: &generator)  // [out, in]
        let bias = try Tensor.zeros([12])

        // [B, T, D] · [out, in]ᵀ folds B and T into rows: one sgemm call.
        let projected = try Tensor.matmul(x, weight, transposeB: true) + bias  // [2, 5, 12]
        let activated = projected.gelu()  // BERT's erf GELU

        // Split 12 features into H = 3 heads of Dh = 4 and move heads before tokens.
        let heads = try activated.reshaped(to: [2, 5, 3, 4]).permuted([0, 2, 1, 3])  // [B, H, T, Dh]
        let scores = try Tensor.matmul(heads, heads, transposeB: true, alpha: 0.5)  // [B, H, T, T], scaled by 1/√Dh
        let attention = try scores.softmax()  // rows sum to 1

        #expect(projected.shape == [2, 5, 12])
        #expect(attention.shape == [2, 3, 5, 5])
        for total in try attention.sum(alongAxis: 3).scalars { #expect(abs(total - 1) < 1e-5) }
    }
}
