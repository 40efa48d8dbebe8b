public import SquireModels
public import SquireTensor

/// A linear layer with a low-rank adapter beside it: `y = base(x) + scale · (drop(x) · Aᵀ) · Bᵀ`.
///
/// The base layer stays frozen and shared (its tensors are never copied or changed); only
/// `A` (`[r, in]`) and `B` (`[out, r]`) train. `B` starts at zero, so a fresh adapter leaves
/// the model's outputs exactly as they were. Dropout applies to the adapter's input during
/// training only.
public struct LoRALinear: LinearLayer {
    /// The wrapped layer, frozen.
    public let base: any LinearLayer
    /// `[rank, inputDimension]`, PEFT's `lora_A.weight`.
    public let a: Tensor
    /// `[outputDimension, rank]`, PEFT's `lora_B.weight`.
    public let b: Tensor
    /// The factor on the adapter's output: `alpha / rank`, or `alpha / √rank` for rsLoRA.
    public let scale: Float
    /// Dropout on the adapter's input.
    public let dropout: Dropout

    /// Creates an adapted layer from its parts, checking that the shapes agree.
    public init(base: any LinearLayer, a: Tensor, b: Tensor, scale: Float, dropout: Dropout) throws {
        guard a.rank == 2, b.rank == 2, a.shape[1] == base.inputDimension, b.shape[0] == base.outputDimension,
            a.shape[0] == b.shape[1]
        else {
            throw TensorError.shapeMismatch("LoRALinear (A vs B)", a.shape, b.shape)
        }
        guard scale.isFinite else { throw TensorError.invalidArgument("the LoRA scale must be finite, got \(scale)") }
        self.base = base
        self.a = a
        self.b = b
        self.scale = scale
        self.dropout = dropout
    }

    /// A fresh adapter on `base`, initialized as PEFT does: `A` uniform in `±1/√in`
    /// (Kaiming-uniform with `a = √5`), `B` zero.
    public init(
        wrapping base: any LinearLayer, configuration: LoRAConfiguration, using generator: inout SeededGenerator
    ) throws {
        let bound = 1 / Float(base.inputDimension).squareRoot()
        try self.init(
            base: base,
            a: Tensor.uniform([configuration.rank, base.inputDimension], in: -bound...bound, using: &generator),
            b: Tensor.zeros([base.outputDimension, configuration.rank]), scale: configuration.scale,
            dropout: Dropout(rate: configuration.dropout))
    }

    /// r.
    public var rank: Int { a.shape[0] }
    public var inputDimension: Int { base.inputDimension }
    public var outputDimension: Int { base.outputDimension }

    /// The base layer's parameters under their own keys, then `lora_A.weight` and `lora_B.weight`.
    public var parameters: [(key: String, tensor: Tensor)] {
        base.parameters + [("lora_A.weight", a), ("lora_B.weight", b)]
    }

    public func replacingParameters(_ tensors: [Tensor]) throws -> LoRALinear {
        let baseCount = base.parameters.count
        guard tensors.count == baseCount + 2 else {
            throw TensorError.invalidArgument(
                "a LoRA layer here has \(baseCount + 2) parameter tensors, got \(tensors.count)")
        }
        guard tensors[baseCount].shape == a.shape, tensors[baseCount + 1].shape == b.shape else {
            throw TensorError.shapeMismatch("LoRALinear.replacingParameters (A)", a.shape, tensors[baseCount].shape)
        }
        return try LoRALinear(
            base: base.replacingParameters(Array(tensors[..<baseCount])), a: tensors[baseCount],
            b: tensors[baseCount + 1],
            scale: scale, dropout: dropout)
    }

    public func forward(_ x: Tensor, adding residual: Tensor?) throws -> Tensor {
        let flat = try flattened(x)
        let projected = try Tensor.matmul(flat, a, transposeB: true)
        let delta = try Tensor.matmul(projected, b, transposeB: true, alpha: scale)
        return try base.forward(x, adding: residual) + delta.reshaped(to: Array(x.shape.dropLast()) + [outputDimension])
    }

    /// Saves `[x · Aᵀ]` (`[rows, r]`) and, with dropout, the mask, after the base layer's own cache.
    public func forwardCaching(_ x: Tensor, adding residual: Tensor?, using generator: inout SeededGenerator) throws
        -> (output: Tensor, cache: LinearLayerCache)
    {
        let (baseOutput, baseCache) = try base.forwardCaching(x, adding: residual, using: &generator)
        var flat = try flattened(x)
        var mask: Tensor?
        if dropout.rate > 0 {
            let dropped = try dropout.forward(flat, using: &generator)
            (flat, mask) = (dropped.output, dropped.mask)
        }
        let projected = try Tensor.matmul(flat, a, transposeB: true)
        let delta = try Tensor.matmul(projected, b, transposeB: true, alpha: scale)
        let output = try baseOutput + delta.reshaped(to: baseOutput.shape)
        return (output, LinearLayerCache(input: x, saved: baseCache.saved + [projected] + (mask.map { [$0] } ?? [])))
    }

    public func backward(
        _ outputGradient: Tensor, cache: LinearLayerCache, parametersWhere selected: (String) -> Bool
    ) throws -> (input: Tensor, parameters: [Tensor]) {
        let own = dropout.rate > 0 ? 2 : 1
        guard cache.saved.count >= own else {
            throw TensorError.invalidArgument("LoRALinear.backward needs the cache of forwardCaching")
        }
        let baseCache = LinearLayerCache(input: cache.input, saved: Array(cache.saved.dropLast(own)))
        let projected = cache.saved[cache.saved.count - own]
        let mask = own == 2 ? cache.saved.last : nil
        let baseGradients = try base.backward(outputGradient, cache: baseCache, parametersWhere: selected)

        let rows = projected.shape[0]
        let flatGradient = try outputGradient.reshaped(to: [rows, outputDimension])
        // ∂L/∂(x·Aᵀ) = scale · ∂L/∂y · B, which both A's gradient and the input's need.
        let projectedGradient = try Tensor.matmul(flatGradient, b, alpha: scale)
        var parameters = baseGradients.parameters
        if selected("lora_A.weight") {
            var dropped = try flattened(cache.input)
            if let mask { dropped = try dropped * mask }
            parameters.append(try Tensor.matmul(projectedGradient, dropped, transposeA: true))
        }
        if selected("lora_B.weight") {
            parameters.append(try Tensor.matmul(flatGradient, projected, transposeA: true, alpha: scale))
        }
        var adapterInputGradient = try Tensor.matmul(projectedGradient, a)
        if let mask { adapterInputGradient = try adapterInputGradient * mask }
        let input = try baseGradients.input + adapterInputGradient.reshaped(to: cache.input.shape)
        return (input, parameters)
    }

    /// The adapter folded into a plain layer: `W + scale · B · A`, the base's bias kept.
    ///
    /// Throws when the base is not a plain ``Linear`` (a quantized base has no float weight to fold into).
    public func merged() throws -> Linear {
        guard let linear = base as? Linear else {
            throw TensorError.invalidArgument(
                "only an adapter on a plain Linear layer can be merged; this base is a \(type(of: base))")
        }
        return try Linear(weight: linear.weight + Tensor.matmul(b, a, alpha: scale), bias: linear.bias)
    }

    private func flattened(_ x: Tensor) throws -> Tensor {
        guard x.shape.last == inputDimension else {
            throw TensorError.shapeMismatch("LoRALinear.forward (input vs A)", x.shape, a.shape)
        }
        return try x.reshaped(to: [x.count / max(inputDimension, 1), inputDimension])
    }
}
