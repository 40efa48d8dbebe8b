/// The settings of mini-batch training with ``Trainer``.
public struct TrainingConfiguration: Sendable, Hashable, Codable {
    /// Passes over the training data, at most (early stopping may end sooner).
    public var epochs: Int
    /// Examples per update.
    public var batchSize: Int
    /// The peak learning rate.
    public var learningRate: Double
    /// AdamW's decoupled weight decay.
    public var weightDecay: Double
    /// The fraction of all updates spent warming the learning rate up.
    public var warmupFraction: Double
    /// Gradients whose global L2 norm exceeds this are scaled down to it; nil never clips.
    public var maximumGradientNorm: Double?
    /// Stop after this many epochs without a better validation loss, and keep the best
    /// epoch's parameters; nil trains every epoch.
    public var earlyStoppingPatience: Int?
    /// Seeds shuffling, dropout and initialization: the same seed gives the same model.
    public var seed: UInt64
    /// The epochs the learning-rate schedule spans; nil spans ``epochs``. A refit that
    /// reproduces epoch `e` of a longer run sets ``epochs`` to `e` and this to the longer
    /// run's epochs, so it takes its steps at the same rates.
    public var scheduleEpochs: Int?

    /// Creates a configuration; the defaults suit a small head on sentence embeddings.
    public init(
        epochs: Int = 30, batchSize: Int = 32, learningRate: Double = 1e-3, weightDecay: Double = 0.01,
        warmupFraction: Double = 0.05, maximumGradientNorm: Double? = 1, earlyStoppingPatience: Int? = 4,
        seed: UInt64 = 0, scheduleEpochs: Int? = nil
    ) {
        self.epochs = epochs
        self.batchSize = batchSize
        self.learningRate = learningRate
        self.weightDecay = weightDecay
        self.warmupFraction = warmupFraction
        self.maximumGradientNorm = maximumGradientNorm
        self.earlyStoppingPatience = earlyStoppingPatience
        self.seed = seed
        self.scheduleEpochs = scheduleEpochs
    }

    /// Throws ``TrainingError/invalidConfiguration(_:)`` for a setting out of range.
    public func validate() throws {
        func require(_ condition: Bool, _ reason: String) throws {
            if !condition { throw TrainingError.invalidConfiguration(reason) }
        }
        try require(epochs >= 1, "epochs must be at least 1, got \(epochs)")
        try require(batchSize >= 1, "the batch size must be at least 1, got \(batchSize)")
        try require(
            learningRate > 0 && learningRate.isFinite, "the learning rate must be positive, got \(learningRate)")
        try require(weightDecay >= 0 && weightDecay.isFinite, "weight decay must be non-negative, got \(weightDecay)")
        try require((0..<1).contains(warmupFraction), "the warm-up fraction must be in 0 ..< 1, got \(warmupFraction)")
        try require(maximumGradientNorm.map { $0 > 0 } ?? true, "the gradient norm limit must be positive")
        try require(earlyStoppingPatience.map { $0 >= 1 } ?? true, "early-stopping patience must be at least 1 epoch")
        try require(
            scheduleEpochs.map { $0 >= epochs } ?? true,
            "the schedule must span at least the \(epochs) epochs trained, got \(scheduleEpochs ?? 0)")
    }

    private enum CodingKeys: String, CodingKey {
        case epochs, seed
        case batchSize = "batch_size"
        case learningRate = "learning_rate"
        case weightDecay = "weight_decay"
        case warmupFraction = "warmup_fraction"
        case maximumGradientNorm = "max_grad_norm"
        case earlyStoppingPatience = "early_stopping_patience"
        case scheduleEpochs = "schedule_epochs"
    }
}
