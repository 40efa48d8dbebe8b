extension Tensor {
    /// A tensor of `shape` with elements drawn uniformly from `range`.
    public static func uniform(
        _ shape: [Int], in range: ClosedRange<Float> = 0...1, using generator: inout SeededGenerator
    ) throws -> Tensor {
        let count = try elementCount(of: shape)
        let width = range.upperBound - range.lowerBound
        var scalars = [Float]()
        scalars.reserveCapacity(count)
        for _ in 0..<count {
            scalars.append(range.lowerBound + width * generator.nextUnitFloat())
        }
        return Tensor(unchecked: shape, scalars: scalars)
    }

    /// A tensor of `shape` with elements drawn from a normal distribution.
    public static func normal(
        _ shape: [Int], mean: Float = 0, standardDeviation: Float = 1, using generator: inout SeededGenerator
    ) throws -> Tensor {
        guard standardDeviation >= 0, standardDeviation.isFinite, mean.isFinite else {
            throw TensorError.invalidArgument(
                "normal needs a finite mean and a finite, non-negative standard deviation")
        }
        let count = try elementCount(of: shape)
        var scalars = [Float]()
        scalars.reserveCapacity(count)
        for _ in 0..<count {
            scalars.append(Float(Double(mean) + Double(standardDeviation) * generator.nextStandardNormal()))
        }
        return Tensor(unchecked: shape, scalars: scalars)
    }

    /// Xavier (Glorot) uniform initialization for a weight of shape `[outputDim, inputDim]`:
    /// `U(-a, a)` with `a = gain * sqrt(6 / (inputDim + outputDim))`, as torch's `xavier_uniform_`.
    public static func xavierUniform(_ shape: [Int], gain: Float = 1, using generator: inout SeededGenerator) throws
        -> Tensor
    {
        let (fanIn, fanOut) = try fans(of: shape)
        let bound = gain * (6 / Float(fanIn + fanOut)).squareRoot()
        return try uniform(shape, in: -bound...bound, using: &generator)
    }

    /// Xavier (Glorot) normal initialization: `N(0, gain² · 2 / (inputDim + outputDim))`.
    public static func xavierNormal(_ shape: [Int], gain: Float = 1, using generator: inout SeededGenerator) throws
        -> Tensor
    {
        let (fanIn, fanOut) = try fans(of: shape)
        return try normal(shape, standardDeviation: gain * (2 / Float(fanIn + fanOut)).squareRoot(), using: &generator)
    }

    /// Kaiming (He) uniform initialization: `U(-a, a)` with `a = gain * sqrt(3 / inputDim)`.
    ///
    /// The default gain `sqrt(2)` suits ReLU layers, as torch's `kaiming_uniform_` does;
    /// pass `gain: sqrt(1 / 3)` to match `nn.Linear`'s default weight initialization.
    public static func kaimingUniform(
        _ shape: [Int], gain: Float = Float(2).squareRoot(), using generator: inout SeededGenerator
    ) throws -> Tensor {
        let (fanIn, _) = try fans(of: shape)
        let bound = gain * (3 / Float(fanIn)).squareRoot()
        return try uniform(shape, in: -bound...bound, using: &generator)
    }

    /// Kaiming (He) normal initialization: `N(0, gain² / inputDim)`.
    public static func kaimingNormal(
        _ shape: [Int], gain: Float = Float(2).squareRoot(), using generator: inout SeededGenerator
    ) throws -> Tensor {
        let (fanIn, _) = try fans(of: shape)
        return try normal(shape, standardDeviation: gain / Float(fanIn).squareRoot(), using: &generator)
    }

    /// Fan-in and fan-out as torch computes them: a weight `[out, in, …]` has
    /// `fanIn = in · receptive field` and `fanOut = out · receptive field`.
    private static func fans(of shape: [Int]) throws -> (fanIn: Int, fanOut: Int) {
        guard shape.count >= 2, shape.allSatisfy({ $0 > 0 }) else {
            throw TensorError.invalidArgument(
                "initialization needs a weight shape [outputDim, inputDim, …] with positive extents, got \(shape)")
        }
        let receptive = shape.dropFirst(2).reduce(1, *)
        return (shape[1] * receptive, shape[0] * receptive)
    }
}
