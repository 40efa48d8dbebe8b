public import SquireEval
public import SquireModels

/// What every training recipe shares: the base model, the validation data, the seed,
/// calibration, checkpoints, where to write the bundle, and what its model card says.
public struct TrainingOptions: Sendable {
    /// The base model folder: the frozen embedder of a head (a sentence encoder or a static
    /// model), the base of a LoRA fine-tune, the vocabulary of a tiny transformer.
    public var base: String
    /// Labelled data for choosing hyperparameters or the epoch and for calibrating, used
    /// instead of cross-validation or a carve.
    public var validation: Dataset?
    /// Cross-validation folds for choosing; 0 chooses on 10% of each label carved from the
    /// training data (stratified, seeded by ``seed``). Nil: the recipe's own (5 for a head
    /// on the frozen encoder; a carve for the tiny transformer and LoRA, whose fits are long).
    public var folds: Int?
    /// The caller's own folds, one fold per training example (and repeat), used instead of
    /// drawing stratified ones.
    public var crossValidationFolds: CrossValidationFolds?
    /// A key per training example; examples with equal keys share a fold. Nil keeps
    /// identical texts together.
    public var groups: [String]?
    /// How the choice is made; nil: the recipe's own (the one-standard-error rule).
    public var selection: SelectionRule?
    /// What candidates are compared on; nil: the recipe's own (accuracy).
    public var metric: SelectionMetric?
    /// Seeds the folds (or the carve), initialization, shuffling and dropout.
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
    /// A name or one-line description per label, for the recipes that read labels as text
    /// (the default recipe and ``FewShotRecipe``); a label without one is read as its
    /// readable form (``FewShotRecipe/readableName(of:)``).
    public var labelDescriptions: [String: String]

    /// Creates options; the defaults train on all-MiniLM-L6-v2 from Squire's model cache.
    public init(
        base: String = ModelFolder.allMiniLML6V2, validation: Dataset? = nil, folds: Int? = nil,
        crossValidationFolds: CrossValidationFolds? = nil, groups: [String]? = nil, selection: SelectionRule? = nil,
        metric: SelectionMetric? = nil, seed: UInt64 = 0,
        calibrates: Bool = true, checkpointPath: String? = nil, bundleFolder: String? = nil,
        name: String = "classifier",
        intendedUse: String =
            "Assigns one of a fixed set of labels to a short English text, in place of a frontier-model call.",
        trainingDataDescription: String? = nil, validationDescription: String? = nil,
        labelDescriptions: [String: String] = [:]
    ) {
        self.base = base
        self.validation = validation
        self.folds = folds
        self.crossValidationFolds = crossValidationFolds
        self.groups = groups
        self.selection = selection
        self.metric = metric
        self.seed = seed
        self.calibrates = calibrates
        self.checkpointPath = checkpointPath
        self.bundleFolder = bundleFolder
        self.name = name
        self.intendedUse = intendedUse
        self.trainingDataDescription = trainingDataDescription
        self.validationDescription = validationDescription
        self.labelDescriptions = labelDescriptions
    }
}
