public import SquireTensor

/// Token id sequences and each one's label index: the batch of every classifier trained end
/// to end on text (a tiny transformer, a LoRA fine-tune).
public struct TokenBatch: Sendable {
    /// Token ids, `[CLS] … [SEP]`.
    public var sequences: [[Int]]
    /// The true label of each sequence.
    public var classIndices: [Int]
    /// `[B, K]` teacher probabilities to distill from; nil trains on the hard labels alone.
    public var teacherProbabilities: Tensor?
    /// How the teacher's probabilities and the hard labels are mixed.
    public var distillation: Distillation?

    /// Creates a batch; with `teacherProbabilities` and `distillation` the training loss is
    /// the distillation loss, otherwise cross-entropy.
    public init(
        sequences: [[Int]], classIndices: [Int], teacherProbabilities: Tensor? = nil, distillation: Distillation? = nil
    ) {
        self.sequences = sequences
        self.classIndices = classIndices
        self.teacherProbabilities = teacherProbabilities
        self.distillation = distillation
    }

    /// The training loss of `logits` (`[B, K]`) on this batch and its gradient: the
    /// distillation loss when the batch has a teacher's probabilities, else cross-entropy
    /// with `labelSmoothing` (ε in `0 ..< 1`).
    public func lossAndGradient(logits: Tensor, labelSmoothing: Float = 0) throws -> (loss: Double, gradient: Tensor) {
        if let teacherProbabilities, let distillation {
            return try distillation.lossAndGradient(
                logits: logits, teacherProbabilities: teacherProbabilities, classIndices: classIndices)
        }
        return try SoftmaxCrossEntropy.lossAndGradient(
            logits: logits, classIndices: classIndices, labelSmoothing: labelSmoothing)
    }

    /// Mean cross-entropy and accuracy of `logits` over the batch, computed `chunk` sequences
    /// at a time to bound memory.
    public func evaluate(chunk: Int, logits: ([[Int]]) throws -> Tensor) throws -> (loss: Double, accuracy: Double) {
        var totalLoss = 0.0
        var correct = 0
        for start in stride(from: 0, to: sequences.count, by: chunk) {
            let end = min(start + chunk, sequences.count)
            let scores = try logits(Array(sequences[start..<end]))
            let targets = Array(classIndices[start..<end])
            totalLoss +=
                try SoftmaxCrossEntropy.lossAndGradient(logits: scores, classIndices: targets).loss
                * Double(end - start)
            correct += zip(try scores.argmax(alongAxis: 1), targets).filter { $0 == $1 }.count
        }
        let count = Double(max(1, sequences.count))
        return (totalLoss / count, Double(correct) / count)
    }
}
