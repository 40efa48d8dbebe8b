import Foundation
import SquireCore
import SquireEval
import Testing

/// Every metric against scikit-learn (torchmetrics for ECE) on the committed fixtures, to 1e-6.
@Suite struct MetricsReferenceTests {
    static let cases = EvalReference.shared.cases.map(\.name)

    func metrics(_ name: String) throws -> (EvalReference.Case, ClassificationMetrics) {
        let reference = try #require(EvalReference.shared.cases.first { $0.name == name })
        let outOfScope = reference.oos?.label
        return (reference, ClassificationMetrics(predictions: try reference.predictions(), outOfScopeLabel: outOfScope))
    }

    @Test(arguments: cases) func labelMetricsMatchScikitLearn(_ name: String) throws {
        let (reference, metrics) = try metrics(name)
        #expect(abs(metrics.accuracy - reference.accuracy) < 1e-6)
        #expect(metrics.confusionMatrix.labels == reference.confusion_labels)
        #expect(metrics.confusionMatrix.counts == reference.confusion)
        #expect(metrics.perClass.map(\.label) == reference.per_class.map(\.label))
        for (ours, theirs) in zip(metrics.perClass, reference.per_class) {
            #expect(abs(ours.precision - theirs.precision) < 1e-6, "\(ours.label) precision")
            #expect(abs(ours.recall - theirs.recall) < 1e-6, "\(ours.label) recall")
            #expect(abs(ours.f1 - theirs.f1) < 1e-6, "\(ours.label) f1")
            #expect(ours.support == theirs.support)
        }
        for (average, ours) in [("macro", metrics.macro), ("micro", metrics.micro), ("weighted", metrics.weighted)] {
            let theirs = try #require(reference.averages[average])
            #expect(abs(ours.precision - theirs.precision) < 1e-6, "\(average) precision")
            #expect(abs(ours.recall - theirs.recall) < 1e-6, "\(average) recall")
            #expect(abs(ours.f1 - theirs.f1) < 1e-6, "\(average) f1")
        }
    }

    @Test(arguments: cases) func probabilityMetricsMatchScikitLearn(_ name: String) throws {
        let (reference, metrics) = try metrics(name)
        #expect(abs(try #require(metrics.logLoss) - reference.log_loss) < 1e-6)
        #expect(abs(try #require(metrics.brierScore) - reference.brier) < 1e-6)
        let topK = try #require(metrics.topKAccuracy)
        #expect(topK.map(\.k).map(String.init) == reference.top_k.keys.sorted { Int($0)! < Int($1)! })
        for entry in topK { #expect(abs(entry.accuracy - reference.top_k[String(entry.k)]!) < 1e-6, "top-\(entry.k)") }
    }

    @Test(arguments: cases) func calibrationAndSelectivePrediction(_ name: String) throws {
        let (reference, metrics) = try metrics(name)
        #expect(abs(metrics.expectedCalibrationError - reference.ece) < 1e-6)
        #expect(metrics.reliability.count == 15)
        #expect(metrics.reliability.reduce(0) { $0 + $1.count } == reference.expected.count)
        #expect(abs(metrics.areaUnderRiskCoverage - reference.aurc) < 1e-6)
        // The curve ends at full coverage with the overall accuracy, and coverage only grows.
        let last = try #require(metrics.selective.last)
        #expect(last.coverage == 1)
        #expect(abs(last.accuracy - reference.accuracy) < 1e-12)
        #expect(
            zip(metrics.selective, metrics.selective.dropFirst()).allSatisfy {
                $0.coverage < $1.coverage && $0.threshold > $1.threshold
            })
    }

    @Test func outOfScopeDetectionMatchesScikitLearn() throws {
        let (reference, metrics) = try metrics("out_of_scope")
        let expected = try #require(reference.oos)
        let detection = try #require(metrics.outOfScope)
        #expect(abs(detection.auroc - expected.auroc) < 1e-6)
        #expect(abs(detection.falsePositiveRateAt95Recall - expected.fpr_at_95_tpr) < 1e-6)
        #expect(detection.outOfScopeCount + detection.inScopeCount == reference.expected.count)
    }

    @Test func mcnemarMatchesScipyBinomtest() throws {
        #expect(throws: McNemarTest.NegativeCount.self) {
            try McNemarTest(baselineOnlyCorrect: -1, candidateOnlyCorrect: 2)
        }
        for entry in EvalReference.shared.mcnemar {
            let test = try McNemarTest(baselineOnlyCorrect: entry.b, candidateOnlyCorrect: entry.c)
            #expect(abs(test.pValue - entry.p_value) < 1e-9 * max(1, entry.p_value), "b=\(entry.b) c=\(entry.c)")
        }
    }

    /// Two bootstraps with different generators agree only up to Monte Carlo error: over
    /// eight scipy seeds with 10,000 resamples the bounds here had a standard deviation of
    /// 0.0007 (accuracy moves in steps of 1/500), so 0.004 is about six of them. The point
    /// difference has no randomness and must match exactly.
    @Test(arguments: [Metric.accuracy, .macroF1]) func pairedBootstrapAgreesWithScipy(_ metric: Metric) throws {
        let fixture = EvalReference.shared.bootstrap
        let expected = metric == .accuracy ? fixture.accuracy : fixture.macro_f1
        func predictions(_ labels: [String]) -> [Prediction] {
            fixture.expected.indices.map { i in
                Prediction(
                    id: "\(i)", expected: fixture.expected[i],
                    classification: Classification(label: labels[i], confidence: 1))
            }
        }
        let comparison = try PairedComparison(
            candidate: predictions(fixture.candidate), baseline: predictions(fixture.baseline), metric: metric,
            confidenceLevel: fixture.confidence_level, resamples: fixture.resamples, seed: 1)
        #expect(abs(comparison.difference - expected.difference) < 1e-9)
        #expect(abs(comparison.lower - expected.lower) < 0.004)
        #expect(abs(comparison.upper - expected.upper) < 0.004)
    }

    @Test func latencyPercentilesMatchNumpy() {
        let fixture = EvalReference.shared.percentiles
        let summary = LatencySummary(seconds: fixture.seconds)
        #expect(abs(summary.p50 - fixture.p50) < 1e-9)
        #expect(abs(summary.p95 - fixture.p95) < 1e-9)
        #expect(abs(summary.p99 - fixture.p99) < 1e-9)
        #expect(summary.calls == fixture.seconds.count)
    }

    @Test func slicesAreTheMetricsOfTheirExamples() throws {
        let reference = try #require(EvalReference.shared.cases.first)
        var predictions = try reference.predictions()
        for i in predictions.indices where i % 3 == 0 { predictions[i].tags = ["third"] }
        let report = EvalReport(model: "m", dataset: "d", predictions: predictions)
        let sliced = try #require(report.slices["third"])
        #expect(
            sliced
                == ClassificationMetrics(
                    predictions: predictions.enumerated().filter { $0.offset % 3 == 0 }.map(\.element)))
        #expect(sliced.count == (predictions.count + 2) / 3)
    }
}
