/// Why training could not start or could not go on; each case names the row, step or file.
public enum TrainingError: Error, Sendable, Hashable, CustomStringConvertible {
    /// There were no examples to learn from.
    case noExamples
    /// Every example has the same label, so there is nothing to separate.
    case singleClass(String)
    /// The inputs and the labels differ in count, or an input has the wrong width.
    case shapeMismatch(String)
    /// An input holds NaN or infinity.
    case nonFiniteInput(row: Int, column: Int)
    /// The loss or its gradient became NaN or infinite at this optimizer step.
    case nonFiniteLoss(step: Int, value: Double)
    /// A label that is not among the model's labels.
    case unknownLabel(String, known: [String])
    /// A setting outside its valid range, with the reason.
    case invalidConfiguration(String)
    /// A checkpoint could not be used to resume, with the reason.
    case unusableCheckpoint(path: String, reason: String)
    /// Cross-validation cannot choose with this label: all its examples (or all its
    /// identical texts) fall in one fold, so the model scored on that fold never saw it.
    case tooFewExamplesToCrossValidate(label: String, examples: Int)
    /// Every hyperparameter candidate's training diverged; each entry names one and why.
    case everyCandidateDiverged([String])
    /// Contrastive tuning needs a label with at least two examples to pull together, and
    /// no label has two.
    case noContrastivePairs

    public var description: String {
        switch self {
        case .noExamples:
            "there are no training examples"
        case .singleClass(let label):
            "every training example is labelled \"\(label)\"; a classifier needs at least two labels"
        case .shapeMismatch(let reason):
            reason
        case .nonFiniteInput(let row, let column):
            "input row \(row), column \(column) is NaN or infinite; check the embeddings or features"
        case .nonFiniteLoss(let step, let value):
            "the loss became \(value) at step \(step); lower the learning rate or check the inputs"
        case .unknownLabel(let label, let known):
            "the label \"\(label)\" is not one of the model's \(known.count) labels"
        case .invalidConfiguration(let reason):
            "invalid training configuration: \(reason)"
        case .unusableCheckpoint(let path, let reason):
            "cannot resume from \(path): \(reason)"
        case .tooFewExamplesToCrossValidate(let label, let examples):
            "the label \"\(label)\" has \(examples == 1 ? "1 example" : "\(examples) examples, all one text,") so cross-validation cannot train on it and score it too; add examples, choose on a validation set instead (squire train --validation), or, for the logistic head, fix C so nothing is chosen (--c)"
        case .everyCandidateDiverged(let reasons):
            "every hyperparameter candidate's training diverged (\(reasons.joined(separator: "; "))); lower the learning rate or check the inputs"
        case .noContrastivePairs:
            "contrastive tuning needs at least one label with two or more examples; every label has one"
        }
    }
}
