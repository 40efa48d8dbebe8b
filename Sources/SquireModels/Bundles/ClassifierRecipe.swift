public import SquireTensor

/// How `squire train` (and ``train(features:labels:validation:progress:)``) builds a
/// classifier head from embeddings: which head, which hyperparameters to try, how to
/// calibrate.
///
/// The defaults are a careful practitioner's: hyperparameters are chosen on a validation
/// set (the one given, or 10% of each label carved from the training data), the head is
/// then refitted on all the training data with the winner, and its confidences are
/// calibrated on the validation set.
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
    /// The logistic head's `C` values to choose from; one value skips the search.
    public var inverseRegularizations: [Double]
    /// The MLP's weight decays to choose from (its epochs are chosen by early stopping).
    public var weightDecays: [Double]
    /// The MLP's shape and training settings.
    public var mlp: MLPHead.Configuration
    /// How much each class counts.
    public var classWeighting: ClassWeighting
    /// The fraction of each label held out when no validation set is given.
    public var validationFraction: Double
    /// Fit temperature scaling (or Platt scaling for two labels) on the validation set.
    public var calibrates: Bool
    /// Seeds the validation split and the MLP.
    public var seed: UInt64

    /// Creates a recipe; see the type's documentation for what the defaults do.
    public init(
        head: HeadKind = .logistic, inverseRegularizations: [Double] = [0.1, 0.3, 1, 3, 10, 30, 100],
        weightDecays: [Double] = [0.01, 0.1], mlp: MLPHead.Configuration = MLPHead.Configuration(),
        classWeighting: ClassWeighting = .uniform, validationFraction: Double = 0.1, calibrates: Bool = true,
        seed: UInt64 = 0
    ) {
        self.head = head
        self.inverseRegularizations = inverseRegularizations
        self.weightDecays = weightDecays
        self.mlp = mlp
        self.classWeighting = classWeighting
        self.validationFraction = validationFraction
        self.calibrates = calibrates
        self.seed = seed
    }
}

/// What ``ClassifierRecipe/train(features:labels:validation:progress:)`` chose and measured.
public struct ClassifierTrainingReport: Sendable, Hashable, Codable {
    /// One hyperparameter setting tried on the validation set.
    public struct Candidate: Sendable, Hashable, Codable {
        /// `C=…` or `weight_decay=…`.
        public var setting: String
        /// Validation accuracy.
        public var accuracy: Double
        /// Validation log loss.
        public var logLoss: Double

        private enum CodingKeys: String, CodingKey {
            case setting, accuracy
            case logLoss = "log_loss"
        }
    }

    /// Every setting tried, in order.
    public var candidates: [Candidate]
    /// The winning setting.
    public var chosen: String
    /// Validation accuracy of the winner (before the refit on all the data).
    public var validationAccuracy: Double
    /// Expected calibration error (15 equal-width bins) on the validation set, uncalibrated.
    public var eceBefore: Double
    /// The same after calibration; equal to ``eceBefore`` when calibration is off.
    public var eceAfter: Double
    /// The calibration fitted.
    public var calibration: Calibration
    /// The final refit.
    public var summary: TrainingSummary
    /// How many examples the validation figures rest on, and whether they were carved.
    public var validationCount: Int
    /// True when the validation set was carved from the training data.
    public var validationWasCarved: Bool

    private enum CodingKeys: String, CodingKey {
        case candidates, chosen, calibration, summary
        case validationAccuracy = "validation_accuracy"
        case eceBefore = "ece_before"
        case eceAfter = "ece_after"
        case validationCount = "validation_count"
        case validationWasCarved = "validation_was_carved"
    }
}

extension ClassifierRecipe {
    /// Chooses hyperparameters on the validation set, refits on the training data, and
    /// calibrates.
    ///
    /// When no `validation` is given, the validation set is carved from the training data
    /// (stratified, seeded) for the choice and the calibration, and the refit uses all of
    /// the training data, the carved part included.
    ///
    /// - Parameters:
    ///   - features: `[N, D]` training embeddings; `labels` their labels.
    ///   - validation: held-out embeddings and labels; every label must occur in training.
    ///   - progress: called with a line of text per finished candidate and phase.
    /// - Throws: `CancellationError` when the surrounding task is cancelled, checked between
    ///   candidates and inside the MLP's epochs.
    public func train(
        features: Tensor, labels: [String], validation: (features: Tensor, labels: [String])? = nil,
        progress: (String) -> Void = { _ in }
    ) throws -> (head: any ClassificationHead, calibration: Calibration, report: ClassifierTrainingReport) {
        let all = try TrainingExamples(features: features, labels: labels)
        let (selectionTraining, held): (TrainingExamples, TrainingExamples)
        if let validation {
            selectionTraining = all
            held = try TrainingExamples(
                features: validation.features, labels: validation.labels, knownLabels: all.labels)
        } else {
            (selectionTraining, held) = try all.split(holdingOut: validationFraction, seed: seed)
        }
        let trainingLabels = selectionTraining.classIndices.map { all.labels[$0] }
        let heldLabels = held.classIndices.map { all.labels[$0] }

        var candidates: [ClassifierTrainingReport.Candidate] = []
        var best:
            (head: any ClassificationHead, candidate: ClassifierTrainingReport.Candidate, value: Double, epochs: Int?)?
        func consider(_ head: any ClassificationHead, setting: String, value: Double, epochs: Int?) throws {
            let logits = try head.logits(for: held.features)
            let (logLoss, _) = try SoftmaxCrossEntropy.lossAndGradient(logits: logits, classIndices: held.classIndices)
            let predicted = try logits.argmax(alongAxis: 1)
            let accuracy = Double(zip(predicted, held.classIndices).filter { $0 == $1 }.count) / Double(held.count)
            let candidate = ClassifierTrainingReport.Candidate(setting: setting, accuracy: accuracy, logLoss: logLoss)
            candidates.append(candidate)
            progress("\(setting): validation accuracy \(Self.percent(accuracy)), log loss \(Self.decimals(logLoss))")
            // Highest accuracy; ties go to the lower log loss.
            if best == nil || accuracy > best!.candidate.accuracy
                || (accuracy == best!.candidate.accuracy && logLoss < best!.candidate.logLoss)
            {
                best = (head, candidate, value, epochs)
            }
        }

        switch head {
        case .logistic:
            guard !inverseRegularizations.isEmpty else {
                throw TrainingError.invalidConfiguration("no C values to try")
            }
            for c in inverseRegularizations {
                try Task.checkCancellation()
                let configuration = LogisticHead.Configuration(inverseRegularization: c, classWeighting: classWeighting)
                let (head, _) = try LogisticHead.fit(
                    features: selectionTraining.features, labels: trainingLabels, labelOrder: all.labels,
                    configuration: configuration)
                try consider(head, setting: "C=\(Self.decimals(c))", value: c, epochs: nil)
            }
        case .mlp:
            guard !weightDecays.isEmpty else { throw TrainingError.invalidConfiguration("no weight decays to try") }
            for decay in weightDecays {
                try Task.checkCancellation()
                var configuration = mlp
                configuration.classWeighting = classWeighting
                configuration.training.weightDecay = decay
                let (head, summary) = try MLPHead.fit(
                    features: selectionTraining.features, labels: trainingLabels, labelOrder: all.labels,
                    validation: (held.features, heldLabels), configuration: configuration)
                try consider(
                    head,
                    setting: "weight_decay=\(Self.decimals(decay)), epochs=\(summary.bestEpoch ?? summary.epochs ?? 0)",
                    value: decay, epochs: summary.bestEpoch ?? summary.epochs)
            }
        }
        // A cancelled MLP fit stops early and returns; it must not become the winner.
        try Task.checkCancellation()
        guard let winner = best else { throw TrainingError.noExamples }
        progress("chose \(winner.candidate.setting)")

        // Calibrate the selection model on the held-out set it never saw.
        let heldLogits = try winner.head.logits(for: held.features)
        var calibration = Calibration.none
        if calibrates {
            calibration =
                all.labels.count == 2
                ? try Calibration.fitPlatt(logits: heldLogits, classIndices: held.classIndices)
                : try Calibration.fitTemperature(logits: heldLogits, classIndices: held.classIndices)
        }
        let eceBefore = try Calibration.expectedCalibrationError(
            Calibration.none.probabilities(fromLogits: heldLogits), held.classIndices)
        let eceAfter = try Calibration.expectedCalibrationError(
            calibration.probabilities(fromLogits: heldLogits), held.classIndices)
        progress("calibration: \(calibration); validation ECE \(Self.decimals(eceBefore)) → \(Self.decimals(eceAfter))")

        // Refit on all the training data with the chosen setting.
        let finalHead: any ClassificationHead
        let summary: TrainingSummary
        switch head {
        case .logistic:
            let configuration = LogisticHead.Configuration(
                inverseRegularization: winner.value, classWeighting: classWeighting)
            (finalHead, summary) = try LogisticHead.fit(
                features: all.features, labels: labels, labelOrder: all.labels, configuration: configuration)
        case .mlp:
            var configuration = mlp
            configuration.classWeighting = classWeighting
            configuration.training.weightDecay = winner.value
            configuration.training.epochs = max(1, winner.epochs ?? configuration.training.epochs)
            configuration.training.earlyStoppingPatience = nil
            configuration.validationFraction = 0
            (finalHead, summary) = try MLPHead.fit(
                features: all.features, labels: labels, labelOrder: all.labels, configuration: configuration)
        }
        try Task.checkCancellation()
        progress("refit on \(all.count) examples: \(summary.steps) steps, stopped by \(summary.stopReason)")
        let report = ClassifierTrainingReport(
            candidates: candidates, chosen: winner.candidate.setting, validationAccuracy: winner.candidate.accuracy,
            eceBefore: eceBefore, eceAfter: eceAfter, calibration: calibration, summary: summary,
            validationCount: held.count, validationWasCarved: validation == nil)
        return (finalHead, calibration, report)
    }

    static func percent(_ value: Double) -> String { decimals(value * 100, places: 2) + "%" }

    static func decimals(_ value: Double, places: Int = 4) -> String {
        let scale = (0..<places).reduce(1.0) { value, _ in value * 10 }
        let rounded = (value * scale).rounded() / scale
        return "\(rounded)"
    }
}
