public import SquireTensor

/// Layer normalization over the last axis with a learned scale and shift.
public struct LayerNorm: Sendable, Hashable {
    /// `[D]`, the scale (checkpoint key `…LayerNorm.weight`).
    public var gamma: Tensor
    /// `[D]`, the shift (checkpoint key `…LayerNorm.bias`).
    public var beta: Tensor
    /// Added to the variance.
    public var epsilon: Float

    /// Creates a layer norm from its scale and shift, `[D]` each.
    public init(gamma: Tensor, beta: Tensor, epsilon: Float) {
        self.gamma = gamma
        self.beta = beta
        self.epsilon = epsilon
    }

    /// Normalizes `x` of shape `[…, D]`.
    public func forward(_ x: Tensor) throws -> Tensor {
        try x.layerNormalized(gamma: gamma, beta: beta, epsilon: epsilon)
    }
}

extension LayerNorm {
    /// Backward of ``forward(_:)``: `(∂L/∂x, ∂L/∂gamma, ∂L/∂beta)` from `∂L/∂y` and the
    /// forward pass's input `x` (its cache; the mean and variance are recomputed from it).
    public func backward(_ outputGradient: Tensor, input x: Tensor) throws -> (
        input: Tensor, gamma: Tensor, beta: Tensor
    ) {
        guard outputGradient.shape == x.shape, x.shape.last == gamma.count else {
            throw TensorError.shapeMismatch(
                "LayerNorm.backward (input vs output gradient)", x.shape, outputGradient.shape)
        }
        let width = gamma.count
        let rows = x.count / max(width, 1)
        var dx = [Float](repeating: 0, count: x.count)
        var dGamma = [Double](repeating: 0, count: width)
        var dBeta = dGamma
        x.withUnsafeBufferPointer { input in
            outputGradient.withUnsafeBufferPointer { dy in
                gamma.withUnsafeBufferPointer { g in
                    var normalized = [Float](repeating: 0, count: width)
                    for row in 0..<rows {
                        let base = row * width
                        var mean: Float = 0
                        for j in 0..<width { mean += input[base + j] }
                        mean /= Float(width)
                        var variance: Float = 0
                        for j in 0..<width { variance += (input[base + j] - mean) * (input[base + j] - mean) }
                        let inverse = 1 / (variance / Float(width) + epsilon).squareRoot()
                        // dx = r · (dx̂ − mean(dx̂) − x̂ · mean(dx̂ · x̂)), with dx̂ = dy · γ.
                        var meanGradient: Float = 0
                        var meanProduct: Float = 0
                        for j in 0..<width {
                            normalized[j] = (input[base + j] - mean) * inverse
                            let dNormalized = dy[base + j] * g[j]
                            meanGradient += dNormalized
                            meanProduct += dNormalized * normalized[j]
                            dGamma[j] += Double(dy[base + j] * normalized[j])
                            dBeta[j] += Double(dy[base + j])
                        }
                        meanGradient /= Float(width)
                        meanProduct /= Float(width)
                        for j in 0..<width {
                            dx[base + j] = inverse * (dy[base + j] * g[j] - meanGradient - normalized[j] * meanProduct)
                        }
                    }
                }
            }
        }
        return (try Tensor(shape: x.shape, scalars: dx), Tensor(dGamma.map(Float.init)), Tensor(dBeta.map(Float.init)))
    }
}
