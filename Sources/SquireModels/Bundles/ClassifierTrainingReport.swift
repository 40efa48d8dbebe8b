/// What ``ClassifierRecipe/train(features:labels:validation:groups:folds:progress:)`` chose
/// and measured.
public struct ClassifierTrainingReport: Sendable, Hashable, Codable {
    /// Every candidate's held-out scores, fold by fold, the rule and the choice.
    public var crossValidation: CrossValidationResults
    /// The winning setting.
    public var chosen: String
    /// The winner's held-out accuracy before the refit: its mean over the folds, or on the
    /// one validation set.
    public var validationAccuracy: Double
    /// Expected calibration error (15 equal-width bins) of the winner's held-out logits,
    /// uncalibrated.
    public var eceBefore: Double
    /// The same with the shipped calibration, each row calibrated by a fit on the other
    /// folds; equal to ``eceBefore`` when no calibration is shipped.
    public var eceAfter: Double
    /// The calibration shipped with the head.
    public var calibration: Calibration
    /// The calibration fitted on the held-out logits and whether it was kept; nil when
    /// calibration is off.
    public var calibrationFit: OutOfFoldCalibration?
    /// The final refit.
    public var summary: TrainingSummary
    /// How many held-out predictions the figures rest on (with repeated folds, each example
    /// once per repeat).
    public var validationCount: Int
    /// True when the held-out data came from the training data (folds or a carve).
    public var validationWasCarved: Bool
    /// Which fold held out each training example, repeat by repeat, when the choice was
    /// cross-validated: what a peer needs to score the same folds.
    public var folds: CrossValidationFolds?
    /// Seconds spent choosing (every candidate on every split, and the chosen candidate's
    /// held-out logits).
    public var selectionSeconds: Double
    /// Seconds spent on the refit.
    public var refitSeconds: Double

    /// The winner's mean fold accuracy, when the choice was cross-validated.
    public var crossValidatedAccuracy: Double? {
        crossValidation.foldCount > 1 ? crossValidation.chosen.mean.accuracy : nil
    }

    /// The standard error of ``crossValidatedAccuracy``.
    public var crossValidatedStandardError: Double? {
        crossValidation.foldCount > 1 ? crossValidation.chosen.standardError?.accuracy : nil
    }

    private enum CodingKeys: String, CodingKey {
        case chosen, calibration, summary, folds
        case crossValidation = "cross_validation"
        case validationAccuracy = "validation_accuracy"
        case eceBefore = "ece_before"
        case eceAfter = "ece_after"
        case calibrationFit = "calibration_fit"
        case validationCount = "validation_count"
        case validationWasCarved = "validation_was_carved"
        case selectionSeconds = "selection_seconds"
        case refitSeconds = "refit_seconds"
    }
}
