/// The held-out splits a hyperparameter search scores its candidates on: cross-validation
/// folds, one validation set carved from the training data, or a validation set given apart.
///
/// Rows are positions in the training data; with a given validation set, `held` indexes that
/// set instead and every split trains on all the training data.
package struct SelectionPlan: Sendable, CustomStringConvertible {
    /// Each split's training rows and held-out rows, both ascending.
    package var splits: [(training: [Int], held: [Int])]
    /// Whether the held-out rows index a validation set given apart from the training data.
    package var heldApart: Bool
    /// For each held-out row, split after split: its group for cross-fitting a calibration
    /// (its fold, or with one split a fifth of the rows in turn).
    package var calibrationGroups: [Int]
    /// The folds, when the plan cross-validates.
    package var folds: CrossValidationFolds?
    /// Labels spread over fewer folds than there are, with the folds they are in.
    package var thinLabels: [String: Int]
    /// What the plan is, in words, for progress lines and model cards.
    package var description: String

    /// A plan for `examples`, whose labels stratify the folds or the carve.
    ///
    /// - Parameters:
    ///   - foldCount: folds; 0 carves `validationFraction` of each label instead.
    ///   - repeats: repeats of the folds; nil repeats three times under 2,000 examples.
    ///   - groupIDs: a group per example, kept in one fold; nil: every example its own.
    ///   - folds: the caller's folds, used as they are.
    ///   - validationCount: the size of a validation set given apart, which is used instead.
    package init(
        examples: TrainingExamples, foldCount: Int, repeats: Int?, seed: UInt64, validationFraction: Double,
        groupIDs: [Int]?, folds given: CrossValidationFolds?, validationCount: Int?
    ) throws {
        let rows = Array(0..<examples.count)
        let labels = examples.classIndices.map { examples.labels[$0] }
        if let validationCount {
            splits = [(rows, Array(0..<validationCount))]
            heldApart = true
            folds = nil
            description = "choosing on the validation set (\(validationCount) examples)"
        } else if given != nil || foldCount > 0 {
            let folds: CrossValidationFolds
            if let given {
                guard given.exampleCount == examples.count else {
                    throw TrainingError.shapeMismatch(
                        "the folds assign \(given.exampleCount) examples, but there are \(examples.count)")
                }
                folds = given
            } else {
                let repeats = repeats ?? (examples.count < 2_000 ? 3 : 1)
                folds = try CrossValidationFolds.stratified(
                    labels: labels, folds: foldCount, repeats: repeats, seed: seed, groupIDs: groupIDs ?? rows)
            }
            splits = folds.splits
            heldApart = false
            self.folds = folds
            let groupCount = Set(groupIDs ?? rows).count
            let seeds = (0..<folds.repeats).map { String(seed &+ UInt64($0)) }.joined(separator: ", ")
            description =
                given != nil
                ? "\(folds.foldCount)-fold cross-validation on the folds given"
                    + (folds.repeats > 1 ? " (\(folds.repeats) repeats)" : "")
                : "\(folds.foldCount)-fold cross-validation"
                    + (folds.repeats > 1 ? " × \(folds.repeats) repeats" : "")
                    + " (stratified, seed\(folds.repeats > 1 ? "s" : "") \(seeds)"
                    + (groupCount < examples.count
                        ? "; \(examples.count - groupCount) repeated examples kept with their copies)" : ")")
        } else {
            let (training, held) = try examples.splitPositions(holdingOut: validationFraction, seed: seed)
            splits = [(training, held)]
            heldApart = false
            folds = nil
            description =
                "choosing on \(held.count) examples carved from the training data (\(Int((validationFraction * 100).rounded()))% of each label, seed \(seed))"
        }
        if let folds {
            calibrationGroups = splits.enumerated().flatMap { index, split in
                split.held.map { _ in index % folds.foldCount }
            }
            thinLabels = folds.thinLabels(labels)
        } else {
            calibrationGroups = splits[0].held.indices.map { $0 % 5 }
            thinLabels = [:]
        }
        if !thinLabels.isEmpty {
            description +=
                "; spread over fewer folds: "
                + thinLabels.sorted { $0.key < $1.key }.map { "\($0.key) (\($0.value))" }.joined(separator: ", ")
        }
    }

    /// The first label (by name) whose examples all sit in one fold of some repeat, with its
    /// example count: cross-validation never both trains on it and scores it.
    package func uncrossValidated(labels: [String]) -> (label: String, examples: Int)? {
        guard let label = thinLabels.filter({ $0.value <= 1 }).keys.sorted().first else { return nil }
        return (label, labels.filter { $0 == label }.count)
    }
}
