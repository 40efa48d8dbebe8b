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
        try Tensor.matmul(x, weight, transposeB: true) + bias
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

    /// Normalizes `x` of shape `[…, D]`.
    public func forward(_ x: Tensor) throws -> Tensor {
        try x.layerNormalized(gamma: gamma, beta: beta, epsilon: epsilon)
    }
}
