public import SquireTensor

/// A model the shared ``Trainer`` can fit by mini-batch gradient descent.
///
/// The model computes its loss and gradients; the trainer owns everything else (shuffling,
/// the optimizer, the schedule, clipping, validation, early stopping, checkpoints).
public protocol TrainableModel: Sendable {
    /// What one mini-batch holds (features and labels, or token ids and labels).
    associatedtype Batch

    /// Every trained parameter under its checkpoint key, in a fixed order (fixed tensors,
    /// such as an input standardization, are not listed).
    var trainableParameters: NamedTensors { get }

    /// Replaces the trained parameters with `parameters`: the keys of
    /// ``trainableParameters``, in its order, with tensors of the same shapes.
    ///
    /// - Throws: ``NamedTensorsError`` naming the first key or shape that differs.
    mutating func assignTrainableParameters(_ parameters: NamedTensors) throws

    /// The mean loss on `batch` and its gradient for every trained parameter, under the keys
    /// of ``trainableParameters`` in its order, with training-time randomness (dropout) drawn
    /// from `generator`.
    func lossAndGradients(on batch: Batch, using generator: inout SeededGenerator) throws -> (
        loss: Double, gradients: NamedTensors
    )

    /// The mean loss and the accuracy on `batch` without training-time randomness.
    func evaluate(on batch: Batch) throws -> (loss: Double, accuracy: Double)
}

extension TrainableModel {
    /// Whether weight decay applies to a parameter: not to biases or layer norms.
    static func takesWeightDecay(_ key: String) -> Bool {
        !(key.hasSuffix("bias") || key.contains("LayerNorm") || key.contains("layer_norm"))
    }
}
