public import SquireEval
public import SquireModels

/// What every training recipe shares: the base model, the validation data, the seed,
/// calibration, checkpoints, where to write the bundle, and what its model card says.
public struct TrainingOptions: Sendable {
    /// The sentence encoder folder: the frozen encoder of a head, the base of a LoRA
    /// fine-tune, the vocabulary of a tiny transformer.
    public var base: String
    /// Labelled data for choosing hyperparameters or the epoch and for calibrating; nil
    /// carves 10% of each label from the training data (stratified, seeded by ``seed``).
    public var validation: Dataset?
    /// Seeds the validation split, initialization, shuffling and dropout.
    public var seed: UInt64
    /// Fit temperature scaling (Platt scaling for two labels) on the validation set.
    public var calibrates: Bool
    /// For the tiny transformer and LoRA: a checkpoint file written after every epoch;
    /// training again with the same options resumes from it.
    public var checkpointPath: String?
    /// Where to write the bundle when training succeeds; nil writes nothing (call
    /// ``TrainedClassifier/save(to:)`` later). A cancelled or failed run writes nothing; a
    /// folder that holds anything but a previous bundle is refused, not replaced.
    public var bundleFolder: String?
    /// The model's name in its card.
    public var name: String
    /// What the model is for, for its card.
    public var intendedUse: String
    /// How the card names the training data; nil uses the dataset's name.
    public var trainingDataDescription: String?
    /// How the card names the validation data, when ``validation`` is given; nil uses its name.
    public var validationDescription: String?

    /// Creates options; the defaults train on all-MiniLM-L6-v2 from Squire's model cache.
    public init(
        base: String = ModelFolder.allMiniLML6V2, validation: Dataset? = nil, seed: UInt64 = 0,
        calibrates: Bool = true, checkpointPath: String? = nil, bundleFolder: String? = nil,
        name: String = "classifier",
        intendedUse: String =
            "Assigns one of a fixed set of labels to a short English text, in place of a frontier-model call.",
        trainingDataDescription: String? = nil, validationDescription: String? = nil
    ) {
        self.base = base
        self.validation = validation
        self.seed = seed
        self.calibrates = calibrates
        self.checkpointPath = checkpointPath
        self.bundleFolder = bundleFolder
        self.name = name
        self.intendedUse = intendedUse
        self.trainingDataDescription = trainingDataDescription
        self.validationDescription = validationDescription
    }
}
