/// One report from a running fit, given to its progress callback.
public struct TrainingProgress: Sendable, Hashable {
    /// The optimizer step just taken (an L-BFGS iteration or a mini-batch update), from 1.
    public var step: Int
    /// The epoch it belongs to, from 1, for mini-batch training; nil for full-batch fits.
    public var epoch: Int?
    /// The training loss at this step (for mini-batches, of the batch just seen).
    public var loss: Double
    /// The validation loss, reported at the end of an epoch when there is a validation set.
    public var validationLoss: Double?
    /// The validation accuracy, alongside ``validationLoss``.
    public var validationAccuracy: Double?
    /// The total steps planned, when known, for progress bars.
    public var totalSteps: Int?

    /// Creates a report.
    public init(
        step: Int, epoch: Int? = nil, loss: Double, validationLoss: Double? = nil, validationAccuracy: Double? = nil,
        totalSteps: Int? = nil
    ) {
        self.step = step
        self.epoch = epoch
        self.loss = loss
        self.validationLoss = validationLoss
        self.validationAccuracy = validationAccuracy
        self.totalSteps = totalSteps
    }
}
