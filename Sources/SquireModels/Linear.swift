public import SquireTensor

/// A layer that maps the last axis of its input from `inputDimension` to `outputDimension`.
///
/// Plain, LoRA-adapted and quantized linear layers all conform, so a model can swap
/// one for another by key without knowing which it holds.
public protocol LinearLayer: Sendable {
    /// The width of the input's last axis.
    var inputDimension: Int { get }
    /// The width of the output's last axis.
    var outputDimension: Int { get }
    /// `x · Wᵀ + b` for `x` of shape `[…, inputDimension]`.
    func forward(_ x: Tensor) throws -> Tensor
}

/// A dense layer `y = x · Wᵀ + b`, with the weight stored `[out, in]` as checkpoints store it.
public struct Linear: LinearLayer, Hashable {
    /// `[outputDimension, inputDimension]`.
    public var weight: Tensor
    /// `[outputDimension]`.
    public var bias: Tensor

    /// Creates a layer from its parameters, checking that their shapes agree.
    public init(weight: Tensor, bias: Tensor) throws {
        guard weight.rank == 2, bias.shape == [weight.shape[0]] else {
            throw TensorError.shapeMismatch("Linear (weight vs bias)", weight.shape, bias.shape)
        }
        self.weight = weight
        self.bias = bias
    }

    public var inputDimension: Int { weight.shape[1] }
    public var outputDimension: Int { weight.shape[0] }

    public func forward(_ x: Tensor) throws -> Tensor {
        try forward(x, adding: nil)
    }

    /// `x · Wᵀ + b + residual` in one product: the output starts as the bias (plus the
    /// residual) and sgemm accumulates into it, which saves two passes over the output and
    /// BLAS's own zeroing of it.
    ///
    /// - Parameter residual: added to the result; the output's shape, `[…, outputDimension]`.
    public func forward(_ x: Tensor, adding residual: Tensor?) throws -> Tensor {
        guard let inner = x.shape.last, inner == inputDimension else {
            throw TensorError.shapeMismatch("Linear.forward (input vs weight)", x.shape, weight.shape)
        }
        let rows = x.shape.dropLast().reduce(1, *)
        let outputShape = Array(x.shape.dropLast()) + [outputDimension]
        let width = outputDimension
        var output: [Float]
        if let residual {
            guard residual.shape == outputShape else {
                throw TensorError.shapeMismatch("Linear.forward (output vs residual)", outputShape, residual.shape)
            }
            output = try (residual + bias).scalars
        } else {
            output = [Float](unsafeUninitializedCapacity: rows * width) { buffer, initialized in
                bias.withUnsafeBufferPointer { bias in
                    for row in 0..<rows {
                        _ = UnsafeMutableBufferPointer(rebasing: buffer[(row * width)..<((row + 1) * width)]).initialize(from: bias)
                    }
                }
                initialized = rows * width
            }
        }
        x.withUnsafeBufferPointer { input in
            weight.withUnsafeBufferPointer { weights in
                output.withUnsafeMutableBufferPointer { out in
                    guard let a = input.baseAddress, let b = weights.baseAddress, let c = out.baseAddress else { return }
                    BLAS.gemm(transposeB: true, m: rows, n: width, k: inner, a: a, lda: inner, b: b, ldb: inner, beta: 1, c: c, ldc: width)
                }
            }
        }
        return try Tensor(shape: outputShape, scalars: output)
    }
}

extension Linear {
    /// The gradients of a linear layer's loss with respect to its input and parameters.
    public struct Gradients: Sendable, Hashable {
        /// `[…, inputDimension]`, the input's shape.
        public var input: Tensor
        /// `[outputDimension, inputDimension]`.
        public var weight: Tensor
        /// `[outputDimension]`.
        public var bias: Tensor
    }

    /// Backward of ``forward(_:adding:)``: given `∂L/∂y` for the output, returns
    /// `∂L/∂x = ∂L/∂y · W`, `∂L/∂W = (∂L/∂y)ᵀ · x` and `∂L/∂b = Σ ∂L/∂y` over rows.
    /// A residual added in the forward pass gets `∂L/∂y` itself.
    ///
    /// - Parameters:
    ///   - outputGradient: `[…, outputDimension]`.
    ///   - input: the `x` the forward pass saw, `[…, inputDimension]`: the layer's cache.
    public func backward(_ outputGradient: Tensor, input: Tensor) throws -> Gradients {
        let rows = input.shape.dropLast().reduce(1, *)
        guard input.shape.last == inputDimension, outputGradient.shape == Array(input.shape.dropLast()) + [outputDimension] else {
            throw TensorError.shapeMismatch("Linear.backward (input vs output gradient)", input.shape, outputGradient.shape)
        }
        let flatGradient = try outputGradient.reshaped(to: [rows, outputDimension])
        let flatInput = try input.reshaped(to: [rows, inputDimension])
        let inputGradient = try Tensor.matmul(flatGradient, weight).reshaped(to: input.shape)
        let weightGradient = try Tensor.matmul(flatGradient, flatInput, transposeA: true)
        let biasGradient = try flatGradient.sum(alongAxis: 0)
        return Gradients(input: inputGradient, weight: weightGradient, bias: biasGradient)
    }
}

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
    public func backward(_ outputGradient: Tensor, input x: Tensor) throws -> (input: Tensor, gamma: Tensor, beta: Tensor) {
        guard outputGradient.shape == x.shape, x.shape.last == gamma.count else {
            throw TensorError.shapeMismatch("LayerNorm.backward (input vs output gradient)", x.shape, outputGradient.shape)
        }
        let width = gamma.count
        let rows = x.count / max(width, 1)
        var dx = [Float](repeating: 0, count: x.count)
        var dGamma = [Double](repeating: 0, count: width), dBeta = dGamma
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
                        var meanGradient: Float = 0, meanProduct: Float = 0
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

