public import SquireTensor

/// An elementwise nonlinearity between layers, with its derivative for the backward pass.
public enum Activation: String, Sendable, Hashable, Codable, CaseIterable {
    /// `max(0, x)`.
    case relu
    /// `x · Φ(x)` with the exact Gaussian CDF, as BERT and torch's default `GELU` compute it.
    case gelu

    /// Applies the function elementwise.
    public func forward(_ x: Tensor) -> Tensor {
        switch self {
        case .relu: x.relu()
        case .gelu: x.gelu()
        }
    }

    /// `∂L/∂x` from `∂L/∂y` and the forward pass's input `x` (its cache).
    public func backward(_ outputGradient: Tensor, input x: Tensor) throws -> Tensor {
        guard outputGradient.shape == x.shape else {
            throw TensorError.shapeMismatch(
                "\(rawValue).backward (input vs output gradient)", x.shape, outputGradient.shape)
        }
        switch self {
        case .relu:
            let derivative = x.scalars.map { $0 > 0 ? Float(1) : 0 }
            return try outputGradient * Tensor(shape: x.shape, scalars: derivative)
        case .gelu:
            return try outputGradient * x.geluDerivative()
        }
    }
}
