import Foundation
import SquireEval
import SquireModels
import SquireTensor

/// How the recipes that train on token ids (the tiny transformer, LoRA) choose their epochs,
/// refit and calibrate.
///
/// By default one run trains on 90% of each label and early stopping on the other 10% picks
/// its epoch: folds would multiply a long fit. With ``TrainingOptions/folds`` each fold's run
/// scores its held-out fold after every epoch, and the epochs are chosen from those curves
/// as a head's hyperparameters are (fewer epochs being more regularized). Either way the
/// model is then refitted on all the data for the chosen epochs of the same schedule, and
/// calibrated on the held-out logits at that epoch when that makes its confidences more
/// honest.
struct EpochSelection {
    /// The epochs chosen.
    var epochs: Int
    /// Held-out accuracy at the chosen epoch (with folds, the mean over them).
    var accuracy: Double
    /// Every epoch's fold scores and the choice, when folds were used.
    var crossValidation: CrossValidationResults?
    /// The calibration fitted on the held-out logits, when calibration is on.
    var calibration: OutOfFoldCalibration?
    /// Expected calibration error of the held-out logits, uncalibrated.
    var eceBefore: Double
    /// Held-out predictions the figures rest on.
    var heldCount: Int
    /// Whether the held-out data came from the training data.
    var carved: Bool
    /// The plan's description, for the model card.
    var description: String

    /// One fit of a recipe: trains on `training` for `epochs` epochs of a schedule spanning
    /// `scheduleEpochs`, early-stopping on `held` when given, checkpointing to `checkpoint`,
    /// and handing `afterEpoch` the model at every epoch's end.
    typealias Fit<Model> = (
        _ training: Dataset, _ held: Dataset?, _ epochs: Int, _ scheduleEpochs: Int, _ checkpoint: String?,
        _ afterEpoch: (Model, Int) throws -> Void
    ) throws -> (model: Model, summary: TrainingSummary)

    /// Chooses the epochs on held-out data, refits on all of `data`, and returns the refitted
    /// model with the choice.
    ///
    /// - Parameters:
    ///   - maximumEpochs: the most epochs a run trains, and the span of every schedule.
    ///   - logits: the model's logits for a dataset's texts.
    ///   - labels: the model's label order.
    static func choose<Model>(
        on data: Dataset, options: TrainingOptions, maximumEpochs: Int, fit: Fit<Model>,
        logits: @escaping (Model, Dataset) throws -> Tensor, labels: @escaping (Model) -> [String],
        progress: (TrainingEvent) -> Void
    ) throws -> (model: Model, summary: TrainingSummary, selection: EpochSelection) {
        let examples = try TrainingExamples(
            features: Tensor.zeros([data.count, 1]), labels: data.examples.map(\.label))
        let plan = try SelectionPlan(
            examples: examples, foldCount: options.folds ?? 0, repeats: 1, seed: options.seed,
            validationFraction: 0.1,
            groupIDs: CrossValidationFolds.ids(of: options.groups ?? data.examples.map(\.text)),
            folds: options.crossValidationFolds, validationCount: options.validation?.count)
        progress(.note(plan.description))
        func part(_ source: Dataset, _ rows: [Int]) throws -> Dataset {
            try Dataset(name: source.name, examples: rows.map { source.examples[$0] })
        }
        let splits = try plan.splits.map { split in
            (
                training: try part(data, split.training),
                held: try plan.heldApart ? part(options.validation!, split.held) : part(data, split.held)
            )
        }
        var heldLogits: [Tensor] = []
        var order: [String] = []
        let epochs: Int
        var results: CrossValidationResults?
        if splits.count == 1 {
            // One validation set: the run's own early stopping picks the epoch, so a resumed
            // checkpoint gives the same choice.
            let (model, summary) = try fit(
                splits[0].training, splits[0].held, maximumEpochs, maximumEpochs, options.checkpointPath
            ) { _, _ in }
            try Task.checkCancellation()
            epochs = summary.bestEpoch ?? summary.epochs ?? maximumEpochs
            heldLogits = [try logits(model, splits[0].held)]
            order = labels(model)
        } else {
            // Folds: every epoch every fold reached is a candidate, read from the runs' curves.
            var curves: [[(score: FoldScore, seconds: Double, logits: Tensor)]] = []
            for (index, split) in splits.enumerated() {
                let start = ContinuousClock.now
                var curve: [(score: FoldScore, seconds: Double, logits: Tensor)] = []
                let (model, _) = try fit(split.training, split.held, maximumEpochs, maximumEpochs, nil) {
                    model, _ in
                    let heldLogits = try logits(model, split.held)
                    let indices = try Self.indices(of: split.held, in: labels(model))
                    curve.append(
                        (try FoldScore(logits: heldLogits, classIndices: indices), start.elapsedSeconds, heldLogits))
                }
                try Task.checkCancellation()
                order = labels(model)
                curves.append(curve)
                progress(.note("fold \(index + 1) of \(splits.count): \(curve.count) epochs"))
            }
            let reached = curves.map(\.count).min() ?? 0
            guard reached > 0 else { throw TrainingError.noExamples }
            let candidates = (1...reached).map { epoch in
                CrossValidationResults.Candidate(
                    setting: "epochs=\(epoch)", folds: curves.map { $0[epoch - 1].score },
                    fitSeconds: curves.map { $0[epoch - 1].seconds })
            }
            let chosen = try CrossValidationResults(
                metric: options.metric ?? .accuracy, rule: options.selection ?? .oneStandardError,
                foldCount: plan.folds?.foldCount ?? splits.count, repeats: plan.folds?.repeats ?? 1,
                candidates: candidates, thinLabels: plan.thinLabels)
            epochs = chosen.chosenIndex + 1
            heldLogits = curves.map { $0[epochs - 1].logits }
            results = chosen
            progress(
                .note("chose \(epochs) epochs (\(chosen.rule.rawValue) rule; best mean at \(chosen.bestIndex + 1))"))
        }
        let outOfFold = try Tensor.concatenating(heldLogits)
        let heldIndices = try splits.flatMap { try Self.indices(of: $0.held, in: order) }
        let calibration =
            options.calibrates && heldIndices.count >= 2
            ? try OutOfFoldCalibration(
                logits: outOfFold, classIndices: heldIndices, groups: plan.calibrationGroups)
            : nil
        let eceBefore = try Calibration.expectedCalibrationError(outOfFold.softmax(), heldIndices)
        let accuracy =
            try results?.chosen.mean.accuracy
            ?? FoldScore(logits: outOfFold, classIndices: heldIndices).accuracy

        progress(.note("refit on all \(data.count) examples for \(epochs) epochs"))
        let (model, summary) = try fit(
            data, nil, epochs, maximumEpochs, options.checkpointPath.map { $0 + ".refit" }
        ) { _, _ in }
        try Task.checkCancellation()
        let selection = EpochSelection(
            epochs: epochs, accuracy: accuracy, crossValidation: results, calibration: calibration,
            eceBefore: eceBefore, heldCount: heldIndices.count, carved: !plan.heldApart,
            description: plan.description)
        return (model, summary, selection)
    }

    /// How the card's method names the choice: `8 epochs of at most 15, chosen by early
    /// stopping on a 10% carve, then refitted on all the training data`.
    func methodText(maximum: Int) -> String {
        let how =
            crossValidation.map { "chosen by \($0.foldCount)-fold cross-validation (\($0.rule.rawValue) rule)" }
            ?? "chosen by early stopping on \(carved ? "a 10% carve" : "the validation set")"
        return "\(epochs) epochs of at most \(maximum), \(how), then refitted on all the training data"
    }

    /// The ECE with the shipped calibration: cross-fitted when one is kept.
    var eceAfter: Double { calibration?.eceAfter ?? eceBefore }

    /// The shipped calibration.
    var shipped: Calibration { calibration?.calibration ?? .none }

    /// Each example's label as an index into `order`.
    static func indices(of data: Dataset, in order: [String]) throws -> [Int] {
        try data.examples.map { example in
            guard let index = order.firstIndex(of: example.label) else {
                throw TrainingError.unknownLabel(example.label, known: order)
            }
            return index
        }
    }
}
