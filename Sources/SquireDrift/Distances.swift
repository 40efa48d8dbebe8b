#if canImport(Glibc)
    import Glibc
#else
    import Darwin
#endif

/// Distances between distributions that do not shrink into significance as windows grow.
public enum Distance {
    /// The Jensen–Shannon distance in base 2 (0 identical … 1 disjoint), as
    /// `scipy.spatial.distance.jensenshannon(p, q, base=2)`; inputs are normalized first.
    public static func jensenShannon(_ p: [Double], _ q: [Double]) throws -> Double {
        guard p.count == q.count else { throw DriftInputError.dimensionMismatch(expected: p.count, actual: q.count) }
        guard (p + q).allSatisfy({ $0.isFinite && $0 >= 0 }) else { throw DriftInputError.nonFinite("distribution") }
        let pSum = p.reduce(0, +)
        let qSum = q.reduce(0, +)
        guard pSum > 0 else { throw DriftInputError.empty("first distribution") }
        guard qSum > 0 else { throw DriftInputError.empty("second distribution") }
        var divergence = 0.0
        for (a, b) in zip(p, q) {
            let x = a / pSum
            let y = b / qSum
            let mean = (x + y) / 2
            if x > 0 { divergence += x * log2(x / mean) / 2 }
            if y > 0 { divergence += y * log2(y / mean) / 2 }
        }
        return max(0, divergence).squareRoot()
    }

    /// The Jensen–Shannon distance between two category distributions.
    public static func jensenShannon(_ reference: CategoricalDistribution, _ current: CategoricalDistribution) throws
        -> Double
    {
        let categories = reference.categories(with: current)
        return try jensenShannon(reference.proportions(over: categories), current.proportions(over: categories))
    }

    /// The first Wasserstein (earth mover's) distance between two samples: ∫ |F − G|, as
    /// `scipy.stats.wasserstein_distance`.
    public static func wasserstein(_ reference: [Double], _ current: [Double]) throws -> Double {
        try DriftInputError.checkSample(reference, name: "reference")
        try DriftInputError.checkSample(current, name: "current")
        let a = reference.sorted()
        let b = current.sorted()
        let values = (a + b).sorted()
        var i = 0
        var j = 0
        var distance = 0.0
        for k in 0..<(values.count - 1) {
            while i < a.count && a[i] <= values[k] { i += 1 }
            while j < b.count && b[j] <= values[k] { j += 1 }
            let gap = abs(Double(i) / Double(a.count) - Double(j) / Double(b.count))
            distance += gap * (values[k + 1] - values[k])
        }
        return distance
    }
}
