public import SquireTensor

/// A layer that maps the last axis of its input from `inputDimension` to `outputDimension`.
///
/// Plain, LoRA-adapted and quantized linear layers all conform, so an encoder can hold any
/// of them under a checkpoint key and train or run without knowing which it holds.
public protocol LinearLayer: Sendable {
    /// The width of the input's last axis.
    var inputDimension: Int { get }
    /// The width of the output's last axis.
    var outputDimension: Int { get }
    /// The layer's tensors under keys relative to the layer (`weight`, `bias`,
    /// `lora_A.weight`), in a fixed order.
    var parameters: NamedTensors { get }

    /// The same layer with the tensors of `replacements` in place of the parameters under
    /// the same keys (relative, as in ``parameters``); the others stay.
    ///
    /// - Throws: ``NamedTensorsError`` for a key the layer has no parameter for, or a tensor
    ///   of another shape than the one it replaces.
    func replacingParameters(_ replacements: NamedTensors) throws -> Self

    /// The layer's one forward pass: `x · Wᵀ + b` (plus `residual` when given) for `x` of
    /// shape `[…, inputDimension]`.
    ///
    /// For inference `training` is nil: no dropout, and no cache. In training, randomness
    /// (dropout) is drawn from `training` and the cache is what
    /// ``backward(_:cache:parametersWhere:)`` needs.
    ///
    /// - Parameter residual: added to the result; the output's shape, `[…, outputDimension]`.
    func forward(_ x: Tensor, adding residual: Tensor?, training: inout SeededGenerator?) throws -> (
        output: Tensor, cache: LinearLayerCache?
    )

    /// `∂L/∂x` from `∂L/∂y`, and the gradients of the parameters whose relative keys
    /// `selected` accepts, under those keys in ``parameters`` order. A residual added in the
    /// forward pass gets `∂L/∂y` itself. Parameters not selected cost nothing: a frozen layer
    /// computes only what flows through it.
    func backward(
        _ outputGradient: Tensor, cache: LinearLayerCache, parametersWhere selected: (String) -> Bool
    ) throws -> (input: Tensor, parameters: NamedTensors)
}

extension LinearLayer {
    /// `x · Wᵀ + b` for `x` of shape `[…, inputDimension]`, for inference.
    public func forward(_ x: Tensor) throws -> Tensor {
        try forward(x, adding: nil)
    }

    /// `x · Wᵀ + b + residual`, for inference: ``forward(_:adding:training:)`` without training.
    public func forward(_ x: Tensor, adding residual: Tensor?) throws -> Tensor {
        var inference: SeededGenerator? = nil
        return try forward(x, adding: residual, training: &inference).output
    }

    /// ``forward(_:adding:training:)`` in training, with its randomness drawn from `generator`.
    public func forwardCaching(_ x: Tensor, adding residual: Tensor?, using generator: inout SeededGenerator) throws
        -> (output: Tensor, cache: LinearLayerCache)
    {
        let (output, cache) = try generator.training { try forward(x, adding: residual, training: &$0) }
        guard let cache else { throw missingCache(Self.self) }
        return (output, cache)
    }

    /// The same layer with `tensors` as its parameters, in ``parameters`` order.
    ///
    /// - Throws: ``NamedTensorsError/countMismatch(keys:tensors:)`` for a wrong count, and
    ///   what the keyed `replacingParameters` throws.
    public func replacingParameters(_ tensors: [Tensor]) throws -> Self {
        try replacingParameters(NamedTensors(keys: parameters.keys, tensors: tensors))
    }

    /// The number of scalars in ``parameters``.
    public var parameterCount: Int {
        parameters.tensors.reduce(0) { $0 + $1.count }
    }
}

/// What a ``LinearLayer``'s backward pass needs from its forward pass.
public struct LinearLayerCache: Sendable {
    /// The forward pass's input, `[…, inputDimension]`.
    public var input: Tensor
    /// Whatever else the layer keeps, under keys of its own choosing; a LoRA layer keeps the
    /// input's projection to rank r and its dropout mask.
    public var saved: NamedTensors

    /// Creates a cache.
    public init(input: Tensor, saved: NamedTensors = NamedTensors()) {
        self.input = input
        self.saved = saved
    }
}
