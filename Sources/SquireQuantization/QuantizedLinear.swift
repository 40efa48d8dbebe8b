public import SquireModels
public import SquireTensor

/// A linear layer whose weight is stored in 8 or 4 bits: `y = x · Ŵᵀ + b`.
///
/// The forward pass quantizes each row of `x` to int8 on the fly (one scale per row) and
/// multiplies integers (int8 × int8 or int8 × int4, summed in int32), then scales. The
/// weight is frozen: ``parameters`` holds only the float bias, and the backward pass sends
/// gradients through the dequantized weight, so a LoRA adapter can train on top of it.
public struct QuantizedLinear: LinearLayer, Hashable {
    /// The quantized `[outputDimension, inputDimension]` weight.
    public let weight: QuantizedMatrix
    /// `[outputDimension]`, kept in float.
    public let bias: Tensor

    /// Creates a layer from a quantized weight and a float bias, checking that they agree.
    public init(weight: QuantizedMatrix, bias: Tensor) throws {
        guard bias.shape == [weight.rows] else {
            throw TensorError.shapeMismatch(
                "QuantizedLinear (weight vs bias)", [weight.rows, weight.columns], bias.shape)
        }
        self.weight = weight
        self.bias = bias
    }

    /// Quantizes a float layer's weight; the bias stays in float.
    public init(quantizing linear: Linear, format: QuantizationFormat) throws {
        try self.init(weight: QuantizedMatrix(quantizing: linear.weight, format: format), bias: linear.bias)
    }

    public var inputDimension: Int { weight.columns }
    public var outputDimension: Int { weight.rows }

    public var parameters: NamedTensors {
        var parameters = NamedTensors()
        parameters["bias"] = bias
        return parameters
    }

    public func replacingParameters(_ replacements: NamedTensors) throws -> QuantizedLinear {
        let parameters = try parameters.replacingTensors(with: replacements, context: "QuantizedLinear")
        return try QuantizedLinear(weight: weight, bias: parameters.tensor(forKey: "bias"))
    }

    /// The float layer the quantized one stands for.
    public func dequantized() throws -> Linear {
        try Linear(weight: weight.dequantized(), bias: bias)
    }

    /// `x · Ŵᵀ + b + residual` with the fastest integer kernel the CPU runs. The weight is
    /// frozen and the layer has no randomness, so training changes only that the input is
    /// kept as the cache.
    ///
    /// - Throws: `TensorError.shapeMismatch` for a wrong input or residual shape;
    ///   ``QuantizationError/nonFiniteInput(_:)`` when `x` holds NaN or infinity.
    public func forward(_ x: Tensor, adding residual: Tensor?, training: inout SeededGenerator?) throws -> (
        output: Tensor, cache: LinearLayerCache?
    ) {
        (try forward(x, adding: residual, kernel: .best), training == nil ? nil : LinearLayerCache(input: x))
    }

    /// The product of ``forward(_:adding:training:)`` with a chosen kernel, for tests and
    /// benchmarks; the reference can quantize activations as another kernel does (`activationsLike`).
    package func forward(
        _ x: Tensor, adding residual: Tensor?, kernel: QuantizedKernel, activationsLike: QuantizedKernel? = nil
    ) throws -> Tensor {
        guard let inner = x.shape.last, inner == inputDimension else {
            throw TensorError.shapeMismatch(
                "QuantizedLinear.forward (input vs weight)", x.shape, [weight.rows, weight.columns])
        }
        let rows = x.shape.dropLast().reduce(1, *)
        let outputShape = Array(x.shape.dropLast()) + [outputDimension]
        var output: [Float]
        if let residual {
            guard residual.shape == outputShape else {
                throw TensorError.shapeMismatch(
                    "QuantizedLinear.forward (output vs residual)", outputShape, residual.shape)
            }
            output = try (residual + bias).scalars
        } else {
            let bias = bias.scalars
            output = []
            output.reserveCapacity(rows * outputDimension)
            for _ in 0..<rows { output.append(contentsOf: bias) }
        }
        try x.withUnsafeBufferPointer { input in
            try output.withUnsafeMutableBufferPointer { out in
                try weight.accumulateProduct(
                    input, rows: rows, into: out, kernel: kernel, activationsLike: activationsLike)
            }
        }
        return try Tensor(shape: outputShape, scalars: output)
    }

    /// `∂L/∂x = ∂L/∂y · Ŵ` through the dequantized weight, and `∂L/∂b` when selected; the
    /// quantized weight itself gets no gradient.
    public func backward(
        _ outputGradient: Tensor, cache: LinearLayerCache, parametersWhere selected: (String) -> Bool
    ) throws -> (input: Tensor, parameters: NamedTensors) {
        let input = cache.input
        let rows = input.shape.dropLast().reduce(1, *)
        guard input.shape.last == inputDimension,
            outputGradient.shape == Array(input.shape.dropLast()) + [outputDimension]
        else {
            throw TensorError.shapeMismatch(
                "QuantizedLinear.backward (input vs output gradient)", input.shape, outputGradient.shape)
        }
        let flatGradient = try outputGradient.reshaped(to: [rows, outputDimension])
        var parameters = NamedTensors()
        if selected("bias") { parameters["bias"] = try flatGradient.sum(alongAxis: 0) }
        return (try Tensor.matmul(flatGradient, weight.dequantized()).reshaped(to: input.shape), parameters)
    }
}
