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

    /// Buffers one fit reuses at every evaluation, so none allocates `[N, K]` arrays anew.
    final class Workspace {
        var logits: [Float]
        var residuals: [Float]
        var logSumExp: [Float]
        var weightGradient: [Float]

        init(rows: Int, outputs: Int, dimension: Int) {
            logits = [Float](repeating: 0, count: rows * outputs)
            residuals = logits
            logSumExp = [Float](repeating: 0, count: rows)
            weightGradient = [Float](repeating: 0, count: outputs * dimension)
        }
    }

    /// The objective at `point`; writes the gradient.
    func evaluate(_ point: [Double], _ gradient: inout [Double], using workspace: Workspace) throws -> Double {
        let (n, d, k) = (examples.count, examples.dimension, outputs)
        let weights = point[0..<(k * d)].map(Float.init)
        let bias = point[(k * d)...].map(Float.init)
        // Z = X·Wᵀ + b, starting from b so sgemm accumulates into it.
        workspace.logits.withUnsafeMutableBufferPointer { z in
            for row in 0..<n { for j in 0..<k { z[row * k + j] = bias[j] } }
            examples.features.withUnsafeBufferPointer { x in
                weights.withUnsafeBufferPointer { w in
                    BLAS.gemm(
                        transposeB: true, m: n, n: k, k: d, a: x.baseAddress!, lda: d, b: w.baseAddress!, ldb: d,
                        beta: 1, c: z.baseAddress!, ldc: k)
                }
            }
        }

        // G = ∂loss/∂Z, already multiplied by sᵢ / S; the bias gradient is its column sums.
        var loss = 0.0
        var biasGradient = [Double](repeating: 0, count: k)
        if k == 1 {
            for row in 0..<n {
                let z = Double(workspace.logits[row])
                let y = examples.classIndices[row] == 1 ? 1.0 : 0.0
                // log(1 + e^z) − y·z, written to stay finite for large |z|.
                let softplus = z > 0 ? z + log1p(exp(-z)) : log1p(exp(z))
                loss += scaledWeightsDouble[row] * (softplus - y * z)
                let probability = z >= 0 ? 1 / (1 + exp(-z)) : exp(z) / (1 + exp(z))
                let residual = Float((probability - y) * scaledWeightsDouble[row])
                workspace.residuals[row] = residual
                biasGradient[0] += Double(residual)
            }
        } else {
            workspace.logits.withUnsafeBufferPointer { z in
                workspace.residuals.withUnsafeMutableBufferPointer { p in
                    workspace.logSumExp.withUnsafeMutableBufferPointer { logSumExp in
                        softmaxRows(
                            z.baseAddress!, into: p.baseAddress!, logSumExp: logSumExp.baseAddress!, rows: n, width: k)
                        for row in 0..<n {
                            let target = examples.classIndices[row]
                            let s = scaledWeights[row]
                            // −log pᵧ = log Σ exp(z) − zᵧ, without rounding pᵧ first.
                            loss += scaledWeightsDouble[row] * Double(logSumExp[row] - z[row * k + target])
                            for j in 0..<k { p[row * k + j] *= s }
                            p[row * k + target] -= s
                            for j in 0..<k { biasGradient[j] += Double(p[row * k + j]) }
                        }
                    }
                }
            }
        }

        // ∂/∂W = Gᵀ·X + W/(C·S); ∂/∂b = Σ rows of G.
        examples.features.withUnsafeBufferPointer { x in
            workspace.residuals.withUnsafeBufferPointer { g in
                workspace.weightGradient.withUnsafeMutableBufferPointer { out in
                    BLAS.gemm(
                        transposeA: true, m: k, n: d, k: n, a: g.baseAddress!, lda: k, b: x.baseAddress!, ldb: d,
                        c: out.baseAddress!, ldc: d)
                }
            }
        }
        var squaredNorm = 0.0
        for i in 0..<(k * d) {
            squaredNorm += point[i] * point[i]
            gradient[i] = Double(workspace.weightGradient[i]) + penalty * point[i]
        }
        for j in 0..<k { gradient[k * d + j] = biasGradient[j] }
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
