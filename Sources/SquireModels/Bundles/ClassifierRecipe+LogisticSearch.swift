import SquireTensor

extension ClassifierRecipe {
    /// Fits the logistic head at every C on every split and scores it on the held-out rows.
    ///
    /// Every fit starts from zeros, as scikit-learn's `GridSearchCV` fits: starting from the
    /// last C's solution (as its `LogisticRegressionCV` does) would save iterations, but the
    /// stopping test on the gradient of a mean loss then often passes at once, before the
    /// optimum has moved to the new C (on BANKING77, C = 10 scored exactly as C = 3 did).
    func logisticSearch(_ data: SearchData) throws -> CandidateSearch {
        let values = Array(Set(inverseRegularizations)).sorted()
        guard !values.isEmpty else { throw TrainingError.invalidConfiguration("no C values to try") }
        for c in values where !(c > 0 && c.isFinite) {
            throw TrainingError.invalidConfiguration("C (inverse regularization) must be positive, got \(c)")
        }
        let classWeighting = classWeighting
        let configurations = values.map {
            LogisticHead.Configuration(inverseRegularization: $0, classWeighting: classWeighting)
        }
        let splitCount = data.plan.splits.count
        // One task per (C, split), the largest C (the longest fits) first, so the two cores
        // finish together. Each fit runs whole on one core.
        let tasks = values.count * splitCount
        let fits = try ParallelFolds.map(tasks) { task, isCancelled in
            let (position, index) = (values.count - 1 - task / splitCount, task % splitCount)
            let (training, held) = try data.split(index)
            let start = ContinuousClock.now
            do {
                let (head, _) = try LogisticHead.fit(
                    training, configuration: configurations[position],
                    progress: { _ in isCancelled() ? .stop : .proceed })
                if isCancelled() { throw CancellationError() }
                let logits = try head.logits(for: held.features)
                return Result<(score: FoldScore, seconds: Double, logits: Tensor), FoldDivergence>.success(
                    (try FoldScore(logits: logits, classIndices: held.classIndices), start.elapsedSeconds, logits))
            } catch TrainingError.nonFiniteLoss(let step, let value) {
                return .failure(
                    FoldDivergence(reason: "the loss became \(value) at iteration \(step) on split \(index + 1)"))
            }
        }
        // [split][C]
        let outcomes = (0..<splitCount).map { index in
            values.indices.map { position in fits[(values.count - 1 - position) * splitCount + index] }
        }
        try Task.checkCancellation()

        var candidates: [CrossValidationResults.Candidate] = []
        var dropped: [CrossValidationResults.DroppedCandidate] = []
        var kept: [Int] = []
        for (position, c) in values.enumerated() {
            let setting = "C=\(Self.decimals(c))"
            let fits = outcomes.map { $0[position] }
            if let failure = fits.lazy.compactMap({ if case .failure(let error) = $0 { error } else { nil } }).first {
                dropped.append(.init(setting: setting, reason: failure.reason))
                continue
            }
            let scored = fits.compactMap { try? $0.get() }
            candidates.append(.init(setting: setting, folds: scored.map(\.score), fitSeconds: scored.map(\.seconds)))
            kept.append(position)
        }
        let results = try CrossValidationResults(
            metric: metric, rule: rule, foldCount: data.plan.folds?.foldCount ?? 1,
            repeats: data.plan.folds?.repeats ?? 1, candidates: candidates, dropped: dropped,
            thinLabels: data.plan.thinLabels)
        let chosen = kept[results.chosenIndex]
        return CandidateSearch(
            results: results,
            outOfFoldLogits: {
                try Tensor.concatenating(
                    outcomes.compactMap { try? $0[chosen].get().logits })
            },
            refit: { examples in
                let (head, summary) = try LogisticHead.fit(examples, configuration: configurations[chosen])
                return (head, summary)
            })
    }
}
