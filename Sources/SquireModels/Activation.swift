#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
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
            throw TensorError.shapeMismatch("\(rawValue).backward (input vs output gradient)", x.shape, outputGradient.shape)
        }
        var derivative = [Float](repeating: 0, count: x.count)
        x.withUnsafeBufferPointer { input in
            switch self {
            case .relu:
                for i in input.indices { derivative[i] = input[i] > 0 ? 1 : 0 }
            case .gelu:
                // d/dx [x·Φ(x)] = Φ(x) + x·φ(x).
                for i in input.indices {
                    let v = Double(input[i])
                    let cdf = 0.5 * erfc(-v / 2.0.squareRoot())
                    let density = exp(-0.5 * v * v) / (2 * Double.pi).squareRoot()
                    derivative[i] = Float(cdf + v * density)
                }
            }
        }
        return try outputGradient * Tensor(shape: x.shape, scalars: derivative)
    }
}
