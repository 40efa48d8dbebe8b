import Foundation
import SquireCore
import SquireEval

/// Expected values from scikit-learn, scipy and torchmetrics, made by
/// `Scripts/fixtures/make-eval-fixtures.py`.
struct EvalReference: Decodable {
    struct Scores: Decodable {
        var precision, recall, f1: Double
    }
    struct ClassScores: Decodable {
        var label: String
        var precision, recall, f1: Double
        var support: Int
    }
    struct OutOfScope: Decodable {
        var label: String
        var auroc: Double
        var fpr_at_95_tpr: Double
    }
    struct Case: Decodable {
        var name: String
        var labels: [String]
        var expected: [String]
        var probabilities: [[Double]]
        var accuracy: Double
        var per_class: [ClassScores]
        var averages: [String: Scores]
        var confusion_labels: [String]
        var confusion: [[Int]]
        var top_k: [String: Double]
        var log_loss, brier, ece, aurc: Double
        var oos: OutOfScope?

        /// The fixture's rows as predictions, each picking its most probable label.
        func predictions() throws -> [Prediction] {
            try zip(expected, probabilities).enumerated().map { index, row in
                let probabilities = Dictionary(uniqueKeysWithValues: zip(labels, row.1))
                return Prediction(
                    id: String(index), expected: row.0, classification: try Classification(probabilities: probabilities)
                )
            }
        }
    }
    struct McNemar: Decodable {
        var b, c: Int
        var p_value: Double
    }
    struct Interval: Decodable {
        var difference, lower, upper: Double
    }
    struct Bootstrap: Decodable {
        var expected, baseline, candidate: [String]
        var confidence_level: Double
        var resamples: Int
        var accuracy, macro_f1: Interval
    }
    struct Percentiles: Decodable {
        var seconds: [Double]
        var p50, p95, p99: Double
    }

    var cases: [Case]
    var mcnemar: [McNemar]
    var bootstrap: Bootstrap
    var percentiles: Percentiles

    static let shared: EvalReference = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
            "Fixtures/eval_reference.json")
        do { return try JSONDecoder().decode(EvalReference.self, from: Data(contentsOf: url)) } catch {
            fatalError("cannot read \(url.path): \(error)")
        }
    }()
}
