public import SquireTensor

/// A teacher's probabilities for each training text, for distilling a student from it.
public struct TeacherTargets: Sendable {
    /// `[N, K]`: row `i` is the teacher's distribution for training text `i`, columns in ``labels`` order.
    public let probabilities: Tensor
    /// The teacher's labels, in column order; the student gets the same label set.
    public let labels: [String]
    /// How the student mixes the teacher's probabilities with the hard labels.
    public let distillation: Distillation

    /// Creates targets from one probability row per training text.
    ///
    /// Throws ``TrainingError/invalidConfiguration(_:)`` when a row has the wrong length, a
    /// negative or non-finite entry, or does not sum to 1 within 1e-3 (the row's number is
    /// in the message); rows are renormalized to sum to exactly 1.
    public init(probabilities rows: [[Double]], labels: [String], distillation: Distillation) throws {
        guard !labels.isEmpty, Set(labels).count == labels.count else {
            throw TrainingError.invalidConfiguration("the teacher's labels must be non-empty and distinct")
        }
        var scalars: [Float] = []
        scalars.reserveCapacity(rows.count * labels.count)
        for (index, row) in rows.enumerated() {
            let total = row.reduce(0, +)
            guard row.count == labels.count, row.allSatisfy({ $0.isFinite && $0 >= 0 }), abs(total - 1) <= 1e-3 else {
                throw TrainingError.invalidConfiguration(
                    "teacher row \(index + 1) is not a distribution over \(labels.count) labels (\(row.count) entries summing to \(total))"
                )
            }
            scalars += row.map { Float($0 / total) }
        }
        probabilities = try Tensor(shape: [rows.count, labels.count], scalars: scalars)
        self.labels = labels
        self.distillation = distillation
    }

    /// The rows at `positions`, columns reordered to `order` (a permutation of ``labels``).
    package func rows(_ positions: [Int], order: [String]) throws -> Tensor {
        let column = Dictionary(uniqueKeysWithValues: labels.enumerated().map { ($1, $0) })
        let width = labels.count
        var scalars = [Float](repeating: 0, count: positions.count * order.count)
        probabilities.withUnsafeBufferPointer { p in
            for (row, position) in positions.enumerated() {
                for (j, label) in order.enumerated() {
                    scalars[row * order.count + j] = p[position * width + column[label]!]
                }
            }
        }
        return try Tensor(shape: [positions.count, order.count], scalars: scalars)
    }

    /// Checks that the targets cover `count` texts.
    package func validate(textCount count: Int) throws {
        guard probabilities.shape[0] == count else {
            throw TrainingError.shapeMismatch("\(probabilities.shape[0]) teacher rows for \(count) training texts")
        }
    }
}
