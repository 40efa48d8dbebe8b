import Foundation
public import SquireTensor

/// The supervised contrastive loss (Khosla et al., 2020, the "out" form) on a batch of
/// unit-length embeddings: each row is pulled toward the other rows of its label and pushed
/// from the rest, through a softmax over its cosine similarities at a temperature.
///
/// For an anchor `i` with positives `P(i)` (the other rows of its label) and all other rows
/// `A(i)`, `ℓᵢ = −(1/|P(i)|) Σ_{p ∈ P(i)} log(exp(sᵢₚ/τ) / Σ_{a ∈ A(i)} exp(sᵢₐ/τ))`; the loss
/// is the mean over the anchors that have a positive. An anchor alone with its label in the
/// batch only serves as a negative.
public enum SupervisedContrastiveLoss {
    /// The loss and its gradient with respect to `embeddings` (`[B, D]`, rows of unit length).
    ///
    /// - Parameters:
    ///   - embeddings: `[B, D]`, each row L2-normalized (the similarities are dot products).
    ///   - classIndices: each row's label.
    ///   - temperature: τ > 0; smaller sharpens the softmax.
    /// - Returns: a zero loss and gradient when no row has a positive.
    public static func lossAndGradient(
        embeddings: Tensor, classIndices: [Int], temperature: Float
    ) throws -> (loss: Double, gradient: Tensor) {
        guard embeddings.rank == 2, embeddings.shape[0] == classIndices.count else {
            throw TensorError.invalidArgument(
                "the contrastive loss needs [B, D] embeddings for B labels; got \(embeddings.shape) for \(classIndices.count)"
            )
        }
        guard temperature > 0, temperature.isFinite else {
            throw TensorError.invalidArgument("the temperature must be positive, got \(temperature)")
        }
        let rows = classIndices.count
        let similarities = try Tensor.matmul(embeddings, embeddings, transposeB: true, alpha: 1 / temperature)
        var logits = similarities.scalars
        var positiveCounts = [Int](repeating: 0, count: rows)
        for i in 0..<rows {
            for j in 0..<rows where j != i && classIndices[j] == classIndices[i] { positiveCounts[i] += 1 }
        }
        let anchors = positiveCounts.filter { $0 > 0 }.count
        guard anchors > 0 else { return (0, try Tensor.zeros(embeddings.shape)) }
        // ∂ℓ/∂sᵢⱼ = (softmaxᵢ(j) − [j ∈ P(i)]/|P(i)|) / τ, averaged over the anchors.
        var loss = 0.0
        var gradient = [Float](repeating: 0, count: rows * rows)
        for i in 0..<rows where positiveCounts[i] > 0 {
            let base = i * rows
            var largest = -Float.infinity
            for j in 0..<rows where j != i { largest = max(largest, logits[base + j]) }
            var total = 0.0
            for j in 0..<rows where j != i {
                let e = exp(Double(logits[base + j] - largest))
                logits[base + j] = Float(e)
                total += e
            }
            let logTotal = Double(largest) + log(total)
            let share = 1 / Double(positiveCounts[i])
            for j in 0..<rows where j != i {
                var g = Double(logits[base + j]) / total
                if classIndices[j] == classIndices[i] {
                    loss -= share * (Double(similarities.scalars[base + j]) - logTotal)
                    g -= share
                }
                gradient[base + j] = Float(g / Double(temperature) / Double(anchors))
            }
        }
        // s = Z Zᵀ, so ∂ℓ/∂Z = (G + Gᵀ) Z.
        var symmetric = gradient
        for i in 0..<rows {
            for j in 0..<rows { symmetric[i * rows + j] = gradient[i * rows + j] + gradient[j * rows + i] }
        }
        let embeddingGradient = try Tensor.matmul(Tensor(shape: [rows, rows], scalars: symmetric), embeddings)
        return (loss / Double(anchors), embeddingGradient)
    }
}
