#if canImport(Glibc)
    import Glibc
#else
    import Darwin
#endif

/// The population stability index: Σ (current − reference) · ln(current / reference) over
/// bins, the binned form of the symmetric Kullback–Leibler divergence.
///
/// Rules of thumb from credit scoring: below 0.1 stable, 0.1–0.25 a moderate shift, above
/// 0.25 a major one. Squire derives its alert band from reference chunks instead (see
/// ``ReferenceProfile``), but the thumb rules are a sane default.
public enum PopulationStabilityIndex {
    /// Proportions of empty bins are raised to this, so the logarithm stays finite.
    public static let floor = 1e-4

    /// Bin edges at the reference's quantiles 1/b … (b−1)/b (numpy's linear interpolation),
    /// duplicates removed: values ≤ edges[0] fall in the first bin, values > the last edge in the last.
    public static func quantileEdges(of reference: [Double], bins: Int = 10) throws -> [Double] {
        try DriftInputError.checkSample(reference, name: "reference")
        guard bins >= 2 else { throw DriftInputError.invalidSetting("PSI needs at least 2 bins") }
        let sorted = reference.sorted()
        var edges: [Double] = []
        for k in 1..<bins {
            let edge = quantile(sorted, Double(k) / Double(bins))
            if edges.last != edge { edges.append(edge) }
        }
        return edges
    }

    /// The share of `values` in each of the `edges.count + 1` bins.
    public static func proportions(of values: [Double], edges: [Double]) -> [Double] {
        var counts = [Int](repeating: 0, count: edges.count + 1)
        for value in values {
            // The first edge not below the value: bins are (e[k−1], e[k]].
            var low = 0
            var high = edges.count
            while low < high {
                let middle = (low + high) / 2
                if edges[middle] < value { low = middle + 1 } else { high = middle }
            }
            counts[low] += 1
        }
        return counts.map { values.isEmpty ? 0 : Double($0) / Double(values.count) }
    }

    /// The index between two distributions given as shares of the same bins.
    public static func index(referenceShares: [Double], currentShares: [Double]) throws -> Double {
        guard referenceShares.count == currentShares.count else {
            throw DriftInputError.dimensionMismatch(expected: referenceShares.count, actual: currentShares.count)
        }
        guard (referenceShares + currentShares).allSatisfy({ $0.isFinite && $0 >= 0 }) else {
            throw DriftInputError.nonFinite("proportions")
        }
        return zip(referenceShares, currentShares).reduce(0) { sum, pair in
            let r = max(pair.0, floor)
            let c = max(pair.1, floor)
            return sum + (c - r) * log(c / r)
        }
    }

    /// The index of `current` against `reference`, binned at the reference's quantiles.
    public static func index(reference: [Double], current: [Double], bins: Int = 10) throws -> Double {
        try DriftInputError.checkSample(current, name: "current")
        let edges = try quantileEdges(of: reference, bins: bins)
        return try index(
            referenceShares: proportions(of: reference, edges: edges),
            currentShares: proportions(of: current, edges: edges))
    }

    static func quantile(_ sorted: [Double], _ q: Double) -> Double {
        let position = Double(sorted.count - 1) * q
        let lower = Int(position.rounded(.down))
        let upper = min(lower + 1, sorted.count - 1)
        return sorted[lower] + (position - Double(lower)) * (sorted[upper] - sorted[lower])
    }
}
