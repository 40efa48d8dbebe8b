public import SquireTensor

/// The classification loss: softmax over logits, then the weighted mean negative
/// log-likelihood of the true labels — `Σᵢ wᵢ · −log pᵢ[yᵢ] / Σᵢ wᵢ`.
///
/// With label smoothing ε each row's target is `(1 − ε) · onehot(y) + ε / K` instead of
/// `onehot(y)`, as torch's `CrossEntropyLoss(label_smoothing:)` defines it.
public enum SoftmaxCrossEntropy {
    /// The loss and `∂loss/∂logits` (`[B, K]`, `(p − target) · wᵢ / Σ w`).
    ///
    /// - Parameters:
    ///   - logits: `[B, K]`.
    ///   - classIndices: the true label of each row.
    ///   - weights: each row's weight; nil weighs every row 1.
    ///   - labelSmoothing: ε in `0 ..< 1`; 0 is the plain negative log-likelihood.
    public static func lossAndGradient(
        logits: Tensor, classIndices: [Int], weights: [Float]? = nil, labelSmoothing: Float = 0
    ) throws -> (loss: Double, gradient: Tensor) {
        guard logits.rank == 2, logits.shape[0] == classIndices.count,
            weights.map({ $0.count == classIndices.count }) ?? true
        else {
            throw TensorError.invalidArgument(
                "cross-entropy needs [B, K] logits for B labels; got \(logits.shape) for \(classIndices.count)")
        }
        guard labelSmoothing >= 0, labelSmoothing < 1 else {
            throw TensorError.invalidArgument("label smoothing must be in 0 ..< 1, got \(labelSmoothing)")
        }
        let (rows, width) = (logits.shape[0], logits.shape[1])
        if let bad = classIndices.first(where: { $0 < 0 || $0 >= width }) {
            throw TensorError.invalidArgument("label index \(bad) is outside \(width) logits")
        }
        let logProbabilities = try logits.logSoftmax()
        var gradient = logProbabilities.exp()
        let total = Double(weights?.reduce(0, +) ?? Float(rows))
        let spread = Double(labelSmoothing) / Double(width)
        let truth = 1 - Double(labelSmoothing)
        let (spreadFloat, truthFloat) = (Float(spread), Float(truth))
        var loss = 0.0
        gradient.withUnsafeMutableBufferPointer { g in
            logProbabilities.withUnsafeBufferPointer { logP in
                for row in 0..<rows {
                    let weight = Double(weights?[row] ?? 1)
                    let scale = Float(weight / total)
                    var rowLoss = -truth * Double(logP[row * width + classIndices[row]])
                    for j in 0..<width {
                        if spread > 0 { rowLoss -= spread * Double(logP[row * width + j]) }
                        g[row * width + j] = (g[row * width + j] - spreadFloat) * scale
                    }
                    g[row * width + classIndices[row]] -= truthFloat * scale
                    loss += weight * rowLoss
                }
            }
        }
        return (loss / total, gradient)
    }
}
