public import SquireTensor

/// How a model did on one held-out fold: the figures a hyperparameter candidate is compared on.
public struct FoldScore: Sendable, Hashable, Codable {
    /// The share of held-out examples whose top logit is their label.
    public var accuracy: Double
    /// The mean over labels of each label's F1, over the labels that are true or predicted
    /// in the fold (scikit-learn's `f1_score(average="macro")`).
    public var macroF1: Double
    /// The mean negative log-likelihood of the labels under the softmax of the logits.
    public var logLoss: Double

    /// Creates a score from its figures.
    public init(accuracy: Double, macroF1: Double, logLoss: Double) {
        self.accuracy = accuracy
        self.macroF1 = macroF1
        self.logLoss = logLoss
    }

    /// Scores `[N, K]` held-out logits against each row's label index.
    public init(logits: Tensor, classIndices: [Int]) throws {
        guard logits.rank == 2, logits.shape[0] == classIndices.count, !classIndices.isEmpty else {
            throw TrainingError.shapeMismatch(
                "a fold score needs [N, K] logits for N > 0 labels; got shape \(logits.shape) for \(classIndices.count)"
            )
        }
        let width = logits.shape[1]
        let predicted = try logits.argmax(alongAxis: 1)
        let logProbabilities = try logits.logSoftmax()
        var loss = 0.0
        var truePositives = [Int](repeating: 0, count: width)
        var trueCounts = truePositives
        var predictedCounts = truePositives
        for (row, label) in classIndices.enumerated() {
            loss -= Double(logProbabilities.scalars[row * width + label])
            trueCounts[label] += 1
            predictedCounts[predicted[row]] += 1
            if predicted[row] == label { truePositives[label] += 1 }
        }
        // F1 = 2·TP / (2·TP + FP + FN) = 2·TP / (true + predicted), over labels that occur.
        let present = (0..<width).filter { trueCounts[$0] + predictedCounts[$0] > 0 }
        let f1 = present.map { 2 * Double(truePositives[$0]) / Double(trueCounts[$0] + predictedCounts[$0]) }
        accuracy = Double(truePositives.reduce(0, +)) / Double(classIndices.count)
        macroF1 = f1.reduce(0, +) / Double(present.count)
        logLoss = loss / Double(classIndices.count)
    }

    /// The figure `metric` reads.
    public subscript(metric: SelectionMetric) -> Double {
        switch metric {
        case .accuracy: accuracy
        case .macroF1: macroF1
        case .logLoss: logLoss
        }
    }

    private enum CodingKeys: String, CodingKey {
        case accuracy
        case macroF1 = "macro_f1"
        case logLoss = "log_loss"
    }
}
