public import SquireTensor

/// How `squire train` (and ``train(features:labels:validation:groups:folds:progress:)``)
/// builds a classifier head from embeddings: which head, which hyperparameters to try, how to
/// choose among them, how to calibrate.
///
/// The defaults choose by stratified, seeded 5-fold cross-validation (under 2,000 examples,
/// three repeats of it), identical embeddings always in one fold, with the one-standard-error
/// rule: the most regularized candidate whose mean fold accuracy is within one standard error
/// of the best. The head is then refitted on all the training data with the choice, and
/// calibrated on the out-of-fold logits when that makes its confidences more honest.
public struct ClassifierRecipe: Sendable, Hashable {
    /// The kind of head.
    public enum HeadKind: String, Sendable, Hashable, CaseIterable {
        /// ``LogisticHead``.
        case logistic
        /// ``MLPHead``.
        case mlp
    }

    /// The head to train.
    public var head: HeadKind
    /// The logistic head's `C` values to choose from.
    public var inverseRegularizations: [Double]
    /// The MLP's weight decays to choose from.
    public var weightDecays: [Double]
    /// The MLP's label smoothings to choose from (its ``MLPHead/Configuration/labelSmoothing``
    /// is not read).
    public var labelSmoothings: [Float]
    /// The MLP's shape and training settings; its epochs are the most a candidate trains,
    /// and every epoch up to them is a candidate.
    public var mlp: MLPHead.Configuration
    /// How much each class counts.
    public var classWeighting: ClassWeighting
    /// Cross-validation folds; 0 chooses on one validation set carved from the training data
    /// (``validationFraction`` of each label).
    public var folds: Int
    /// Repeats of the folds, each shuffled with the next seed; nil repeats three times under
    /// 2,000 examples, where one shuffle's luck weighs most, and once above.
    public var repeats: Int?
    /// What candidates are compared on.
    public var metric: SelectionMetric
    /// How the choice is made.
    public var rule: SelectionRule
    /// The fraction of each label held out when ``folds`` is 0 and no validation set is given.
    public var validationFraction: Double
    /// Fit temperature scaling (or Platt scaling for two labels) on the held-out logits, and
    /// keep it when it lowers their cross-fitted calibration error.
    public var calibrates: Bool
    /// Seeds the folds (or the carve) and the MLP.
    public var seed: UInt64

    /// Creates a recipe; see the type's documentation for what the defaults do.
    public init(
        head: HeadKind = .logistic, inverseRegularizations: [Double] = [0.1, 0.3, 1, 3, 10, 30, 100],
        weightDecays: [Double] = [0.01, 0.1], labelSmoothings: [Float] = [0, 0.1],
        mlp: MLPHead.Configuration = MLPHead.Configuration(), classWeighting: ClassWeighting = .uniform,
        folds: Int = 5, repeats: Int? = nil, metric: SelectionMetric = .accuracy,
        rule: SelectionRule = .oneStandardError, validationFraction: Double = 0.1, calibrates: Bool = true,
        seed: UInt64 = 0
    ) {
        self.head = head
        self.inverseRegularizations = inverseRegularizations
        self.weightDecays = weightDecays
        self.labelSmoothings = labelSmoothings
        self.mlp = mlp
        self.classWeighting = classWeighting
        self.folds = folds
        self.repeats = repeats
        self.metric = metric
        self.rule = rule
        self.validationFraction = validationFraction
        self.calibrates = calibrates
        self.seed = seed
    }
}

extension ClassifierRecipe {
    /// Chooses hyperparameters on held-out data, refits on the training data, and calibrates.
    ///
    /// The held-out data is, in order of precedence: `validation` (every candidate trains on
    /// all of `features`), the caller's `folds`, ``folds`` stratified folds of `features`, or
    /// with ``folds`` 0 a carve of ``validationFraction`` of each label. Except with
    /// `validation`, the refit uses all of `features`.
    ///
    /// - Parameters:
    ///   - features: `[N, D]` training embeddings; `labels` their labels.
    ///   - validation: held-out embeddings and labels; every label must occur in training.
    ///   - groups: a key per example; equal keys share a fold. Nil groups identical rows of
    ///     `features` (identical texts).
    ///   - folds: the caller's own folds, used instead of drawing them.
    ///   - anchors: examples every fit (each candidate on each split, and the refit) trains
    ///     on and no split holds out or scores, such as embedded label names; their labels
    ///     must be among `labels`.
    ///   - progress: called with a line of text per candidate and phase.
    /// - Throws: ``TrainingError/tooFewExamplesToCrossValidate(label:examples:)`` when a
    ///   label sits in one fold and there is something to choose;
    ///   ``TrainingError/everyCandidateDiverged(_:)``; `CancellationError` when the
    ///   surrounding task is cancelled, checked between and inside candidates' fits.
    public func train(
        features: Tensor, labels: [String], validation: (features: Tensor, labels: [String])? = nil,
        groups: [String]? = nil, folds givenFolds: CrossValidationFolds? = nil,
        anchors: (features: Tensor, labels: [String])? = nil, progress: (String) -> Void = { _ in }
    ) throws -> (head: any ClassificationHead, calibration: Calibration, report: ClassifierTrainingReport) {
        let all = try TrainingExamples(features: features, labels: labels)
        let anchored = try anchors.map {
            guard $0.features.rank == 2, $0.features.shape[1] == features.shape[1] else {
                throw TrainingError.shapeMismatch(
                    "anchors of shape \($0.features.shape) for training features of shape \(features.shape)")
            }
            return try TrainingExamples(features: $0.features, labels: $0.labels, knownLabels: all.labels)
        }
        let apart = try validation.map {
            try TrainingExamples(features: $0.features, labels: $0.labels, knownLabels: all.labels)
        }
        // Identical texts embed identically: by default, identical rows share a fold.
        let groupIDs =
            try groups.map { keys in
                guard keys.count == all.count else {
                    throw TrainingError.shapeMismatch("\(keys.count) group keys for \(all.count) examples")
                }
                return CrossValidationFolds.ids(of: keys)
            } ?? CrossValidationFolds.ids(of: Self.rows(of: all.features))
        let plan = try SelectionPlan(
            examples: all, foldCount: folds, repeats: repeats, seed: seed, validationFraction: validationFraction,
            groupIDs: groupIDs, folds: givenFolds, validationCount: apart?.count)
        if candidateCount > 1, let (label, examples) = plan.uncrossValidated(labels: labels) {
            throw TrainingError.tooFewExamplesToCrossValidate(label: label, examples: examples)
        }
        progress(plan.description)
        let started = ContinuousClock.now
        let data = SearchData(all: all, apart: apart, plan: plan, anchors: anchored)
        let search = try head == .logistic ? logisticSearch(data) : mlpSearch(data)
        let results = search.results
        let shown = results.candidates.count <= 12 ? results.candidates : [results.best, results.chosen]
        for candidate in shown { progress(Self.line(candidate, metric: metric)) }
        for dropped in results.dropped { progress("\(dropped.setting): dropped, \(dropped.reason)") }
        progress(Self.choiceLine(results))
        let outOfFold = try search.outOfFoldLogits()
        try Task.checkCancellation()
        let selectionSeconds = started.elapsedSeconds

        // Calibrate on logits of models that never saw the rows they scored.
        let heldIndices = plan.splits.flatMap { split in
            split.held.map { (apart ?? all).classIndices[$0] }
        }
        let calibration =
            calibrates && heldIndices.count >= 2
            ? try OutOfFoldCalibration(logits: outOfFold, classIndices: heldIndices, groups: plan.calibrationGroups)
            : nil
        let eceBefore =
            try calibration?.eceBefore
            ?? Calibration.expectedCalibrationError(outOfFold.softmax(), heldIndices)
        if let calibration {
            progress(
                "calibration: \(calibration.fitted), cross-fitted ECE \(Self.decimals(calibration.eceBefore)) → \(Self.decimals(calibration.eceCrossFitted)), \(calibration.kept ? "kept" : "not kept")"
            )
        }

        let refitStarted = ContinuousClock.now
        let (finalHead, summary) = try search.refit(try anchored.map { try all.appending($0) } ?? all)
        try Task.checkCancellation()
        progress("refit on \(all.count) examples: \(summary.steps) steps, stopped by \(summary.stopReason)")
        let report = ClassifierTrainingReport(
            crossValidation: results, chosen: results.chosen.setting,
            validationAccuracy: results.chosen.mean.accuracy, eceBefore: eceBefore,
            eceAfter: calibration?.eceAfter ?? eceBefore, calibration: calibration?.calibration ?? .none,
            calibrationFit: calibration, summary: summary, validationCount: heldIndices.count,
            validationWasCarved: apart == nil, folds: plan.folds, selectionSeconds: selectionSeconds,
            refitSeconds: refitStarted.elapsedSeconds)
        return (finalHead, report.calibration, report)
    }

    /// Each row of `[N, D]` features, as a hashable key.
    static func rows(of features: Tensor) -> [ArraySlice<Float>] {
        let (scalars, width) = (features.scalars, features.shape[1])
        return (0..<features.shape[0]).map { scalars[($0 * width)..<(($0 + 1) * width)] }
    }

    /// How many candidates the recipe compares, before any diverges.
    var candidateCount: Int {
        switch head {
        case .logistic: Set(inverseRegularizations).count
        case .mlp: Set(weightDecays).count * Set(labelSmoothings).count * mlp.training.epochs
        }
    }

    /// `C=10.0: validation accuracy 92.22% ± 0.25 (5 folds), log loss 0.2879`: the mean and
    /// its standard error, in points.
    static func line(_ candidate: CrossValidationResults.Candidate, metric: SelectionMetric) -> String {
        let spread =
            candidate.standardError.map { " ± " + decimals($0[metric] * (metric == .logLoss ? 1 : 100), places: 2) }
            ?? ""
        let value =
            metric == .logLoss
            ? decimals(candidate.mean.logLoss) : decimals(candidate.mean[metric] * 100, places: 2) + "%"
        let folds = candidate.folds.count == 1 ? "validation" : "\(candidate.folds.count) folds"
        var line = "\(candidate.setting): validation \(metric.rawValue) \(value)\(spread) (\(folds))"
        if metric != .logLoss { line += ", log loss \(decimals(candidate.mean.logLoss))" }
        return line
    }

    /// `chose C=10.0 (one-standard-error rule: best C=30.0, bar 91.98%)`.
    static func choiceLine(_ results: CrossValidationResults) -> String {
        guard let threshold = results.threshold else {
            return "chose \(results.chosen.setting) (best mean \(results.metric.rawValue))"
        }
        let bar =
            results.metric == .logLoss ? decimals(threshold) : decimals(threshold * 100, places: 2) + "%"
        return
            "chose \(results.chosen.setting) (\(results.rule.rawValue) rule: best \(results.best.setting), bar \(bar))"
    }

    static func decimals(_ value: Double, places: Int = 4) -> String {
        let scale = (0..<places).reduce(1.0) { value, _ in value * 10 }
        let rounded = (value * scale).rounded() / scale
        return "\(rounded)"
    }
}
