import Foundation
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

    var storage: Storage
    /// What the recipe chose and measured.
    public internal(set) var report: TrainingReport

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

extension TrainedClassifier {
    /// This model, named as trained by `recipe`: its report says so, and its card's method
    /// starts with it.
    func named(_ recipe: String) -> TrainedClassifier {
        var copy = self
        copy.report.recipe = recipe
        return copy
    }

    /// This model as the default recipe's choice: the report carries `choice`, and the card
    /// says what was compared and why.
    func choosing(_ choice: RecipeChoice) -> TrainedClassifier {
        var copy = named(choice.chosen)
        copy.report.choice = choice
        let scores = choice.alternatives.map {
            "\($0.recipe) \(String(format: "%.2f%%", $0.accuracy * 100))"
        }.joined(separator: ", ")
        let sentence =
            " Recipe chosen automatically: \(choice.reason). Held-out accuracy of each recipe compared (\(choice.comparison)): \(scores)."
            + (choice.advice.map { " " + $0 + "." } ?? "")
        switch copy.storage {
        case .classifier(var bundle):
            bundle.card.method += sentence
            copy.storage = .classifier(bundle)
        case .lora(var bundle):
            bundle.card.method += sentence
            copy.storage = .lora(bundle)
        }
        return copy
    }
}

extension TrainedClassifier {
    /// This head-on-embeddings model with its calibration refitted on held-out `logits` (of
    /// models trained the same way on other data) and its report's held-out figures taken
    /// from them: for a model whose own training embeddings cannot be held out.
    func calibrated(
        onHeldOut logits: Tensor, classIndices: [Int], accuracy: Double, calibrates: Bool, describedAs held: String
    ) throws
        -> TrainedClassifier
    {
        guard case .classifier(var bundle) = storage, let classifier = bundle.embeddingClassifier else { return self }
        let calibration =
            calibrates
            ? (logits.shape[1] == 2
                ? try Calibration.fitPlatt(logits: logits, classIndices: classIndices)
                : try Calibration.fitTemperature(logits: logits, classIndices: classIndices)) : .none
        let before = try Calibration.expectedCalibrationError(logits.softmax(), classIndices)
        let calibrated = try calibration.probabilities(fromLogits: logits)
        let after = try Calibration.expectedCalibrationError(calibrated, classIndices)
        let kept = after < before ? calibration : .none
        bundle.model = .embedding(
            try EmbeddingClassifier(embedder: classifier.embedder, head: classifier.head, calibration: kept))
        var copy = self
        copy.storage = .classifier(bundle)
        copy.report.calibration = kept
        copy.report.validationAccuracy = accuracy
        copy.report.crossValidatedAccuracy = nil
        copy.report.crossValidatedStandardError = nil
        copy.report.eceBeforeCalibration = before
        copy.report.eceAfterCalibration = kept == .none ? before : after
        copy.report.validationCount = classIndices.count
        bundle.card.evaluation["validation_accuracy"] = accuracy
        bundle.card.evaluation["ece_before_calibration"] = before
        bundle.card.evaluation["ece_after_calibration"] = copy.report.eceAfterCalibration
        bundle.card.evaluation["cv_standard_error"] = nil
        bundle.card.selection = nil
        bundle.card.evaluationData = "\(classIndices.count) held-out predictions: \(held)"
        bundle.card.method = bundle.card.method.replacingOccurrences(
            of: "calibration: \(classifier.calibration)",
            with: "calibration: \(kept) (fitted on the held-out predictions)")
        copy.storage = .classifier(bundle)
        return copy
    }
}
