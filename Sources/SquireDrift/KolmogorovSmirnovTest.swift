/// The two-sample Kolmogorov–Smirnov test: the largest gap between two empirical CDFs.
///
/// The p-value is exact (the probability that a random interleaving of the two samples
/// reaches the observed gap, as `scipy.stats.ks_2samp(method="exact")`) while
/// `m × n ≤ 10⁶`, and from the Kolmogorov limit `P(K ≥ √(mn/(m+n)) · D)` beyond.
/// On large windows any real difference gets a tiny p-value; judge drift by the statistic.
public struct KolmogorovSmirnovTest: Sendable, Hashable, Codable {
    /// The largest absolute difference between the empirical CDFs, in [0, 1].
    public var statistic: Double
    /// The two-sided p-value.
    public var pValue: Double
    /// Whether the p-value is exact rather than asymptotic.
    public var isExact: Bool

    /// Compares two samples; both must be non-empty and finite.
    public init(_ reference: [Double], _ current: [Double]) throws {
        try DriftInputError.checkSample(reference, name: "reference")
        try DriftInputError.checkSample(current, name: "current")
        let a = reference.sorted()
        let b = current.sorted()
        let m = a.count
        let n = b.count
        // Walk both sorted samples; at each distinct value both CDFs step past all its copies.
        var i = 0
        var j = 0
        var largest = 0  // in units of 1 / (m n)
        while i < m || j < n {
            let value = min(i < m ? a[i] : .infinity, j < n ? b[j] : .infinity)
            while i < m && a[i] == value { i += 1 }
            while j < n && b[j] == value { j += 1 }
            largest = max(largest, abs(i * n - j * m))
        }
        statistic = Double(largest) / Double(m * n)
        if m * n <= 1_000_000 {
            pValue = Self.exactPValue(m: m, n: n, gap: largest)
            isExact = true
        } else {
            let effective = Double(m) * Double(n) / Double(m + n)
            pValue = SpecialFunctions.kolmogorovSurvival(effective.squareRoot() * statistic)
            isExact = false
        }
    }

    /// P(max |i n − j m| ≥ gap) over uniformly random lattice paths from (0, 0) to (m, n).
    static func exactPValue(m: Int, n: Int, gap: Int) -> Double {
        guard gap > 0 else { return 1 }
        // inside[j]: probability of reaching (i, j) without touching the band's edge. The
        // path steps right (an a-value) with probability (m − i) / (m + n − i − j).
        var inside = [Double](repeating: 0, count: n + 1)
        inside[0] = 1
        for j in 1...n {
            inside[j] = abs(j * m) < gap ? inside[j - 1] * Double(n - j + 1) / Double(m + n - j + 1) : 0
        }
        for i in 1...m {
            var next = [Double](repeating: 0, count: n + 1)
            for j in 0...n {
                guard abs(i * n - j * m) < gap else { continue }
                let remaining = Double(m + n - i - j + 1)
                var probability = inside[j] * Double(m - i + 1) / remaining  // from (i − 1, j)
                if j > 0 { probability += next[j - 1] * Double(n - j + 1) / remaining }  // from (i, j − 1)
                next[j] = probability
            }
            inside = next
        }
        return min(1, max(0, 1 - inside[n]))
    }

    private enum CodingKeys: String, CodingKey {
        case statistic
        case pValue = "p_value"
        case isExact = "exact"
    }
}
