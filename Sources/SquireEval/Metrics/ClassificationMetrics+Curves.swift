import SquireCore

extension ClassificationMetrics {
    /// Equal-width bins over [0, 1]: `[i/m, (i+1)/m)`, the last one closed at 1.
    static func reliabilityBins(_ outcomes: [(confidence: Double, correct: Bool)], count: Int) -> [ReliabilityBin] {
        var sums = [(n: Int, correct: Int, confidence: Double)](repeating: (0, 0, 0), count: count)
        for outcome in outcomes {
            let index = min(count - 1, max(0, Int(outcome.confidence * Double(count))))
            sums[index].n += 1
            sums[index].correct += outcome.correct ? 1 : 0
            sums[index].confidence += outcome.confidence
        }
        return sums.enumerated().map { index, sum in
            ReliabilityBin(
                lower: Double(index) / Double(count), upper: Double(index + 1) / Double(count), count: sum.n,
                accuracy: ratio(sum.correct, sum.n), meanConfidence: sum.n == 0 ? 0 : sum.confidence / Double(sum.n))
        }
    }

    /// The selective-prediction curve and the area under its risk–coverage form.
    static func riskCoverage(_ outcomes: [(confidence: Double, correct: Bool)]) -> ([SelectivePoint], Double) {
        let sorted = outcomes.sorted { $0.confidence > $1.confidence }
        let n = sorted.count
        guard n > 0 else { return ([], 0) }
        var points: [SelectivePoint] = []
        var correct = 0
        var area = 0.0
        var start = 0
        while start < n {
            var end = start
            while end < n && sorted[end].confidence == sorted[start].confidence {
                correct += sorted[end].correct ? 1 : 0
                end += 1
            }
            let accuracy = Double(correct) / Double(end)
            points.append(
                SelectivePoint(
                    threshold: sorted[start].confidence, coverage: Double(end) / Double(n), accuracy: accuracy))
            // Tied answers cannot be separated by a threshold: each coverage in the tie group
            // gets the risk of keeping the whole group.
            area += Double(end - start) * (1 - accuracy)
            start = end
        }
        return (points, area / Double(n))
    }

    /// AUROC and FPR at 95% TPR for detecting `label` by the out-of-scope score.
    static func outOfScopeDetection(_ answered: [(String, Classification)], label: String) -> OutOfScopeDetection? {
        let scored = answered.map { truth, answer -> (score: Double, positive: Bool) in
            let score: Double
            let inScope = answer.probabilities.filter { $0.key != label }.values
            if !answer.probabilities.isEmpty {
                score = 1 - (inScope.max() ?? 0)
            } else {
                score = answer.label == label ? answer.confidence : 1 - answer.confidence
            }
            return (score, truth == label)
        }
        let positives = scored.filter(\.positive).count
        let negatives = scored.count - positives
        guard positives > 0, negatives > 0 else { return nil }
        // Walk thresholds from the highest score down, as roc_curve does; ties move together.
        let sorted = scored.sorted { $0.score > $1.score }
        var truePositives = 0
        var falsePositives = 0
        var area = 0.0
        var fprAtRecall: Double?
        var start = 0
        while start < sorted.count {
            var end = start
            let previousTP = truePositives
            let previousFP = falsePositives
            while end < sorted.count && sorted[end].score == sorted[start].score {
                if sorted[end].positive { truePositives += 1 } else { falsePositives += 1 }
                end += 1
            }
            // Trapezoid between successive ROC points.
            area += Double(falsePositives - previousFP) * Double(truePositives + previousTP) / 2
            if fprAtRecall == nil, Double(truePositives) / Double(positives) >= 0.95 {
                fprAtRecall = Double(falsePositives) / Double(negatives)
            }
            start = end
        }
        return OutOfScopeDetection(
            label: label, auroc: area / Double(positives * negatives),
            falsePositiveRateAt95Recall: fprAtRecall ?? 1, outOfScopeCount: positives, inScopeCount: negatives)
    }
}
