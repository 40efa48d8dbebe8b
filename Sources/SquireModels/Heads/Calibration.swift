public import SquireTensor

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A map from a head's logits to probabilities that mean what they say: of all answers
/// given with confidence 0.8, about 80% are right.
///
/// Fitted on held-back validation data, never on the data the head was trained on, and
/// stored in the model bundle. Neither method changes which label wins, only how sure the
/// model says it is.
public enum Calibration: Sendable, Hashable {
    /// Plain softmax of the logits.
    case none
    /// Softmax of `logits / temperature` (Guo et al., 2017); a temperature above 1 softens
    /// an overconfident model.
    case temperature(Double)
    /// For two labels: the second label's probability is `σ(slope · m + intercept)`, where
    /// `m` is the difference of the two logits (Platt, 1999).
    case platt(slope: Double, intercept: Double)

    /// Probabilities `[B, K]` for logits `[B, K]`.
    public func probabilities(fromLogits logits: Tensor) throws -> Tensor {
        switch self {
        case .none:
            return try logits.softmax()
        case .temperature(let temperature):
            return try (logits * Float(1 / temperature)).softmax()
        case .platt(let slope, let intercept):
            guard logits.rank == 2, logits.shape[1] == 2 else {
                throw TensorError.invalidArgument("Platt scaling needs [B, 2] logits, got shape \(logits.shape)")
            }
            var scalars = [Float]()
            scalars.reserveCapacity(logits.count)
            for row in 0..<logits.shape[0] {
                let margin = Double(logits[row, 1] - logits[row, 0])
                let positive = Self.sigmoid(slope * margin + intercept)
                scalars += [Float(1 - positive), Float(positive)]
            }
            return try Tensor(shape: logits.shape, scalars: scalars)
        }
    }

    /// The temperature that minimizes the negative log-likelihood of `classIndices` under
    /// `softmax(logits / T)`.
    ///
    /// - Parameters:
    ///   - logits: `[N, K]` validation logits from the head.
    ///   - classIndices: the true label of each row, as an index into the last axis.
    public static func fitTemperature(logits: Tensor, classIndices: [Int]) throws -> Calibration {
        let (rows, width) = try checked(logits, classIndices)
        let z = logits.scalars.map(Double.init)
        // Minimize over u = log T, so T stays positive; dNLL/du = mean((z_y − E_p[z]) / T).
        let result = try LBFGS(gradientTolerance: 1e-9, maximumIterations: 200).minimize(from: [0]) { point, gradient in
            let temperature = exp(point[0])
            var loss = 0.0
            var slope = 0.0
            for row in 0..<rows {
                let scaled = (0..<width).map { z[row * width + $0] / temperature }
                let peak = scaled.max()!
                let exps = scaled.map { exp($0 - peak) }
                let total = exps.reduce(0, +)
                let target = scaled[classIndices[row]]
                loss += peak + log(total) - target
                let expected = zip(exps, scaled).reduce(0) { $0 + $1.0 * $1.1 } / total
                slope += target - expected
            }
            gradient[0] = slope / Double(rows)
            return loss / Double(rows)
        }
        return .temperature(exp(result.point[0]))
    }

    /// Platt's sigmoid fitted to two-label `logits` (`[N, 2]`), with Platt's smoothed
    /// targets `(N₊ + 1) / (N₊ + 2)` and `1 / (N₋ + 2)` against overfitting, as
    /// scikit-learn's `CalibratedClassifierCV(method: "sigmoid")` does.
    public static func fitPlatt(logits: Tensor, classIndices: [Int]) throws -> Calibration {
        let (rows, width) = try checked(logits, classIndices)
        guard width == 2 else {
            throw TrainingError.invalidConfiguration(
                "Platt scaling is for two labels; use temperature scaling for \(width)")
        }
        let margins = (0..<rows).map { Double(logits[$0, 1] - logits[$0, 0]) }
        let positives = Double(classIndices.filter { $0 == 1 }.count)
        let negatives = Double(rows) - positives
        let targets = classIndices.map { $0 == 1 ? (positives + 1) / (positives + 2) : 1 / (negatives + 2) }
        let start = [0, log((positives + 1) / (negatives + 1))]
        let result = try LBFGS(gradientTolerance: 1e-10, maximumIterations: 1000).minimize(from: start) {
            point, gradient in
            var loss = 0.0
            gradient = [0, 0]
            for row in 0..<rows {
                let z = point[0] * margins[row] + point[1]
                // Cross-entropy with a soft target t: softplus(z) − t·z, finite for any z.
                loss += (z > 0 ? z + log1p(exp(-z)) : log1p(exp(z))) - targets[row] * z
                let residual = sigmoid(z) - targets[row]
                gradient[0] += residual * margins[row]
                gradient[1] += residual
            }
            return loss
        }
        return .platt(slope: result.point[0], intercept: result.point[1])
    }

    /// Expected calibration error over 15 equal-width confidence bins (Guo et al., 2017).
    ///
    /// - Parameters:
    ///   - probabilities: `[N, K]`; each row's largest entry is its confidence.
    ///   - classIndices: the true label of each row.
    public static func expectedCalibrationError(_ probabilities: Tensor, _ classIndices: [Int]) throws -> Double {
        let confidences = try probabilities.max(alongAxis: 1).scalars.map(Double.init)
        let predicted = try probabilities.argmax(alongAxis: 1)
        var count = [Double](repeating: 0, count: 15)
        var confidence = count
        var correct = count
        for row in confidences.indices {
            let bin = min(14, max(0, Int((confidences[row] * 15).rounded(.up)) - 1))
            count[bin] += 1
            confidence[bin] += confidences[row]
            correct[bin] += predicted[row] == classIndices[row] ? 1 : 0
        }
        let total = Double(confidences.count)
        return (0..<15).reduce(0) { $0 + abs(correct[$1] - confidence[$1]) / total }
    }

    private static func checked(_ logits: Tensor, _ classIndices: [Int]) throws -> (rows: Int, width: Int) {
        guard logits.rank == 2, logits.shape[0] == classIndices.count, logits.shape[0] > 0 else {
            throw TrainingError.shapeMismatch(
                "calibration needs [N, K] logits for N labels; got shape \(logits.shape) for \(classIndices.count) labels"
            )
        }
        try TrainingExamples.requireFinite(logits)
        if let bad = classIndices.first(where: { $0 < 0 || $0 >= logits.shape[1] }) {
            throw TrainingError.shapeMismatch("label index \(bad) is outside \(logits.shape[1]) logits")
        }
        return (logits.shape[0], logits.shape[1])
    }

    private static func sigmoid(_ z: Double) -> Double {
        z >= 0 ? 1 / (1 + exp(-z)) : exp(z) / (1 + exp(z))
    }
}

extension Calibration: CustomStringConvertible {
    /// `none`, `temperature 1.234`, or `Platt slope 0.912, intercept -0.100`.
    public var description: String {
        func rounded(_ value: Double) -> String { String((value * 1000).rounded() / 1000) }
        switch self {
        case .none: return "none"
        case .temperature(let temperature): return "temperature \(rounded(temperature))"
        case .platt(let slope, let intercept): return "Platt slope \(rounded(slope)), intercept \(rounded(intercept))"
        }
    }
}

extension Calibration: Codable {
    private enum CodingKeys: String, CodingKey {
        case method, temperature, slope, intercept
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        switch try container.decode(String.self, forKey: .method) {
        case "none": self = .none
        case "temperature":
            let temperature = try container.decode(Double.self, forKey: .temperature)
            // Logits are divided by it in Float: zero, a negative or a tiny temperature would
            // turn every probability into NaN. A fitted temperature is always positive.
            guard temperature > 0, Float(1 / temperature).isFinite else {
                throw DecodingError.dataCorruptedError(
                    forKey: .temperature, in: container, debugDescription: "the temperature must be a positive number")
            }
            self = .temperature(temperature)
        case "platt":
            self = .platt(
                slope: try container.decode(Double.self, forKey: .slope),
                intercept: try container.decode(Double.self, forKey: .intercept))
        case let other:
            throw DecodingError.dataCorruptedError(
                forKey: .method, in: container,
                debugDescription: "unknown calibration method \"\(other)\"; expected none, temperature or platt")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .none:
            try container.encode("none", forKey: .method)
        case .temperature(let temperature):
            try container.encode("temperature", forKey: .method)
            try container.encode(temperature, forKey: .temperature)
        case .platt(let slope, let intercept):
            try container.encode("platt", forKey: .method)
            try container.encode(slope, forKey: .slope)
            try container.encode(intercept, forKey: .intercept)
        }
    }
}
