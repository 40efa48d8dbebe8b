import SquireCore

/// A candidate and a baseline compared on the examples both reports contain.
///
/// The difference `candidate − baseline` of one metric comes with a paired percentile
/// bootstrap confidence interval (both models resampled on the same examples, seeded so
/// reruns agree) and McNemar's exact test on right/wrong. In the comparison a failed call
/// counts as a wrong answer, so a model cannot look better by failing on hard examples.
public struct PairedComparison: Sendable, Hashable, Codable {
    /// The metric compared; one that is computed from labels (accuracy, the F1 family,
    /// macro precision and recall).
    public var metric: Metric
    /// Examples present in both reports.
    public var pairedCount: Int
    /// The candidate's value on the paired examples.
    public var candidate: Double
    /// The baseline's value on the paired examples.
    public var baseline: Double
    /// `candidate − baseline` for a metric where higher is better.
    public var difference: Double { candidate - baseline }
    /// The interval's lower bound for the difference.
    public var lower: Double
    /// The interval's upper bound for the difference.
    public var upper: Double
    /// The interval's confidence level, such as 0.95.
    public var confidenceLevel: Double
    /// Bootstrap resamples drawn.
    public var resamples: Int
    /// McNemar's test on right/wrong.
    public var mcnemar: McNemarTest

    /// Why two reports cannot be compared.
    public enum Failure: Error, Sendable, Hashable, CustomStringConvertible {
        /// The metric is not computed from labels alone.
        case unsupportedMetric(Metric)
        /// The reports share no example id.
        case noCommonExamples
        /// The same id carries different expected labels in the two reports.
        case conflictingLabels(id: String)

        public var description: String {
            switch self {
            case .unsupportedMetric(let metric):
                "\(metric.rawValue) cannot be compared pairwise; use accuracy, macro_f1, micro_f1, weighted_f1, macro_precision or macro_recall"
            case .noCommonExamples:
                "the reports share no example id; evaluate both models on the same dataset"
            case .conflictingLabels(let id):
                "example \"\(id)\" has different expected labels in the two reports; they were not made from the same dataset"
            }
        }
    }

    /// Compares `candidate` with `baseline` on `metric`, over the examples both reports contain.
    public init(
        candidate: EvalReport, baseline: EvalReport, metric: Metric = .macroF1,
        confidenceLevel: Double = 0.95, resamples: Int = 2000, seed: UInt64 = 0
    ) throws {
        try self.init(
            candidate: candidate.predictions, baseline: baseline.predictions, metric: metric,
            confidenceLevel: confidenceLevel, resamples: resamples, seed: seed)
    }

    /// Compares two models' predictions, paired by example id; ids in only one list are left out.
    public init(
        candidate candidatePredictions: [Prediction], baseline baselinePredictions: [Prediction],
        metric: Metric = .macroF1,
        confidenceLevel: Double = 0.95, resamples: Int = 2000, seed: UInt64 = 0
    ) throws {
        guard LabelMetric(metric) != nil else { throw Failure.unsupportedMetric(metric) }
        let baselineByID = Dictionary(baselinePredictions.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        var pairs: [(Prediction, Prediction)] = []
        for prediction in candidatePredictions {
            guard let other = baselineByID[prediction.id] else { continue }
            guard other.expected == prediction.expected else { throw Failure.conflictingLabels(id: prediction.id) }
            pairs.append((prediction, other))
        }
        guard !pairs.isEmpty else { throw Failure.noCommonExamples }
        try self.init(pairs: pairs, metric: metric, confidenceLevel: confidenceLevel, resamples: resamples, seed: seed)
    }

    /// Compares paired predictions: `pairs[i]` holds the candidate's and the baseline's answer to one example.
    private init(
        pairs: [(candidate: Prediction, baseline: Prediction)], metric: Metric, confidenceLevel: Double, resamples: Int,
        seed: UInt64
    ) throws {
        guard let labelMetric = LabelMetric(metric) else { throw Failure.unsupportedMetric(metric) }
        var labels: [String: Int] = [:]
        func code(_ label: String?) -> Int {
            guard let label else { return -1 }
            if let known = labels[label] { return known }
            labels[label] = labels.count
            return labels.count - 1
        }
        let expected = pairs.map { code($0.candidate.expected) }
        let candidateAnswers = pairs.map { code($0.candidate.predicted) }
        let baselineAnswers = pairs.map { code($0.baseline.predicted) }
        let classes = labels.count

        self.metric = metric
        pairedCount = pairs.count
        self.confidenceLevel = confidenceLevel
        self.resamples = resamples
        let all = Array(pairs.indices)
        candidate = labelMetric.value(expected: expected, predicted: candidateAnswers, indices: all, classes: classes)
        baseline = labelMetric.value(expected: expected, predicted: baselineAnswers, indices: all, classes: classes)

        var generator = SplitMix64(seed: seed)
        var differences: [Double] = []
        differences.reserveCapacity(resamples)
        var sample = [Int](repeating: 0, count: pairs.count)
        for _ in 0..<max(1, resamples) {
            for i in sample.indices { sample[i] = Int.random(in: 0..<pairs.count, using: &generator) }
            differences.append(
                labelMetric.value(expected: expected, predicted: candidateAnswers, indices: sample, classes: classes)
                    - labelMetric.value(
                        expected: expected, predicted: baselineAnswers, indices: sample, classes: classes))
        }
        differences.sort()
        let tail = (1 - confidenceLevel) / 2
        lower = LatencySummary.percentile(differences, tail)
        upper = LatencySummary.percentile(differences, 1 - tail)

        var b = 0
        var c = 0
        for i in pairs.indices {
            let candidateRight = candidateAnswers[i] == expected[i]
            let baselineRight = baselineAnswers[i] == expected[i]
            if baselineRight && !candidateRight { b += 1 }
            if candidateRight && !baselineRight { c += 1 }
        }
        mcnemar = try McNemarTest(baselineOnlyCorrect: b, candidateOnlyCorrect: c)
    }

    private enum CodingKeys: String, CodingKey {
        case metric, candidate, baseline, lower, upper, resamples, mcnemar
        case pairedCount = "paired_count"
        case confidenceLevel = "confidence_level"
    }
}

/// The metrics a bootstrap can recompute cheaply from label codes; -1 is a failed call.
enum LabelMetric {
    case accuracy, macroF1, weightedF1, macroPrecision, macroRecall

    init?(_ metric: Metric) {
        switch metric {
        case .accuracy, .microF1: self = .accuracy
        case .macroF1: self = .macroF1
        case .weightedF1: self = .weightedF1
        case .macroPrecision: self = .macroPrecision
        case .macroRecall: self = .macroRecall
        default: return nil
        }
    }

    func value(expected: [Int], predicted: [Int], indices: [Int], classes: Int) -> Double {
        guard !indices.isEmpty else { return 0 }
        if case .accuracy = self {
            return Double(indices.reduce(0) { $0 + (expected[$1] == predicted[$1] ? 1 : 0) }) / Double(indices.count)
        }
        var truePositives = [Int](repeating: 0, count: classes)
        var support = [Int](repeating: 0, count: classes)
        var predictedCount = [Int](repeating: 0, count: classes)
        for i in indices {
            support[expected[i]] += 1
            let guess = predicted[i]
            if guess >= 0 { predictedCount[guess] += 1 }
            if guess == expected[i] { truePositives[guess] += 1 }
        }
        // Labels present in this sample, as scikit-learn would see them.
        var sum = 0.0
        var present = 0
        for k in 0..<classes where support[k] + predictedCount[k] > 0 {
            present += 1
            let value: Double
            switch self {
            case .macroPrecision: value = ClassificationMetrics.ratio(truePositives[k], predictedCount[k])
            case .macroRecall: value = ClassificationMetrics.ratio(truePositives[k], support[k])
            default: value = ClassificationMetrics.ratio(2 * truePositives[k], support[k] + predictedCount[k])
            }
            sum += self == .weightedF1 ? value * Double(support[k]) : value
        }
        return self == .weightedF1 ? sum / Double(indices.count) : sum / Double(max(present, 1))
    }
}
