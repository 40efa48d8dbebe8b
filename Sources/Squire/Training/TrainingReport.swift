public import SquireModels

/// What a recipe chose and measured: the headline figures on the validation set and the
/// recipe's own details.
public struct TrainingReport: Sendable, Hashable, Codable {
    /// The kind of model trained.
    public var kind: ModelBundle.Kind
    /// The choice in a few words: `C=10.0`, `tiny transformer`, `LoRA rank 8 on query, value, …`.
    public var summary: String
    /// Held-out accuracy: the chosen candidate's mean over the folds, or on the validation set.
    public var validationAccuracy: Double
    /// The chosen candidate's mean fold accuracy, when the choice was cross-validated.
    public var crossValidatedAccuracy: Double?
    /// The standard error of ``crossValidatedAccuracy``: the folds' sample standard
    /// deviation over the square root of their count.
    public var crossValidatedStandardError: Double?
    /// Expected calibration error of the held-out predictions before calibration.
    public var eceBeforeCalibration: Double
    /// The same after calibration (for a head, cross-fitted: each fold calibrated by a fit
    /// on the others).
    public var eceAfterCalibration: Double
    /// The calibration shipped with the model.
    public var calibration: Calibration
    /// Held-out predictions the figures rest on.
    public var validationCount: Int
    /// Whether the held-out data came from the training data (folds or a carve).
    public var validationWasCarved: Bool
    /// For heads on the frozen encoder: every candidate tried and the refit.
    public var headSelection: ClassifierTrainingReport?
    /// For the tiny transformer and LoRA chosen by folds: every epoch's fold scores.
    public var epochSelection: CrossValidationResults?
    /// For the tiny transformer and LoRA: the refit's steps, epochs and stop reason.
    public var fit: TrainingSummary?
    /// The recipe that trained the model, as `squire train --recipe` names it (`logistic`,
    /// `mlp`, `few-shot`, …, or a variant the default recipe compared, such as
    /// `logistic+names`); nil for a report written before recipes had names.
    public var recipe: String?
    /// What the default recipe compared and why it chose ``recipe``; nil when a recipe was named.
    public var choice: RecipeChoice?

    enum CodingKeys: String, CodingKey {
        case kind, summary, calibration, fit, recipe, choice
        case validationAccuracy = "validation_accuracy"
        case crossValidatedAccuracy = "cv_accuracy"
        case crossValidatedStandardError = "cv_standard_error"
        case eceBeforeCalibration = "ece_before_calibration"
        case eceAfterCalibration = "ece_after_calibration"
        case validationCount = "validation_count"
        case validationWasCarved = "validation_was_carved"
        case headSelection = "head_selection"
        case epochSelection = "epoch_selection"
    }
}

extension TrainingReport {
    /// A report of a recipe whose epochs `selection` chose; `fit` is the refit's.
    init(
        kind: ModelBundle.Kind, summary: String, selection: EpochSelection, calibration: Calibration,
        fit: TrainingSummary
    ) {
        self.init(
            kind: kind, summary: summary, validationAccuracy: selection.accuracy,
            crossValidatedAccuracy: selection.crossValidation?.chosen.mean.accuracy,
            crossValidatedStandardError: selection.crossValidation?.chosen.standardError?.accuracy,
            eceBeforeCalibration: selection.eceBefore, eceAfterCalibration: selection.eceAfter,
            calibration: calibration, validationCount: selection.heldCount, validationWasCarved: selection.carved,
            headSelection: nil, epochSelection: selection.crossValidation, fit: fit)
    }
}
