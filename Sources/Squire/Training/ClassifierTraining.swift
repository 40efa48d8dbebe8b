import Foundation
public import SquireEval
public import SquireModels
public import SquireTensor

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
    /// A logistic or MLP head on frozen embeddings of ``TrainingOptions/base`` (a sentence
    /// encoder, or a static model in model2vec's format, as `squire distill-static` writes): chooses the
    /// recipe's hyperparameters by cross-validation (or on the validation set), refits on all
    /// of `data` with the winner, and calibrates on the held-out logits.
    ///
    /// The recipe's `seed`, `calibrates` and `mlp.training.seed` are taken from `options`, and
    /// its folds, rule and metric where `options` sets them. Identical texts share a fold
    /// unless ``TrainingOptions/groups`` says otherwise.
    ///
    /// - Parameter embeddings: `[N, D]` embeddings of `data`'s texts, in order, from the
    ///   base model (as `squire embed` writes them); nil runs the base model over them.
    public static func frozenHead(
        _ recipe: ClassifierRecipe, on data: Dataset, embeddings: Tensor? = nil,
        options: TrainingOptions = TrainingOptions(), progress: (TrainingEvent) -> Void = { _ in }
    ) throws -> TrainedClassifier {
        try checkDestination(options)
        let embedder = try ModelFolder.embedder(at: options.base)
        let texts = data.examples.map(\.text)
        let features: Tensor
        if let embeddings {
            guard embeddings.shape == [data.count, embedder.dimension] else {
                throw TrainingError.shapeMismatch(
                    "embeddings of shape \(embeddings.shape) for \(data.count) texts; the base model gives [\(data.count), \(embedder.dimension)]"
                )
            }
            features = embeddings
        } else {
            features = try embedder.embeddings(for: texts) {
                progress(.embedding(.training, done: $0, total: data.count))
            }
        }
        return try head(recipe, on: data, embedder: embedder, features: features, options: options, progress: progress)
    }

    /// ``frozenHead(_:on:embeddings:options:progress:)`` on `features` from `embedder`, with
    /// `anchors` (embedded label names) in every fit; `tuning` describes how the embedder was
    /// tuned (a bundle then writes its encoder's weights) and is nil for the base model.
    static func head(
        _ recipe: ClassifierRecipe, on data: Dataset, embedder: any LocalEmbedder, features: Tensor,
        anchors: (features: Tensor, labels: [String])? = nil, tuning: String? = nil, options: TrainingOptions,
        progress: (TrainingEvent) -> Void
    ) throws -> TrainedClassifier {
        let texts = data.examples.map(\.text)
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
        if let folds = options.folds { recipe.folds = folds }
        if let rule = options.selection { recipe.rule = rule }
        if let metric = options.metric { recipe.metric = metric }
        let (head, calibration, selection) = try recipe.train(
            features: features, labels: data.examples.map(\.label), validation: validation,
            groups: options.groups ?? texts, folds: options.crossValidationFolds, anchors: anchors,
            progress: { progress(.note($0)) })
        let classifier = try EmbeddingClassifier(embedder: embedder, head: head, calibration: calibration)
        var base =
            (embedder is StaticEmbedder
                ? "static embeddings (the mean of token rows, model2vec's method) of "
                : tuning == nil
                    ? "frozen mean-pooled, normalized embeddings of " : "mean-pooled, normalized embeddings of ")
            + URL(fileURLWithPath: options.base).lastPathComponent
        if let tuning { base += " " + tuning }
        if let anchors { base += ", with \(anchors.labels.count) label names as extra training examples" }
        let method =
            switch recipe.head {
            case .logistic:
                "Multinomial logistic regression (L-BFGS, \(selection.chosen)) on \(base); calibration: \(calibration)."
            case .mlp:
                "MLP head (hidden \(recipe.mlp.hiddenSizes.map(String.init).joined(separator: "×")), \(recipe.mlp.activation.rawValue), dropout \(recipe.mlp.dropoutRate), AdamW, \(selection.chosen)) on \(base); calibration: \(calibration)."
            }
        let results = selection.crossValidation
        let evaluationData: String
        if let folds = selection.folds {
            evaluationData =
                "\(folds.foldCount)-fold cross-validation of the training data"
                + (folds.repeats > 1 ? " × \(folds.repeats) repeats" : "")
                + " (stratified, seed \(options.seed)): each fold scored by a model trained on the others, before the final refit on all of it"
        } else if selection.validationWasCarved {
            evaluationData =
                "\(selection.validationCount) examples carved from the training data (stratified, seed \(options.seed)) before the final refit"
        } else {
            evaluationData =
                "\(selection.validationCount) examples of \(options.validationDescription ?? options.validation?.name ?? "")"
        }
        var card = ModelCard(
            options, data: data, method: method, accuracy: selection.validationAccuracy,
            ece: (selection.eceBefore, selection.eceAfter), evaluationData: evaluationData,
            maximumLength: embedder.maximumTokens, selection: results)
        if let error = selection.crossValidatedStandardError { card.evaluation["cv_standard_error"] = error }
        let report = TrainingReport(
            kind: recipe.head == .logistic ? .logisticHead : .mlpHead, summary: selection.chosen,
            validationAccuracy: selection.validationAccuracy, crossValidatedAccuracy: selection.crossValidatedAccuracy,
            crossValidatedStandardError: selection.crossValidatedStandardError,
            eceBeforeCalibration: selection.eceBefore, eceAfterCalibration: selection.eceAfter,
            calibration: calibration, validationCount: selection.validationCount,
            validationWasCarved: selection.validationWasCarved, headSelection: selection, fit: nil,
            recipe: tuning != nil ? "few-shot" : recipe.head.rawValue + (anchors != nil ? "+names" : ""))
        var bundle = ClassifierBundle(classifier: classifier, card: card, encoderFolder: options.base)
        bundle.writesEncoderWeights = tuning != nil
        return try finish(TrainedClassifier(storage: .classifier(bundle), report: report), options: options)
    }

    /// Refuses, before any training, a bundle folder that holds anything but a previous bundle.
    static func checkDestination(_ options: TrainingOptions) throws {
        if let folder = options.bundleFolder { try ClassifierBundle.checkReplaceable(folder) }
    }

    /// Refuses a static model as the base of a recipe that needs a transformer encoder,
    /// before any training, saying why and what does take one.
    static func refuseStaticBase(_ options: TrainingOptions, recipe: String) throws {
        guard StaticEmbedder.isModelFolder(options.base) else { return }
        throw TrainingError.invalidConfiguration(
            "\(options.base) is a static model; \(recipe). Train a logistic or MLP head on it instead (ClassifierTraining.frozenHead, squire train --head logistic|mlp)"
        )
    }

    /// Checks for cancellation, then writes the bundle when the options ask for one.
    static func finish(_ trained: TrainedClassifier, options: TrainingOptions) throws -> TrainedClassifier {
        try Task.checkCancellation()
        if let folder = options.bundleFolder { try trained.save(to: folder) }
        return trained
    }

    /// What the card says about the held-out data of a model whose epochs were chosen on it.
    static func evaluationData(_ selection: EpochSelection, options: TrainingOptions) -> String {
        guard selection.carved else {
            return
                "\(selection.heldCount) examples of \(options.validationDescription ?? options.validation?.name ?? "")"
        }
        return "\(selection.description); the final model was refitted on all the training data"
    }
}

extension ModelCard {
    /// A card for a model trained with `options` on `data`, with the validation figures.
    init(
        _ options: TrainingOptions, data: Dataset, method: String, accuracy: Double,
        ece: (before: Double, after: Double),
        evaluationData: String, maximumLength: Int, selection: CrossValidationResults? = nil
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
            ], selection: selection)
    }
}
