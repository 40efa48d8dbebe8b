public import SquireTensor

/// Inverted dropout: during training each element is zeroed with probability `rate` and
/// the survivors scaled by `1 / (1 − rate)`, so inference needs no rescaling.
public struct Dropout: Sendable, Hashable {
    /// The probability of zeroing an element, in `0 ..< 1`.
    public var rate: Float

    /// Creates a dropout layer; throws for a rate outside `0 ..< 1`.
    public init(rate: Float) throws {
        guard rate >= 0, rate < 1 else {
            throw TrainingError.invalidConfiguration("dropout rate must be in 0 ..< 1, got \(rate)")
        }
        self.rate = rate
    }

    /// The output and the mask (`0` or `1/(1−rate)` per element), which `backward` needs.
    public func forward(_ x: Tensor, using generator: inout SeededGenerator) throws -> (output: Tensor, mask: Tensor) {
        guard rate > 0 else { return (x, try Tensor.ones(x.shape)) }
        let keep = 1 / (1 - rate)
        let mask = try Tensor(
            shape: x.shape, scalars: (0..<x.count).map { _ in generator.nextUnitFloat() < rate ? 0 : keep })
        return (try x * mask, mask)
    }

    /// `∂L/∂x`: the output gradient through the same mask.
    public func backward(_ outputGradient: Tensor, mask: Tensor) throws -> Tensor {
        try outputGradient * mask
    }
}
