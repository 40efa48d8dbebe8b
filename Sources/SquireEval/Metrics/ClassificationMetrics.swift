import Foundation
import SquireCore

/// Every quality figure of one set of answers, computed as scikit-learn computes it.
///
/// Failed calls are not answers: they are counted in ``failures`` and left out of every
/// other figure (gate on the failure rate to make them count). Labels are the sorted union
/// of expected and predicted labels, as scikit-learn's default. Figures that need
/// probabilities (top-k, log loss, Brier) are `nil` unless every answer carries them.
public struct ClassificationMetrics: Sendable, Hashable, Codable {
    /// Examples evaluated, failures included.
    public var count: Int
    /// Examples whose call failed.
    public var failures: Int
    /// The share of answers that are correct.
    public var accuracy: Double
    /// Precision, recall, F1 and support per label, in label order.
    public var perClass: [ClassMetrics]
    /// Unweighted mean over labels.
    public var macro: ClassMetrics
    /// Computed from the pooled counts; equals accuracy for single-label answers.
    public var micro: ClassMetrics
    /// Mean over labels weighted by support.
    public var weighted: ClassMetrics
    /// Expected against predicted labels.
    public var confusionMatrix: ConfusionMatrix
    /// Whether the expected label is among the `k` most probable, for k = 2, 3, 5 below the label count.
    public var topKAccuracy: [TopKAccuracy]?
    /// Mean negative log-probability of the expected label, probabilities clipped to [ε, 1 − ε].
    public var logLoss: Double?
    /// Mean over answers of Σ over labels (p − y)², in [0, 2] (`brier_score_loss(scale_by_half=False)`).
    public var brierScore: Double?
    /// Expected calibration error over ``reliability``: Σ (n_b / n) |accuracy_b − confidence_b|.
    public var expectedCalibrationError: Double
    /// Equal-width confidence bins (15 unless asked otherwise).
    public var reliability: [ReliabilityBin]
    /// Accuracy and coverage at every distinct confidence, most confident first.
    public var selective: [SelectivePoint]
    /// Area under the risk–coverage curve: the mean, over coverages 1/n … n/n, of the
    /// error rate of the most confident answers (ties kept together). Lower is better.
    public var areaUnderRiskCoverage: Double
    /// Out-of-scope detection, when an out-of-scope label is named and both kinds occur.
    public var outOfScope: OutOfScopeDetection?

    /// Accuracy among the `k` most probable labels.
    public struct TopKAccuracy: Sendable, Hashable, Codable {
        /// How many of the most probable labels count.
        public var k: Int
        /// The share of answers whose expected label is among them.
        public var accuracy: Double
    }

    /// Computes every figure over `predictions`.
    ///
    /// - Parameters:
    ///   - outOfScopeLabel: the label that marks requests the model should refuse, if any.
    ///   - bins: the number of equal-width reliability bins.
    public init(predictions: [Prediction], outOfScopeLabel: String? = nil, bins: Int = 15) {
        let answered = predictions.compactMap { prediction in
            prediction.classification.map { (prediction.expected, $0) }
        }
        count = predictions.count
        failures = predictions.count - answered.count
        let expected = answered.map(\.0)
        let predicted = answered.map(\.1.label)
        confusionMatrix = ConfusionMatrix(pairs: zip(expected, predicted))
        let n = answered.count
        accuracy = n == 0 ? 0 : Double(confusionMatrix.correct) / Double(n)

        let matrix = confusionMatrix.counts
        perClass = confusionMatrix.labels.enumerated().map { i, label in
            let truePositives = matrix[i][i]
            let support = matrix[i].reduce(0, +)
            let predictedCount = matrix.reduce(0) { $0 + $1[i] }
            return ClassMetrics(
                label: label,
                precision: Self.ratio(truePositives, predictedCount),
                recall: Self.ratio(truePositives, support),
                f1: Self.ratio(2 * truePositives, support + predictedCount),
                support: support)
        }
        let classes = Double(max(perClass.count, 1))
        macro = ClassMetrics(
            label: "macro",
            precision: perClass.reduce(0) { $0 + $1.precision } / classes,
            recall: perClass.reduce(0) { $0 + $1.recall } / classes,
            f1: perClass.reduce(0) { $0 + $1.f1 } / classes,
            support: n)
        micro = ClassMetrics(label: "micro", precision: accuracy, recall: accuracy, f1: accuracy, support: n)
        let totalSupport = Double(max(n, 1))
        weighted = ClassMetrics(
            label: "weighted",
            precision: perClass.reduce(0) { $0 + $1.precision * Double($1.support) } / totalSupport,
            recall: perClass.reduce(0) { $0 + $1.recall * Double($1.support) } / totalSupport,
            f1: perClass.reduce(0) { $0 + $1.f1 * Double($1.support) } / totalSupport,
            support: n)

        let scored = n > 0 && answered.allSatisfy { !$0.1.probabilities.isEmpty }
        if scored {
            let labels = Set(confusionMatrix.labels).union(answered.flatMap(\.1.probabilities.keys)).sorted()
            topKAccuracy = [2, 3, 5].filter { $0 < labels.count }.map { k in
                let hits = answered.filter { truth, answer in
                    let p = answer.probabilities[truth] ?? 0
                    return answer.probabilities.values.filter { $0 > p }.count < k
                }.count
                return TopKAccuracy(k: k, accuracy: Double(hits) / Double(n))
            }
            let epsilon = Double.ulpOfOne
            logLoss =
                answered.reduce(0) { sum, pair in
                    sum - Foundation.log(min(max(pair.1.probabilities[pair.0] ?? 0, epsilon), 1 - epsilon))
                } / Double(n)
            brierScore =
                answered.reduce(0) { sum, pair in
                    sum
                        + labels.reduce(0) { inner, label in
                            let difference = (pair.1.probabilities[label] ?? 0) - (label == pair.0 ? 1 : 0)
                            return inner + difference * difference
                        }
                } / Double(n)
        }

        let outcomes = answered.map { (confidence: $0.1.confidence, correct: $0.0 == $0.1.label) }
        reliability = Self.reliabilityBins(outcomes, count: max(1, bins))
        expectedCalibrationError =
            n == 0
            ? 0 : reliability.reduce(0) { $0 + Double($1.count) / Double(n) * abs($1.accuracy - $1.meanConfidence) }
        (selective, areaUnderRiskCoverage) = Self.riskCoverage(outcomes)
        outOfScope = outOfScopeLabel.flatMap { Self.outOfScopeDetection(answered, label: $0) }
    }

    /// `numerator / denominator`, or 0 when the denominator is 0 (scikit-learn's `zero_division=0`).
    static func ratio(_ numerator: Int, _ denominator: Int) -> Double {
        denominator == 0 ? 0 : Double(numerator) / Double(denominator)
    }

    private enum CodingKeys: String, CodingKey {
        case count, failures, accuracy, macro, micro, weighted, reliability, selective
        case perClass = "per_class"
        case confusionMatrix = "confusion_matrix"
        case topKAccuracy = "top_k_accuracy"
        case logLoss = "log_loss"
        case brierScore = "brier_score"
        case expectedCalibrationError = "expected_calibration_error"
        case areaUnderRiskCoverage = "aurc"
        case outOfScope = "out_of_scope"
    }
}
