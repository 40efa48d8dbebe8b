/// Pearson's chi-square test that two samples of categories come from one distribution
/// (a 2 × k contingency table), as `scipy.stats.chi2_contingency` computes it — with Yates'
/// continuity correction when there are two categories.
public struct ChiSquareTest: Sendable, Hashable, Codable {
    /// The chi-square statistic.
    public var statistic: Double
    /// Degrees of freedom: categories − 1.
    public var degreesOfFreedom: Int
    /// P(χ² ≥ statistic) under homogeneity.
    public var pValue: Double

    /// Compares category counts; categories absent from both are ignored.
    public init(reference: CategoricalDistribution, current: CategoricalDistribution) throws {
        guard reference.total > 0 else { throw DriftInputError.empty("reference distribution") }
        guard current.total > 0 else { throw DriftInputError.empty("current distribution") }
        let categories = reference.categories(with: current).filter {
            (reference.counts[$0] ?? 0) + (current.counts[$0] ?? 0) > 0
        }
        degreesOfFreedom = categories.count - 1
        guard degreesOfFreedom > 0 else {
            statistic = 0
            pValue = 1
            return
        }
        let rows = [reference, current].map { row in categories.map { Double(row.counts[$0] ?? 0) } }
        let rowTotals = rows.map { $0.reduce(0, +) }
        let total = rowTotals.reduce(0, +)
        var statistic = 0.0
        for (r, row) in rows.enumerated() {
            for (c, observed) in row.enumerated() {
                let expected = rowTotals[r] * (rows[0][c] + rows[1][c]) / total
                var difference = abs(observed - expected)
                if degreesOfFreedom == 1 { difference = max(0, difference - 0.5) }
                statistic += difference * difference / expected
            }
        }
        self.statistic = statistic
        pValue = SpecialFunctions.chiSquareSurvival(statistic, degreesOfFreedom: degreesOfFreedom)
    }

    private enum CodingKeys: String, CodingKey {
        case statistic
        case degreesOfFreedom = "degrees_of_freedom"
        case pValue = "p_value"
    }
}
