import SquireTensor

/// What a head's hyperparameter search found: the cross-validation table, and how to get the
/// chosen candidate's out-of-fold logits and to refit it.
struct CandidateSearch {
    /// Every candidate's fold scores and the choice.
    var results: CrossValidationResults
    /// `[held rows, K]`: the chosen candidate's held-out logits, split after split.
    var outOfFoldLogits: () throws -> Tensor
    /// The chosen candidate fitted on the given examples.
    var refit: (TrainingExamples) throws -> (head: any ClassificationHead, summary: TrainingSummary)
}

/// The examples a search trains and scores on, split by split.
struct SearchData {
    /// The training data.
    var all: TrainingExamples
    /// A validation set given apart from the training data, when there is one.
    var apart: TrainingExamples?
    /// The splits.
    var plan: SelectionPlan
    /// Examples every fit trains on and no split holds out (label names as examples).
    var anchors: TrainingExamples?

    /// Split `index`'s training and held-out examples.
    func split(_ index: Int) throws -> (training: TrainingExamples, held: TrainingExamples) {
        let (training, held) = plan.splits[index]
        let trained = try all.subset(training)
        return (
            try anchors.map { try trained.appending($0) } ?? trained,
            try apart.map { try $0.subset(held) } ?? all.subset(held)
        )
    }
}

extension ContinuousClock.Instant {
    /// The seconds from this instant to now: a fit's time in a search's report.
    package var elapsedSeconds: Double {
        let elapsed = ContinuousClock.now - self
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
    }
}

/// Why one fit of a search diverged, in words; the candidate is dropped, not the search.
struct FoldDivergence: Error {
    var reason: String
}
