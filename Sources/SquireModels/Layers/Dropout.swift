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

    /// The output and the mask (`0` or `1/(1−rate)` per element) that `backward` needs.
    ///
    /// For inference (`training` nil), and at rate 0, `x` itself and no mask: nothing is
    /// drawn, allocated or scaled.
    public func forward(_ x: Tensor, training: inout SeededGenerator?) throws -> (output: Tensor, mask: Tensor?) {
        guard rate > 0, var generator = training else { return (x, nil) }
        defer { training = generator }
        let keep = 1 / (1 - rate)
        let mask = try Tensor(
            shape: x.shape, scalars: (0..<x.count).map { _ in generator.nextUnitFloat() < rate ? 0 : keep })
        return (try x * mask, mask)
    }

    /// ``forward(_:training:)`` in training, with a mask of ones at rate 0.
    public func forward(_ x: Tensor, using generator: inout SeededGenerator) throws -> (output: Tensor, mask: Tensor) {
        let (output, mask) = try generator.training { try forward(x, training: &$0) }
        return (output, try mask ?? Tensor.ones(x.shape))
    }

    /// `∂L/∂x`: the output gradient through the same mask; nil, the mask of a pass that
    /// dropped nothing, passes it through.
    public func backward(_ outputGradient: Tensor, mask: Tensor?) throws -> Tensor {
        guard let mask else { return outputGradient }
        return try outputGradient * mask
    }
}
