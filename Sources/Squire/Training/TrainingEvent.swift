public import SquireModels

/// What a running recipe reports to its progress callback.
public enum TrainingEvent: Sendable, Hashable {
    /// Which data a recipe is embedding.
    public enum Part: Sendable, Hashable {
        /// The training data.
        case training
        /// The validation data given in ``TrainingOptions/validation``.
        case validation
    }

    /// `done` of `total` texts of `part` embedded by the frozen encoder.
    case embedding(Part, done: Int, total: Int)
    /// A step or an epoch's end of a mini-batch fit (tiny transformer, LoRA, the MLP's
    /// epochs are reported as ``note(_:)``).
    case step(TrainingProgress)
    /// A finished phase, in words: a hyperparameter tried, the choice, calibration, the refit.
    case note(String)
}
