/// Counts of expected (rows) against predicted (columns) labels.
public struct ConfusionMatrix: Sendable, Hashable, Codable {
    /// Row and column labels, sorted.
    public var labels: [String]
    /// `counts[i][j]`: examples expected `labels[i]` and predicted `labels[j]`.
    public var counts: [[Int]]

    /// Tallies pairs of (expected, predicted) labels over the sorted union of both.
    public init(expected: [String], predicted: [String]) {
        precondition(expected.count == predicted.count, "one prediction per expected label")
        labels = Set(expected).union(predicted).sorted()
        let position = Dictionary(uniqueKeysWithValues: labels.enumerated().map { ($1, $0) })
        counts = Array(repeating: Array(repeating: 0, count: labels.count), count: labels.count)
        for (truth, guess) in zip(expected, predicted) { counts[position[truth]!][position[guess]!] += 1 }
    }

    /// The number of examples tallied.
    public var total: Int { counts.reduce(0) { $0 + $1.reduce(0, +) } }

    /// Correct answers: the diagonal.
    public var correct: Int { labels.indices.reduce(0) { $0 + counts[$1][$1] } }

    /// The count for one cell by label; 0 for labels not in the matrix.
    public func count(expected: String, predicted: String) -> Int {
        guard let row = labels.firstIndex(of: expected), let column = labels.firstIndex(of: predicted) else { return 0 }
        return counts[row][column]
    }
}
