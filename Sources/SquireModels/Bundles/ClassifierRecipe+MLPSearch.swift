import SquireTensor

extension ClassifierRecipe {
    /// Trains the MLP head with every weight decay and label smoothing on every split for
    /// ``mlp``'s epochs, scoring the held-out rows after each epoch: every epoch of every run
    /// is a candidate, so one run per split and setting gives a whole curve.
    ///
    /// A candidate's refit trains its epochs of a schedule spanning all of them, so it takes
    /// the steps its curve was read from at the same learning rates.
    func mlpSearch(_ data: SearchData) throws -> CandidateSearch {
        let decays = Array(Set(weightDecays)).sorted(by: >)
        let smoothings = Array(Set(labelSmoothings)).sorted(by: >)
        guard !decays.isEmpty else { throw TrainingError.invalidConfiguration("no weight decays to try") }
        guard !smoothings.isEmpty else { throw TrainingError.invalidConfiguration("no label smoothings to try") }
        try mlp.training.validate()
        let epochs = mlp.training.epochs
        // Within an epoch count, the more regularized first: larger decay, then larger smoothing.
        let settings = decays.flatMap { decay in smoothings.map { (decay: decay, smoothing: $0) } }
        func configuration(_ setting: (decay: Double, smoothing: Float), epochs trained: Int) -> MLPHead.Configuration {
            var configuration = mlp
            configuration.classWeighting = classWeighting
            configuration.training.weightDecay = setting.decay
            configuration.labelSmoothing = setting.smoothing
            configuration.training.epochs = trained
            configuration.training.scheduleEpochs = epochs
            configuration.training.earlyStoppingPatience = nil
            configuration.validationFraction = 0
            return configuration
        }
        func name(_ setting: (decay: Double, smoothing: Float)) -> String {
            "weight_decay=\(Self.decimals(setting.decay)), label_smoothing=\(Self.decimals(Double(setting.smoothing)))"
        }
        /// Trains `setting` on split `index` for `trained` epochs; `afterEpoch` sees each epoch's held-out logits.
        func run(
            _ setting: (decay: Double, smoothing: Float), split index: Int, epochs trained: Int,
            isCancelled: () -> Bool, afterEpoch: (Tensor, [Int], Int) throws -> Void
        ) throws -> MLPHead {
            let (training, held) = try data.split(index)
            let head = try MLPHead.fit(
                features: training.features, labels: training.classIndices.map { data.all.labels[$0] },
                labelOrder: data.all.labels, configuration: configuration(setting, epochs: trained),
                progress: { _ in isCancelled() ? .stop : .proceed },
                afterEpoch: { head, epoch in try afterEpoch(head.logits(for: held.features), held.classIndices, epoch) }
            ).head
            if isCancelled() { throw CancellationError() }
            return head
        }

        let splitCount = data.plan.splits.count
        // [setting × split]: each epoch's score and the seconds to reach it, or why it diverged.
        let curves = try ParallelFolds.map(settings.count * splitCount) { task, isCancelled in
            let (setting, split) = (settings[task / splitCount], task % splitCount)
            let start = ContinuousClock.now
            var curve: [(score: FoldScore, seconds: Double)] = []
            do {
                _ = try run(setting, split: split, epochs: epochs, isCancelled: isCancelled) { logits, indices, _ in
                    curve.append(
                        (try FoldScore(logits: logits, classIndices: indices), start.elapsedSeconds))
                }
                return Result<[(score: FoldScore, seconds: Double)], FoldDivergence>.success(curve)
            } catch TrainingError.nonFiniteLoss(let step, let value) {
                return .failure(
                    FoldDivergence(reason: "the loss became \(value) at step \(step) on split \(split + 1)"))
            }
        }
        try Task.checkCancellation()

        var candidates: [CrossValidationResults.Candidate] = []
        var kept: [(setting: Int, epochs: Int)] = []
        var dropped: [CrossValidationResults.DroppedCandidate] = []
        var diverged = Set<Int>()
        for (index, setting) in settings.enumerated() {
            let runs = curves[(index * splitCount)..<((index + 1) * splitCount)]
            if let failure = runs.lazy.compactMap({ if case .failure(let error) = $0 { error } else { nil } }).first {
                dropped.append(.init(setting: name(setting), reason: failure.reason))
                diverged.insert(index)
            }
        }
        for epoch in 1...epochs {
            for (index, setting) in settings.enumerated() where !diverged.contains(index) {
                let points = curves[(index * splitCount)..<((index + 1) * splitCount)].map {
                    (try? $0.get())?[epoch - 1]
                }
                candidates.append(
                    .init(
                        setting: "\(name(setting)), epochs=\(epoch)", folds: points.map { $0!.score },
                        fitSeconds: points.map { $0!.seconds }))
                kept.append((index, epoch))
            }
        }
        let results = try CrossValidationResults(
            metric: metric, rule: rule, foldCount: data.plan.folds?.foldCount ?? 1,
            repeats: data.plan.folds?.repeats ?? 1, candidates: candidates, dropped: dropped,
            thinLabels: data.plan.thinLabels)
        let chosen = kept[results.chosenIndex]
        let chosenSetting = settings[chosen.setting]
        return CandidateSearch(
            results: results,
            outOfFoldLogits: {
                // Training is deterministic for a seed, so rerunning the chosen setting to its
                // epoch gives the logits its scores came from, without keeping every epoch's.
                try Tensor.concatenating(
                    ParallelFolds.map(splitCount) { split, isCancelled in
                        var last: Tensor?
                        _ = try run(chosenSetting, split: split, epochs: chosen.epochs, isCancelled: isCancelled) {
                            logits, _, epoch in if epoch == chosen.epochs { last = logits }
                        }
                        return last!
                    })
            },
            refit: { examples in
                let (head, summary) = try MLPHead.fit(
                    features: examples.features, labels: examples.classIndices.map { examples.labels[$0] },
                    labelOrder: examples.labels, configuration: configuration(chosenSetting, epochs: chosen.epochs))
                return (head, summary)
            })
    }
}
