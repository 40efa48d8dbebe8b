/// What a training progress callback answers: go on, or stop with what has been learned so far.
public enum TrainingAction: Sendable, Hashable {
    /// Keep training.
    case proceed
    /// Stop after this step; the model keeps its current (or best validated) parameters.
    case stop
}
