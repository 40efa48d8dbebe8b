import SquireCore

/// Counts of expected (rows) against predicted (columns) labels.
public struct ConfusionMatrix: Sendable, Hashable, Codable {
    /// Row and column labels, sorted.
    public var labels: [String]
    /// `counts[i][j]`: examples expected `labels[i]` and predicted `labels[j]`.
    public var counts: [[Int]]

    /// Tallies pairs of (expected, predicted) labels over the sorted union of both; throws
    /// `ModelError.resultCountMismatch` unless there is one prediction per expected label.
    public init(expected: [String], predicted: [String]) throws {
        guard expected.count == predicted.count else {
            throw ModelError.resultCountMismatch(expected: expected.count, actual: predicted.count)
        }
        self.init(pairs: zip(expected, predicted))
    }

    /// Tallies (expected, predicted) pairs.
    init(pairs: Zip2Sequence<[String], [String]>) {
        let expected = pairs.map(\.0)
        let predicted = pairs.map(\.1)
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
