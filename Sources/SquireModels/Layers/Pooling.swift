public import SquireTensor

/// How token states become one sentence vector, as sentence-transformers' `Pooling` module.
public enum Pooling: String, Sendable, Hashable, Codable {
    /// The mean over the sequence's tokens (all-MiniLM-L6-v2).
    case mean
    /// The first token's state (`[CLS]`).
    case classifierToken = "cls"
    /// The elementwise maximum over the tokens.
    case max
    /// The sum over the tokens divided by the square root of their count.
    case meanSquareRootLength = "mean_sqrt_len"

    /// `[B, D]` from packed `[N, D]` states whose sequences occupy `ranges` of rows.
    public func pool(_ states: Tensor, sequences ranges: [Range<Int>]) throws -> Tensor {
        let width = states.shape[1]
        var pooled: [Float] = []
        pooled.reserveCapacity(ranges.count * width)
        for range in ranges {
            guard !range.isEmpty else { throw TensorError.invalidArgument("pooling an empty sequence") }
            let rows = try states.rows(range)
            switch self {
            case .mean: pooled += try rows.mean(alongAxis: 0).scalars
            case .classifierToken: pooled += try rows.rows(0..<1).scalars
            case .max: pooled += try rows.max(alongAxis: 0).scalars
            case .meanSquareRootLength: pooled += try (rows.sum(alongAxis: 0) / Float(range.count).squareRoot()).scalars
            }
        }
        return try Tensor(shape: [ranges.count, width], scalars: pooled)
    }
}

extension Pooling {
    /// Backward of ``pool(_:sequences:)``: `∂L/∂states` (`[N, D]`) from `∂L/∂pooled` (`[B, D]`).
    ///
    /// - Parameter states: the forward pass's input, which max pooling needs to know which
    ///   token won each component (ties go to the first).
    public func backward(_ pooledGradient: Tensor, states: Tensor, sequences ranges: [Range<Int>]) throws -> Tensor {
        let width = states.shape[1]
        guard pooledGradient.shape == [ranges.count, width] else {
            throw TensorError.shapeMismatch(
                "Pooling.backward (pooled gradient vs sequences)", pooledGradient.shape, [ranges.count, width])
        }
        var gradient = [Float](repeating: 0, count: states.count)
        for (index, range) in ranges.enumerated() {
            let upstream = Array(pooledGradient.scalars[(index * width)..<((index + 1) * width)])
            switch self {
            case .mean, .meanSquareRootLength:
                let divisor = self == .mean ? Float(range.count) : Float(range.count).squareRoot()
                for row in range { for j in 0..<width { gradient[row * width + j] = upstream[j] / divisor } }
            case .classifierToken:
                for j in 0..<width { gradient[range.lowerBound * width + j] = upstream[j] }
            case .max:
                for j in 0..<width {
                    var winner = range.lowerBound
                    for row in range where states.scalars[row * width + j] > states.scalars[winner * width + j] {
                        winner = row
                    }
                    gradient[winner * width + j] = upstream[j]
                }
            }
        }
        return try Tensor(shape: states.shape, scalars: gradient)
    }
}
