public import SquireTensor

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

    public var parameters: NamedTensors {
        var parameters = NamedTensors()
        parameters["weight"] = weight
        parameters["bias"] = bias
        return parameters
    }

    public func replacingParameters(_ replacements: NamedTensors) throws -> Linear {
        let parameters = try parameters.replacingTensors(with: replacements, context: "Linear")
        return try Linear(weight: parameters.tensor(forKey: "weight"), bias: parameters.tensor(forKey: "bias"))
    }

    /// `x · Wᵀ + b + residual` in one product: the output starts as the bias (plus the
    /// residual) and sgemm accumulates into it, which saves two passes over the output and
    /// BLAS's own zeroing of it. In training the cache is the input, all the backward pass needs.
    ///
    /// - Parameter residual: added to the result; the output's shape, `[…, outputDimension]`.
    public func forward(_ x: Tensor, adding residual: Tensor?, training: inout SeededGenerator?) throws -> (
        output: Tensor, cache: LinearLayerCache?
    ) {
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
                        _ = UnsafeMutableBufferPointer(rebasing: buffer[(row * width)..<((row + 1) * width)])
                            .initialize(from: bias)
                    }
                }
                initialized = rows * width
            }
        }
        x.withUnsafeBufferPointer { input in
            weight.withUnsafeBufferPointer { weights in
                output.withUnsafeMutableBufferPointer { out in
                    guard let a = input.baseAddress, let b = weights.baseAddress, let c = out.baseAddress else {
                        return
                    }
                    BLAS.gemm(
                        transposeB: true, m: rows, n: width, k: inner, a: a, lda: inner, b: b, ldb: inner, beta: 1,
                        c: c, ldc: width)
                }
            }
        }
        return (try Tensor(shape: outputShape, scalars: output), training == nil ? nil : LinearLayerCache(input: x))
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

    /// Backward of ``forward(_:adding:training:)``: given `∂L/∂y` for the output, returns
    /// `∂L/∂x = ∂L/∂y · W`, `∂L/∂W = (∂L/∂y)ᵀ · x` and `∂L/∂b = Σ ∂L/∂y` over rows.
    /// A residual added in the forward pass gets `∂L/∂y` itself.
    ///
    /// - Parameters:
    ///   - outputGradient: `[…, outputDimension]`.
    ///   - input: the `x` the forward pass saw, `[…, inputDimension]`: the layer's cache.
    public func backward(_ outputGradient: Tensor, input: Tensor) throws -> Gradients {
        let rows = input.shape.dropLast().reduce(1, *)
        guard input.shape.last == inputDimension,
            outputGradient.shape == Array(input.shape.dropLast()) + [outputDimension]
        else {
            throw TensorError.shapeMismatch(
                "Linear.backward (input vs output gradient)", input.shape, outputGradient.shape)
        }
        let flatGradient = try outputGradient.reshaped(to: [rows, outputDimension])
        let flatInput = try input.reshaped(to: [rows, inputDimension])
        let inputGradient = try Tensor.matmul(flatGradient, weight).reshaped(to: input.shape)
        let weightGradient = try Tensor.matmul(flatGradient, flatInput, transposeA: true)
        let biasGradient = try flatGradient.sum(alongAxis: 0)
        return Gradients(input: inputGradient, weight: weightGradient, bias: biasGradient)
    }

    public func backward(
        _ outputGradient: Tensor, cache: LinearLayerCache, parametersWhere selected: (String) -> Bool
    ) throws -> (input: Tensor, parameters: NamedTensors) {
        let input = cache.input
        let rows = input.shape.dropLast().reduce(1, *)
        guard input.shape.last == inputDimension,
            outputGradient.shape == Array(input.shape.dropLast()) + [outputDimension]
        else {
            throw TensorError.shapeMismatch(
                "Linear.backward (input vs output gradient)", input.shape, outputGradient.shape)
        }
        let flatGradient = try outputGradient.reshaped(to: [rows, outputDimension])
        var parameters = NamedTensors()
        if selected("weight") {
            parameters["weight"] = try Tensor.matmul(
                flatGradient, input.reshaped(to: [rows, inputDimension]), transposeA: true)
        }
        if selected("bias") { parameters["bias"] = try flatGradient.sum(alongAxis: 0) }
        return (try Tensor.matmul(flatGradient, weight).reshaped(to: input.shape), parameters)
    }
}
