import Foundation
import SquireTensor

/// scikit-learn's answers for the logistic head and scipy's for temperature scaling, from
/// `Scripts/fixtures/make-head-fixtures.py` (versions recorded in the file).
struct HeadReference: Decodable {
    struct Logistic: Decodable {
        var name: String
        var features: [[Double]]
        var labels: [String]
        var c: Double
        var class_weight: String
        var classes: [String]
        var coef: [[Double]]
        var intercept: [Double]
        var probabilities: [[Double]]
        var objective: Double
        var default_tolerance_iterations: Int

        var featureTensor: Tensor {
            get throws { try Tensor(rows: features.map { $0.map(Float.init) }) }
        }
    }

    struct Temperature: Decodable {
        var logits: [[Double]]
        var labels: [Int]
        var temperature: Double
        var nll: Double
    }

    struct Platt: Decodable {
        var margins: [Double]
        var labels: [Int]
        /// scikit-learn's parameters, for `p = 1 / (1 + exp(a·f + b))`.
        var a: Double
        var b: Double
    }

    var logistic: [Logistic]
    var temperature: Temperature
    var platt: Platt

    static let shared: HeadReference = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
            "Fixtures/head_reference.json")
        // The fixture is part of the repository; a decoding failure is a broken checkout.
        return try! JSONDecoder().decode(HeadReference.self, from: Data(contentsOf: url))
    }()
}
