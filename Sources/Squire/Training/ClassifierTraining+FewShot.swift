import Foundation
public import SquireEval
import SquireModels
import SquireTensor

extension ClassifierTraining {
    /// The few-shot recipe (``FewShotRecipe``) on ``TrainingOptions/base``: tunes the encoder
    /// body contrastively on `data` (label names joining as examples), then chooses and
    /// fits a head on the tuned embeddings as ``frozenHead(_:on:embeddings:options:progress:)``
    /// does, and bundles the tuned encoder with it.
    ///
    /// The head's cross-validation scores embeddings tuned on all of `data`, held-out folds
    /// included, so its figures run high; compare recipes with ``automatic(on:options:progress:)``,
    /// which tunes inside each fold.
    ///
    /// - Throws: `TrainingError.invalidConfiguration` for a static base (it has no body to
    ///   tune); `TrainingError.noContrastivePairs` when no label has two examples.
    public static func fewShot(
        _ recipe: FewShotRecipe = FewShotRecipe(), on data: Dataset, options: TrainingOptions = TrainingOptions(),
        progress: (TrainingEvent) -> Void = { _ in }
    ) throws -> TrainedClassifier {
        try checkDestination(options)
        let labels = data.labels
        var recipe = recipe
        recipe.labelDescriptions.merge(options.labelDescriptions) { own, _ in own }
        let names = recipe.usesLabelNames ? labels.map(recipe.name(of:)) : []
        var embedder = try ModelFolder.embedder(at: options.base)
        var tuning: String?
        if let tuningRecipe = recipe.tuning {
            try refuseStaticBase(options, recipe: "contrastive tuning changes a transformer encoder's weights")
            guard let base = embedder as? SentenceEmbedder else {
                throw TrainingError.invalidConfiguration("\(options.base) holds no transformer encoder to tune")
            }
            var run = tuningRecipe
            run.training.seed = options.seed
            let texts = data.examples.map(\.text) + names
            let epochs = run.training(forTexts: texts.count).epochs
            progress(.note("contrastive tuning of the encoder: \(epochs) epochs"))
            let (tuned, summary) = try ContrastiveTuning.fit(
                texts: texts,
                labels: data.examples.map(\.label) + labels.prefix(names.count),
                base: base, recipe: run, checkpointPath: options.checkpointPath,
                progress: {
                    progress(.step($0))
                    return .proceed
                })
            try Task.checkCancellation()
            guard summary.stopReason != "stopped" else { throw CancellationError() }
            embedder = tuned.embedder
            tuning =
                "tuned with the supervised contrastive loss (temperature \(run.temperature), \(summary.epochs ?? epochs) epochs, batches of \(run.training.batchSize) with \(run.examplesPerLabelInBatch) texts a label, AdamW at \(run.training.learningRate))"
        }
        var options = options
        if let tuned = tuning {
            // Logits of texts the body was tuned on are far surer than on new text: calibrating
            // on them would make the model overconfident. `automatic` calibrates on held-out halves.
            options.calibrates = false
            tuning =
                tuned
                + "; the head's cross-validation scores texts the body was tuned on and runs high: measure with held-out data"
        }
        let features = try embedder.embeddings(for: data.examples.map(\.text)) {
            progress(.embedding(.training, done: $0, total: data.count))
        }
        let anchors = try names.isEmpty ? nil : (features: embedder.embeddings(for: names), labels: labels)
        return try head(
            recipe.head, on: data, embedder: embedder, features: features, anchors: anchors, tuning: tuning,
            options: options, progress: progress)
    }
}
