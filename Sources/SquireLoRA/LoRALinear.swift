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
        // The adapter's keys sit beside the base's, as in PEFT's files, so the base must not use them.
        for key in Self.adapterKeys where base.parameters.contains(key: key) {
            throw NamedTensorsError.repeatedKey(key)
        }
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

    /// The keys of the adapter's own parameters, PEFT's.
    static let adapterKeys = ["lora_A.weight", "lora_B.weight"]

    /// The base layer's parameters under their own keys, then `lora_A.weight` and `lora_B.weight`.
    public var parameters: NamedTensors {
        var parameters = base.parameters
        parameters["lora_A.weight"] = a
        parameters["lora_B.weight"] = b
        return parameters
    }

    public func replacingParameters(_ replacements: NamedTensors) throws -> LoRALinear {
        let parameters = try parameters.replacingTensors(with: replacements, context: "LoRALinear")
        return try LoRALinear(
            base: base.replacingParameters(parameters.filter(keys: { !Self.adapterKeys.contains($0) })),
            a: parameters.tensor(forKey: "lora_A.weight"), b: parameters.tensor(forKey: "lora_B.weight"),
            scale: scale, dropout: dropout)
    }

    /// The base layer's output plus the adapter's, the adapter's input dropped out in
    /// training only. Training saves `drop(x) · Aᵀ` (`[rows, r]`, key `lora_A.output`) and the
    /// dropout mask (`lora_dropout.mask`) beside the base layer's own cache (under `base.`).
    public func forward(_ x: Tensor, adding residual: Tensor?, training: inout SeededGenerator?) throws -> (
        output: Tensor, cache: LinearLayerCache?
    ) {
        let (baseOutput, baseCache) = try base.forward(x, adding: residual, training: &training)
        let (dropped, mask) = try dropout.forward(flattened(x), training: &training)
        let projected = try Tensor.matmul(dropped, a, transposeB: true)
        let delta = try Tensor.matmul(projected, b, transposeB: true, alpha: scale)
        let output = try baseOutput + delta.reshaped(to: baseOutput.shape)
        guard let baseCache else { return (output, nil) }
        var saved = baseCache.saved.prefixingKeys(with: "base.")
        saved["lora_A.output"] = projected
        saved["lora_dropout.mask"] = mask
        return (output, LinearLayerCache(input: x, saved: saved))
    }

    public func backward(
        _ outputGradient: Tensor, cache: LinearLayerCache, parametersWhere selected: (String) -> Bool
    ) throws -> (input: Tensor, parameters: NamedTensors) {
        guard let projected = cache.saved["lora_A.output"] else {
            throw TensorError.invalidArgument("LoRALinear.backward needs the cache of its own training forward pass")
        }
        let mask = cache.saved["lora_dropout.mask"]
        let baseCache = LinearLayerCache(input: cache.input, saved: cache.saved.scoped("base"))
        let baseGradients = try base.backward(outputGradient, cache: baseCache, parametersWhere: selected)

        let rows = projected.shape[0]
        let flatGradient = try outputGradient.reshaped(to: [rows, outputDimension])
        // ∂L/∂(x·Aᵀ) = scale · ∂L/∂y · B, which both A's gradient and the input's need.
        let projectedGradient = try Tensor.matmul(flatGradient, b, alpha: scale)
        var parameters = baseGradients.parameters
        if selected("lora_A.weight") {
            var dropped = try flattened(cache.input)
            if let mask { dropped = try dropped * mask }
            parameters["lora_A.weight"] = try Tensor.matmul(projectedGradient, dropped, transposeA: true)
        }
        if selected("lora_B.weight") {
            parameters["lora_B.weight"] = try Tensor.matmul(flatGradient, projected, transposeA: true, alpha: scale)
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
