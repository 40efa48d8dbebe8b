public import SquireTensor

/// The classification loss: softmax over logits, then the weighted mean negative
/// log-likelihood of the true labels — `Σᵢ wᵢ · −log pᵢ[yᵢ] / Σᵢ wᵢ`.
public enum SoftmaxCrossEntropy {
    /// The loss and `∂loss/∂logits` (`[B, K]`, `(p − onehot(y)) · wᵢ / Σ w`).
    ///
    /// - Parameters:
    ///   - logits: `[B, K]`.
    ///   - classIndices: the true label of each row.
    ///   - weights: each row's weight; nil weighs every row 1.
    public static func lossAndGradient(logits: Tensor, classIndices: [Int], weights: [Float]? = nil) throws -> (loss: Double, gradient: Tensor) {
        guard logits.rank == 2, logits.shape[0] == classIndices.count, weights.map({ $0.count == classIndices.count }) ?? true else {
            throw TensorError.invalidArgument("cross-entropy needs [B, K] logits for B labels; got \(logits.shape) for \(classIndices.count)")
        }
        let (rows, width) = (logits.shape[0], logits.shape[1])
        if let bad = classIndices.first(where: { $0 < 0 || $0 >= width }) {
            throw TensorError.invalidArgument("label index \(bad) is outside \(width) logits")
        }
        let logProbabilities = try logits.logSoftmax()
        var gradient = logProbabilities.exp()
        let total = Double(weights?.reduce(0, +) ?? Float(rows))
        var loss = 0.0
        gradient.withUnsafeMutableBufferPointer { g in
            logProbabilities.withUnsafeBufferPointer { logP in
                for row in 0..<rows {
                    let weight = Double(weights?[row] ?? 1)
                    let scale = Float(weight / total)
                    loss -= weight * Double(logP[row * width + classIndices[row]])
                    for j in 0..<width { g[row * width + j] *= scale }
                    g[row * width + classIndices[row]] -= scale
                }
            }
        }
        return (loss / total, gradient)
    }
}
