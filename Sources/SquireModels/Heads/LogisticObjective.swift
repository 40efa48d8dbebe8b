import SquireTensor

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// scikit-learn's `LogisticRegression` objective and its gradient, for L-BFGS:
/// `(1/S) Σᵢ sᵢ · loss(xᵢ, yᵢ) + ‖W‖² / (2 · C · S)`, with `S = Σᵢ sᵢ`.
///
/// Products run in `Float` through sgemm (the features are `Float`); sums of the loss and
/// the optimizer's state are `Double`. Parameters are laid out `[W row-major, b]`; with two
/// labels `W` is the single binomial weight vector.
struct LogisticObjective {
    let examples: TrainingExamples
    let scaledWeights: [Float]  // sᵢ / S
    let scaledWeightsDouble: [Double]
    let penalty: Double  // 1 / (C · S)
    let outputs: Int  // K, or 1 for the binomial model

    init(examples: TrainingExamples, exampleWeights: [Double], inverseRegularization: Double) {
        self.examples = examples
        let total = exampleWeights.reduce(0, +)
        scaledWeightsDouble = exampleWeights.map { $0 / total }
        scaledWeights = scaledWeightsDouble.map(Float.init)
        penalty = 1 / (inverseRegularization * total)
        outputs = examples.labels.count == 2 ? 1 : examples.labels.count
    }

    var parameterCount: Int { outputs * (examples.dimension + 1) }

    /// The objective at `point`; writes the gradient.
    func evaluate(_ point: [Double], _ gradient: inout [Double]) throws -> Double {
        let (n, d, k) = (examples.count, examples.dimension, outputs)
        let weights = point[0..<(k * d)].map(Float.init)
        let bias = point[(k * d)...].map(Float.init)
        // Z = X·Wᵀ + b, starting from b so sgemm accumulates into it.
        var logits = [Float](repeating: 0, count: n * k)
        for row in 0..<n { for j in 0..<k { logits[row * k + j] = bias[j] } }
        examples.features.withUnsafeBufferPointer { x in
            weights.withUnsafeBufferPointer { w in
                logits.withUnsafeMutableBufferPointer { z in
                    BLAS.gemm(
                        transposeB: true, m: n, n: k, k: d, a: x.baseAddress!, lda: d, b: w.baseAddress!, ldb: d,
                        beta: 1, c: z.baseAddress!, ldc: k)
                }
            }
        }

        // G = ∂loss/∂Z, already multiplied by sᵢ / S.
        var residuals = [Float](repeating: 0, count: n * k)
        var loss = 0.0
        if k == 1 {
            for row in 0..<n {
                let z = Double(logits[row])
                let y = examples.classIndices[row] == 1 ? 1.0 : 0.0
                // log(1 + e^z) − y·z, written to stay finite for large |z|.
                let softplus = z > 0 ? z + log1p(exp(-z)) : log1p(exp(z))
                loss += scaledWeightsDouble[row] * (softplus - y * z)
                let probability = z >= 0 ? 1 / (1 + exp(-z)) : exp(z) / (1 + exp(z))
                residuals[row] = Float((probability - y) * scaledWeightsDouble[row])
            }
        } else {
            let logProbabilities = try Tensor(shape: [n, k], scalars: logits).logSoftmax()
            let probabilities = logProbabilities.exp()
            logProbabilities.withUnsafeBufferPointer { logP in
                probabilities.withUnsafeBufferPointer { p in
                    for row in 0..<n {
                        let target = examples.classIndices[row]
                        let s = scaledWeights[row]
                        loss -= scaledWeightsDouble[row] * Double(logP[row * k + target])
                        for j in 0..<k { residuals[row * k + j] = p[row * k + j] * s }
                        residuals[row * k + target] -= s
                    }
                }
            }
        }

        // ∂/∂W = Gᵀ·X + W/(C·S); ∂/∂b = Σ rows of G.
        var weightGradient = [Float](repeating: 0, count: k * d)
        examples.features.withUnsafeBufferPointer { x in
            residuals.withUnsafeBufferPointer { g in
                weightGradient.withUnsafeMutableBufferPointer { out in
                    BLAS.gemm(
                        transposeA: true, m: k, n: d, k: n, a: g.baseAddress!, lda: k, b: x.baseAddress!, ldb: d,
                        c: out.baseAddress!, ldc: d)
                }
            }
        }
        var squaredNorm = 0.0
        for i in 0..<(k * d) {
            squaredNorm += point[i] * point[i]
            gradient[i] = Double(weightGradient[i]) + penalty * point[i]
        }
        for j in 0..<k {
            var sum = 0.0
            for row in 0..<n { sum += Double(residuals[row * k + j]) }
            gradient[k * d + j] = sum
        }
        return loss + 0.5 * penalty * squaredNorm
    }

    /// The fitted head for a solution `point`.
    func head(from point: [Double]) throws -> LogisticHead {
        let (d, k, labels) = (examples.dimension, outputs, examples.labels)
        var weights = point[0..<(k * d)].map(Float.init)
        var bias = point[(k * d)...].map(Float.init)
        if k == 1 {
            // Binomial: the first label's logit is fixed at 0, the second's is x·w + b.
            weights = [Float](repeating: 0, count: d) + weights
            bias = [0] + bias
        }
        return try LogisticHead(
            weight: Tensor(shape: [labels.count, d], scalars: weights), bias: Tensor(bias), labels: labels)
    }
}
