public import SquireModels

/// What a recipe chose and measured: the headline figures on the validation set and the
/// recipe's own details.
public struct TrainingReport: Sendable, Hashable, Codable {
    /// The kind of model trained.
    public var kind: ModelBundle.Kind
    /// The choice in a few words: `C=10.0`, `tiny transformer`, `LoRA rank 8 on query, value, …`.
    public var summary: String
    /// Accuracy on the validation set.
    public var validationAccuracy: Double
    /// Expected calibration error on the validation set before calibration.
    public var eceBeforeCalibration: Double
    /// Expected calibration error on the validation set after calibration.
    public var eceAfterCalibration: Double
    /// The calibration fitted on the validation set.
    public var calibration: Calibration
    /// Validation examples.
    public var validationCount: Int
    /// Whether the validation set was carved from the training data.
    public var validationWasCarved: Bool
    /// For heads on the frozen encoder: every candidate tried and the refit.
    public var headSelection: ClassifierTrainingReport?
    /// For the tiny transformer and LoRA: the fit's steps, epochs and stop reason.
    public var fit: TrainingSummary?

    enum CodingKeys: String, CodingKey {
        case kind, summary, calibration, fit
        case validationAccuracy = "validation_accuracy"
        case eceBeforeCalibration = "ece_before_calibration"
        case eceAfterCalibration = "ece_after_calibration"
        case validationCount = "validation_count"
        case validationWasCarved = "validation_was_carved"
        case headSelection = "head_selection"
    }
}
