import Foundation
import SquireTensor

/// Expected values from numpy and scipy, made by `Scripts/fixtures/make-tensor-fixtures.py`.
struct TensorFixture: Decodable {
    struct Generator: Decodable {
        var seed: UInt64
        var next: [String]
        var seed0_next: [String]
    }
    struct Rows: Decodable {
        var x, gamma, beta: [[Double]]?
        var softmax, log_softmax, l2_normalized, gelu: [[Double]]
        var layerNorm: [[Double]]
        var sum_axis0, sum_axis1, max_axis1: [Double]
        var argmax_axis0: [Int]
        var input: [[Double]]
        var gammaValues, betaValues: [Double]

        enum CodingKeys: String, CodingKey {
            case x, gamma, beta, softmax, log_softmax, l2_normalized, gelu, sum_axis0, sum_axis1, max_axis1,
                argmax_axis0
            case layerNorm = "layer_norm_eps_1e-12"
        }

        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            input = try c.decode([[Double]].self, forKey: .x)
            gammaValues = try c.decode([Double].self, forKey: .gamma)
            betaValues = try c.decode([Double].self, forKey: .beta)
            softmax = try c.decode([[Double]].self, forKey: .softmax)
            log_softmax = try c.decode([[Double]].self, forKey: .log_softmax)
            l2_normalized = try c.decode([[Double]].self, forKey: .l2_normalized)
            gelu = try c.decode([[Double]].self, forKey: .gelu)
            layerNorm = try c.decode([[Double]].self, forKey: .layerNorm)
            sum_axis0 = try c.decode([Double].self, forKey: .sum_axis0)
            sum_axis1 = try c.decode([Double].self, forKey: .sum_axis1)
            max_axis1 = try c.decode([Double].self, forKey: .max_axis1)
            argmax_axis0 = try c.decode([Int].self, forKey: .argmax_axis0)
        }
    }
    struct LinearAlgebra: Decodable {
        var a, b, solve, spd, solve_spd, symmetric, rect: [[Double]]
        var eigenvalues, singular_values: [Double]
    }
    var generator: Generator
    var rows: Rows
    var linalg: LinearAlgebra

    static let shared: TensorFixture = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Fixtures/tensor_reference.json")
        do {
            return try JSONDecoder().decode(TensorFixture.self, from: Data(contentsOf: url))
        } catch {
            // A missing or broken committed fixture is a broken checkout, not a test result.
            fatalError("cannot read \(url.path): \(error)")
        }
    }()
}

extension Tensor {
    /// A 2-D tensor from rows of doubles, rounded to Float as the fixture's inputs were.
    init(doubleRows rows: [[Double]]) throws {
        try self.init(rows: rows.map { $0.map(Float.init) })
    }
}

/// The largest absolute difference between a tensor and expected values, in row-major order.
func maxAbsDifference(_ tensor: Tensor, _ expected: [Double]) -> Double {
    guard tensor.count == expected.count else { return .infinity }
    return zip(tensor.scalars, expected).map { abs(Double($0) - $1) }.max() ?? 0
}

func maxAbsDifference(_ tensor: Tensor, _ expected: [[Double]]) -> Double {
    maxAbsDifference(tensor, expected.flatMap { $0 })
}
