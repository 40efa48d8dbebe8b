public import SquireTensor

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Knowledge distillation (Hinton, Vinyals and Dean, 2015): a student learns from a
/// teacher's probabilities, softened by a temperature, mixed with the hard labels.
///
/// `loss = α · T² · KL(q_T ‖ p_T) + (1 − α) · CE(y, p)`, where `p_T = softmax(z / T)` is the
/// student's softened distribution and `q_T ∝ q^(1/T)` the teacher's probabilities softened
/// the same way (equal to `softmax(teacher logits / T)`). The `T²` keeps the soft term's
/// gradient on the scale of the hard one as `T` changes.
public struct Distillation: Sendable, Hashable, Codable {
    /// `T`: 1 uses the teacher's probabilities as they are; 2–4 reveal more of its ranking of wrong labels.
    public var temperature: Double
    /// `α`: the share of the loss that follows the teacher, in `0...1`.
    public var softWeight: Double

    /// Creates a distillation loss; throws ``TrainingError/invalidConfiguration(_:)`` for a
    /// temperature that is not positive or a weight outside `0...1`.
    public init(temperature: Double = 2, softWeight: Double = 0.5) throws {
        guard temperature > 0, temperature.isFinite else {
            throw TrainingError.invalidConfiguration(
                "the distillation temperature must be positive, got \(temperature)")
        }
        guard (0...1).contains(softWeight) else {
            throw TrainingError.invalidConfiguration("the soft-label weight must be in 0...1, got \(softWeight)")
        }
        self.temperature = temperature
        self.softWeight = softWeight
    }

    private enum CodingKeys: String, CodingKey {
        case temperature
        case softWeight = "soft_weight"
    }

    /// The mean loss over the batch and `∂loss/∂logits`:
    /// `(α · T · (p_T − q_T) + (1 − α) · (p − onehot(y))) / B`.
    ///
    /// - Parameters:
    ///   - logits: the student's `[B, K]` logits.
    ///   - teacherProbabilities: `[B, K]`, each row a distribution over the student's labels.
    ///   - classIndices: the hard label of each row.
    public func lossAndGradient(logits: Tensor, teacherProbabilities: Tensor, classIndices: [Int]) throws -> (
        loss: Double, gradient: Tensor
    ) {
        guard teacherProbabilities.shape == logits.shape else {
            throw TensorError.invalidArgument(
                "teacher probabilities of shape \(teacherProbabilities.shape) do not match logits \(logits.shape)")
        }
        let (hardLoss, hardGradient) = try SoftmaxCrossEntropy.lossAndGradient(
            logits: logits, classIndices: classIndices)
        let (rows, width) = (logits.shape[0], logits.shape[1])
        let alpha = softWeight
        let t = temperature
        let softLogProbabilities = try (logits * Float(1 / t)).logSoftmax()
        var gradient = hardGradient
        var softLoss = 0.0
        gradient.withUnsafeMutableBufferPointer { g in
            softLogProbabilities.withUnsafeBufferPointer { logP in
                teacherProbabilities.withUnsafeBufferPointer { q in
                    for row in 0..<rows {
                        // q_T ∝ q^(1/T), computed in logs so tiny probabilities do not underflow.
                        var logQ = [Double](repeating: -.infinity, count: width)
                        var largest = -Double.infinity
                        for j in 0..<width where q[row * width + j] > 0 {
                            logQ[j] = log(Double(q[row * width + j])) / t
                            largest = max(largest, logQ[j])
                        }
                        var total = 0.0
                        for j in 0..<width where logQ[j] > -.infinity { total += exp(logQ[j] - largest) }
                        let logTotal = largest + log(total)
                        for j in 0..<width {
                            let logStudent = Double(logP[row * width + j])
                            let studentSoft = exp(logStudent)
                            var teacherSoft = 0.0
                            if logQ[j] > -.infinity {
                                let logTeacher = logQ[j] - logTotal
                                teacherSoft = exp(logTeacher)
                                softLoss += teacherSoft * (logTeacher - logStudent)
                            }
                            let soft = alpha * t * (studentSoft - teacherSoft) / Double(rows)
                            g[row * width + j] = Float(Double(g[row * width + j]) * (1 - alpha) + soft)
                        }
                    }
                }
            }
        }
        return (alpha * t * t * softLoss / Double(rows) + (1 - alpha) * hardLoss, gradient)
    }
}
