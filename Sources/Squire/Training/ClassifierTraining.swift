import Foundation
public import SquireEval
public import SquireModels
import SquireTensor

/// Squire's training recipes as library calls: one entry point per recipe, each taking a
/// ``Dataset``, its settings as a value, the shared ``TrainingOptions`` and a progress
/// callback, and returning the trained model with its report. `squire train` and
/// `squire distill` call exactly these.
///
/// ```swift
/// let data = try Dataset(contentsOf: URL(fileURLWithPath: "train.jsonl"))
/// let trained = try ClassifierTraining.frozenHead(
///     ClassifierRecipe(head: .logistic), on: data, options: TrainingOptions(bundleFolder: "intent-bundle"))
/// print(trained.report.summary, trained.report.validationAccuracy)
/// ```
///
/// Training runs on the calling thread (the encoder uses every core). Cancelling the
/// surrounding task stops a recipe between embedding batches, hyperparameter candidates or
/// training steps; it then throws `CancellationError` and writes no bundle.
public enum ClassifierTraining {
    /// A logistic or MLP head on frozen embeddings of ``TrainingOptions/base``: chooses the
    /// recipe's hyperparameters on the validation set, refits on all of `data` with the
    /// winner, and calibrates on the validation set.
    ///
    /// The recipe's `seed`, `calibrates` and `mlp.training.seed` are taken from `options`.
    public static func frozenHead(
        _ recipe: ClassifierRecipe, on data: Dataset, options: TrainingOptions = TrainingOptions(),
        progress: (TrainingEvent) -> Void = { _ in }
    ) throws -> TrainedClassifier {
        try checkDestination(options)
        let embedder = try SentenceEmbedder(folder: options.base)
        let features = try embedder.embeddings(for: data.examples.map(\.text)) {
            progress(.embedding(.training, done: $0, total: data.count))
        }
        let validation = try options.validation.map { held in
            let features = try embedder.embeddings(for: held.examples.map(\.text)) {
                progress(.embedding(.validation, done: $0, total: held.count))
            }
            return (features: features, labels: held.examples.map(\.label))
        }
        var recipe = recipe
        recipe.seed = options.seed
        recipe.mlp.training.seed = options.seed
        recipe.calibrates = options.calibrates
        let (head, calibration, selection) = try recipe.train(
            features: features, labels: data.examples.map(\.label), validation: validation,
            progress: { progress(.note($0)) })
        let classifier = try EmbeddingClassifier(embedder: embedder, head: head, calibration: calibration)
        let base = URL(fileURLWithPath: options.base).lastPathComponent
        let method =
            switch recipe.head {
            case .logistic:
                "Multinomial logistic regression (L-BFGS, \(selection.chosen)) on frozen mean-pooled, normalized embeddings of \(base); calibration: \(calibration)."
            case .mlp:
                "MLP head (hidden \(recipe.mlp.hiddenSizes.map(String.init).joined(separator: "×")), \(recipe.mlp.activation.rawValue), dropout \(recipe.mlp.dropoutRate), label smoothing \(recipe.mlp.labelSmoothing), AdamW, \(selection.chosen)) on frozen mean-pooled, normalized embeddings of \(base); calibration: \(calibration)."
            }
        let evaluationData =
            selection.validationWasCarved
            ? "\(selection.validationCount) examples carved from the training data (stratified, seed \(options.seed)) before the final refit"
            : "\(selection.validationCount) examples of \(options.validationDescription ?? options.validation?.name ?? "")"
        let card = ModelCard(
            options, data: data, method: method, accuracy: selection.validationAccuracy,
            ece: (selection.eceBefore, selection.eceAfter), evaluationData: evaluationData,
            maximumLength: embedder.tokenizer.maximumLength)
        let report = TrainingReport(
            kind: recipe.head == .logistic ? .logisticHead : .mlpHead, summary: selection.chosen,
            validationAccuracy: selection.validationAccuracy, eceBeforeCalibration: selection.eceBefore,
            eceAfterCalibration: selection.eceAfter, calibration: calibration,
            validationCount: selection.validationCount, validationWasCarved: selection.validationWasCarved,
            headSelection: selection, fit: nil)
        return try finish(
            TrainedClassifier(
                storage: .classifier(ClassifierBundle(classifier: classifier, card: card, encoderFolder: options.base)),
                report: report), options: options)
    }

    /// Refuses, before any training, a bundle folder that holds anything but a previous bundle.
    static func checkDestination(_ options: TrainingOptions) throws {
        if let folder = options.bundleFolder { try ClassifierBundle.checkReplaceable(folder) }
    }

    /// Checks for cancellation, then writes the bundle when the options ask for one.
    static func finish(_ trained: TrainedClassifier, options: TrainingOptions) throws -> TrainedClassifier {
        try Task.checkCancellation()
        if let folder = options.bundleFolder { try trained.save(to: folder) }
        return trained
    }

    /// The training and validation examples of a recipe that trains on token ids: the
    /// options' validation set, or 10% of each label carved from `data`.
    static func split(_ data: Dataset, options: TrainingOptions) throws -> (
        train: Dataset, validation: Dataset, carved: Bool
    ) {
        if let held = options.validation { return (data, held, false) }
        let split = try data.stratifiedSplit(validationFraction: 0.1, testFraction: 0, seed: options.seed)
        return (split.train, split.validation, true)
    }

    /// The validation accuracy and, when the options ask, a temperature (Platt for two
    /// labels) fitted on the validation logits, with the ECE before and after.
    static func calibrate(logits: Tensor, labels: [String], order: [String], options: TrainingOptions) throws -> (
        calibration: Calibration, accuracy: Double, eceBefore: Double, eceAfter: Double
    ) {
        let indices = try labels.map { label in
            guard let index = order.firstIndex(of: label) else {
                throw TrainingError.invalidConfiguration(
                    "the validation label \"\(label)\" is not among the training labels")
            }
            return index
        }
        let eceBefore = try Calibration.expectedCalibrationError(
            Calibration.none.probabilities(fromLogits: logits), indices)
        var calibration = Calibration.none
        if options.calibrates {
            calibration =
                order.count == 2
                ? try Calibration.fitPlatt(logits: logits, classIndices: indices)
                : try Calibration.fitTemperature(logits: logits, classIndices: indices)
        }
        let eceAfter = try Calibration.expectedCalibrationError(calibration.probabilities(fromLogits: logits), indices)
        let predicted = try logits.argmax(alongAxis: 1)
        let accuracy = Double(zip(predicted, indices).filter { $0 == $1 }.count) / Double(max(1, indices.count))
        return (calibration, accuracy, eceBefore, eceAfter)
    }

    /// What the card says about the validation set of a model trained on the rest.
    static func evaluationData(count: Int, carved: Bool, options: TrainingOptions) -> String {
        carved
            ? "\(count) examples carved from the training data (stratified, seed \(options.seed)); the model was trained on the rest"
            : "\(count) examples of \(options.validationDescription ?? options.validation?.name ?? "")"
    }
}

extension ModelCard {
    /// A card for a model trained with `options` on `data`, with the validation figures.
    init(
        _ options: TrainingOptions, data: Dataset, method: String, accuracy: Double,
        ece: (before: Double, after: Double),
        evaluationData: String, maximumLength: Int
    ) {
        let counts = data.labelCounts
        self.init(
            name: options.name, intendedUse: options.intendedUse,
            trainingData: options.trainingDataDescription ?? data.name, labelCounts: counts, method: method,
            evaluation: [
                "validation_accuracy": accuracy, "ece_before_calibration": ece.before,
                "ece_after_calibration": ece.after,
            ],
            evaluationData: evaluationData,
            limitations: [
                "It only ever answers one of its \(counts.count) labels; texts about anything else still get one of them, so route low-confidence answers to a fallback.",
                "Texts are cut at \(maximumLength) tokens; the vocabulary and any pretrained weights are English.",
                "Figures come from data like the training data; re-measure with `squire eval` on your own traffic and watch it with `squire drift`.",
            ])
    }
}
