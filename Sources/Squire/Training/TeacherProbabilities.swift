import SquireData
import SquireModels

/// A teacher's probabilities for the training examples, by example id, as distillation
/// reads them.
struct TeacherProbabilities: Sendable {
    var labels: [String]
    var rows: [String: [Double]]
    var distillation: Distillation

    /// The teacher's rows for `labels`, every row checked before any training.
    init(_ labels: [TeacherLabel], distillation: Distillation) throws {
        let (order, rows) = TeacherLabel.probabilityRows(labels)
        _ = try TeacherTargets(probabilities: rows, labels: order, distillation: distillation)
        self.labels = order
        self.rows = Dictionary(zip(labels.map(\.id), rows), uniquingKeysWith: { first, _ in first })
        self.distillation = distillation
    }

    /// The targets for the examples with `ids`, in that order.
    func targets(for ids: [String]) throws -> TeacherTargets {
        try TeacherTargets(
            probabilities: try ids.map { id in
                guard let row = rows[id] else {
                    throw TrainingError.invalidConfiguration("the teacher gave no probabilities for example \(id)")
                }
                return row
            }, labels: labels, distillation: distillation)
    }
}
