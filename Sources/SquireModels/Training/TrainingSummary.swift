/// What a finished fit did: how long it ran, where it ended and why it stopped.
public struct TrainingSummary: Sendable, Hashable, Codable {
    /// Optimizer steps taken (L-BFGS iterations, or mini-batch updates).
    public var steps: Int
    /// Epochs completed, for mini-batch training.
    public var epochs: Int?
    /// The final training objective (loss plus regularization for the logistic head).
    public var loss: Double
    /// The best validation loss, when a validation split was used.
    public var validationLoss: Double?
    /// The epoch (from 1) that reached ``validationLoss``.
    public var bestEpoch: Int?
    /// Why training stopped: `gradient_tolerance`, `relative_decrease`, `iteration_limit`,
    /// `line_search_failure`, `early_stopping`, `epoch_limit` or `stopped`.
    public var stopReason: String
    /// The largest gradient component at the end, for L-BFGS fits.
    public var gradientNorm: Double?

    /// Creates a summary.
    public init(
        steps: Int, epochs: Int? = nil, loss: Double, validationLoss: Double? = nil, bestEpoch: Int? = nil,
        stopReason: String, gradientNorm: Double? = nil
    ) {
        self.steps = steps
        self.epochs = epochs
        self.loss = loss
        self.validationLoss = validationLoss
        self.bestEpoch = bestEpoch
        self.stopReason = stopReason
        self.gradientNorm = gradientNorm
    }

    private enum CodingKeys: String, CodingKey {
        case steps, epochs, loss
        case validationLoss = "validation_loss"
        case bestEpoch = "best_epoch"
        case stopReason = "stop_reason"
        case gradientNorm = "gradient_norm"
    }
}
