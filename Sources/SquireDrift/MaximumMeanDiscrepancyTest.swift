import SquireCore

#if canImport(Glibc)
    import Glibc
#else
    import Darwin
#endif

/// The kernel two-sample test on embeddings: maximum mean discrepancy with a Gaussian RBF
/// kernel and a permutation p-value.
///
/// The kernel is `k(x, y) = exp(−‖x − y‖² / (2σ²))` with σ² = half the median squared
/// distance between reference points (the median heuristic, as alibi-detect configures it
/// from the reference), and the statistic is the unbiased MMD² estimate: mean k over
/// reference pairs + mean k over current pairs − 2 × mean k across, diagonals left out.
public struct MaximumMeanDiscrepancyTest: Sendable, Hashable, Codable {
    /// The unbiased MMD² estimate (may be slightly negative when the samples agree).
    public var statistic: Double
    /// The kernel's σ.
    public var bandwidth: Double
    /// (1 + permutations with a statistic ≥ the observed) / (1 + permutations).
    public var pValue: Double
    /// Random relabellings of the pooled sample drawn.
    public var permutations: Int

    /// Compares two sets of vectors, each with at least two rows of the same dimension.
    ///
    /// - Parameters:
    ///   - bandwidth: σ; `nil` picks it by the median heuristic on the reference.
    ///   - permutations: relabellings for the p-value; 0 skips it (p-value 1).
    public init(
        reference: [[Double]], current: [[Double]], bandwidth: Double? = nil, permutations: Int = 500, seed: UInt64 = 0
    ) throws {
        guard reference.count >= 2 else {
            throw DriftInputError.empty("reference embedding sample (needs at least 2 vectors)")
        }
        guard current.count >= 2 else {
            throw DriftInputError.empty("current embedding sample (needs at least 2 vectors)")
        }
        let dimension = reference[0].count
        for vector in reference + current {
            guard vector.count == dimension else {
                throw DriftInputError.dimensionMismatch(expected: dimension, actual: vector.count)
            }
            guard vector.allSatisfy(\.isFinite) else { throw DriftInputError.nonFinite("embedding sample") }
        }
        guard permutations >= 0 else { throw DriftInputError.invalidSetting("permutations must be ≥ 0") }
        let pooled = reference + current
        let total = pooled.count
        var squared = [Double](repeating: 0, count: total * total)
        for i in 0..<total {
            for j in (i + 1)..<max(i + 1, total) {
                var sum = 0.0
                for k in 0..<dimension {
                    let d = pooled[i][k] - pooled[j][k]
                    sum += d * d
                }
                squared[i * total + j] = sum
                squared[j * total + i] = sum
            }
        }
        let sigma: Double
        if let bandwidth {
            guard bandwidth > 0, bandwidth.isFinite else {
                throw DriftInputError.invalidSetting("the bandwidth must be a positive number")
            }
            sigma = bandwidth
        } else {
            var pairs: [Double] = []
            let m = reference.count
            pairs.reserveCapacity(m * (m - 1) / 2)
            for i in 0..<m { for j in (i + 1)..<m { pairs.append(squared[i * total + j]) } }
            pairs.sort()
            let median = pairs[(pairs.count + 1) / 2 - 1]
            sigma = median > 0 ? (median / 2).squareRoot() : 1
        }
        let gamma = 1 / (2 * sigma * sigma)
        var kernel = squared.map { exp(-gamma * $0) }
        for i in 0..<total { kernel[i * total + i] = 0 }

        func mmd(_ order: [Int]) -> Double {
            let m = reference.count
            let n = current.count
            var xx = 0.0
            var yy = 0.0
            var xy = 0.0
            for a in 0..<total {
                let row = order[a] * total
                for b in 0..<total {
                    let value = kernel[row + order[b]]
                    switch (a < m, b < m) {
                    case (true, true): xx += value
                    case (false, false): yy += value
                    case (true, false): xy += value
                    case (false, true): break  // the other half of the symmetric cross block
                    }
                }
            }
            return xx / Double(m * (m - 1)) + yy / Double(n * (n - 1)) - 2 * xy / Double(m * n)
        }
        var order = Array(0..<total)
        statistic = mmd(order)
        self.bandwidth = sigma
        self.permutations = permutations
        var generator = SplitMix64(seed: seed)
        var atLeast = 0
        for _ in 0..<permutations {
            order.shuffle(using: &generator)
            if mmd(order) >= statistic { atLeast += 1 }
        }
        pValue = Double(1 + atLeast) / Double(1 + permutations)
    }

    private enum CodingKeys: String, CodingKey {
        case statistic, bandwidth, permutations
        case pValue = "p_value"
    }
}
