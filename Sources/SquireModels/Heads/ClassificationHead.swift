public import SquireTensor

/// A trained layer that turns a batch of feature vectors (sentence embeddings) into one
/// score per label: the part of a classifier that learns the task.
///
/// Logits are unnormalized; a softmax (after any ``Calibration``) makes them probabilities.
public protocol ClassificationHead: Sendable {
    /// The labels, in the order of the logits' last axis.
    var labels: [String] { get }
    /// The width of the feature vectors the head takes.
    var inputDimension: Int { get }
    /// `[B, labels.count]` logits for `[B, inputDimension]` features.
    func logits(for features: Tensor) throws -> Tensor
    /// Every parameter under its checkpoint key, in a fixed order.
    var parameters: NamedTensors { get }
}
