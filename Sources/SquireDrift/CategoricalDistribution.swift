/// Counts of categories (predicted labels), compared by chi-square, Jensen–Shannon and PSI.
public struct CategoricalDistribution: Sendable, Hashable, Codable {
    /// How many times each category occurred.
    public var counts: [String: Int]

    /// Creates a distribution from counts.
    public init(counts: [String: Int]) { self.counts = counts }

    /// Counts the values.
    public init(_ values: some Sequence<String>) {
        counts = values.reduce(into: [:]) { $0[$1, default: 0] += 1 }
    }

    /// All occurrences.
    public var total: Int { counts.values.reduce(0, +) }

    /// The categories of both, sorted.
    func categories(with other: CategoricalDistribution) -> [String] {
        Set(counts.keys).union(other.counts.keys).sorted()
    }

    /// Proportions over `categories`.
    func proportions(over categories: [String]) -> [Double] {
        let total = Double(max(self.total, 1))
        return categories.map { Double(counts[$0] ?? 0) / total }
    }
}
