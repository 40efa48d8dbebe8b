public import SquireCore
import SquireLoRA
public import SquireModels

/// A classifier a recipe trained: the model, ready to answer, with its card and report, and
/// the bundle it saves as. It is itself a `TextClassifier`, answering with the trained model.
public struct TrainedClassifier: TextClassifier {
    /// The bundle this model saves as: a head or tiny transformer, or a LoRA fine-tune.
    enum Storage: Sendable {
        case classifier(ClassifierBundle)
        case lora(LoRABundle)
    }

    let storage: Storage
    /// What the recipe chose and measured.
    public let report: TrainingReport

    /// The kind of model trained.
    public var kind: ModelBundle.Kind { report.kind }

    /// The model, ready to answer.
    public var classifier: any TextClassifier {
        switch storage {
        case .classifier(let bundle): bundle.classifier
        case .lora(let bundle): bundle.classifier
        }
    }

    /// The head on the frozen encoder, when that is what was trained (a logistic or MLP head).
    public var embeddingClassifier: EmbeddingClassifier? {
        if case .classifier(let bundle) = storage { bundle.embeddingClassifier } else { nil }
    }

    /// The model's labels, in the order of its outputs.
    public var labels: [String] { classifier.labels }

    /// The model's answers for `texts`, one each, in order.
    public func classify(_ texts: [String]) async throws -> [Classification] {
        try await classifier.classify(texts)
    }

    /// What the model card says.
    public var card: ModelCard {
        switch storage {
        case .classifier(let bundle): bundle.card
        case .lora(let bundle): bundle.card
        }
    }

    /// A short identifier of the trained weights, the bundle's version once saved.
    public var version: String {
        switch storage {
        case .classifier(let bundle): bundle.version
        case .lora(let bundle): bundle.version
        }
    }

    /// Writes the bundle folder atomically: it appears whole or not at all, replacing a
    /// previous bundle at `folder`.
    ///
    /// - Throws: `BundleError.refusingToReplace(folder:)` when `folder` holds anything but a
    ///   bundle (or nothing); a file error when it cannot be written.
    public func save(to folder: String) throws {
        switch storage {
        case .classifier(let bundle): try bundle.save(to: folder)
        case .lora(let bundle): try bundle.save(to: folder)
        }
    }
}
