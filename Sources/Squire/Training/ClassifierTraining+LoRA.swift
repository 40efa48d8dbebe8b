import Foundation
public import SquireEval
public import SquireLoRA
import SquireModels

extension ClassifierTraining {
    /// LoRA adapters on ``TrainingOptions/base`` with a linear classifier, warm-started from a
    /// linear probe on the frozen encoder, or with an MLP classifier (`recipe.mlp`),
    /// warm-started from an MLP head on the frozen encoder: its epochs chosen on held-out data (early stopping
    /// on a 10% carve, or with ``TrainingOptions/folds`` the folds' curves), refitted on all of
    /// `data` for those epochs, and calibrated on the held-out logits (see `EpochSelection`).
    ///
    /// The recipe's `training.seed` is taken from `options`.
    public static func lora(
        _ recipe: LoRAClassifier.Recipe = LoRAClassifier.Recipe(), on data: Dataset,
        options: TrainingOptions = TrainingOptions(), progress: (TrainingEvent) -> Void = { _ in }
    ) throws -> TrainedClassifier {
        try lora(recipe, on: data, teacher: nil, options: options, progress: progress)
    }

    /// ``lora(_:on:options:progress:)``, learning from a teacher's probabilities as well as
    /// the labels when `teacher` is given.
    static func lora(
        _ recipe: LoRAClassifier.Recipe, on data: Dataset, teacher: TeacherProbabilities?, options: TrainingOptions,
        progress: (TrainingEvent) -> Void
    ) throws -> TrainedClassifier {
        try checkDestination(options)
        try refuseStaticBase(options, recipe: "a LoRA fine-tune adapts a transformer encoder's layers")
        let base = try SentenceEmbedder(folder: options.base)
        var recipe = recipe
        recipe.training.seed = options.seed
        recipe.validationFraction = 0
        var (model, summary, selection) = try EpochSelection.choose(
            on: data, options: options, maximumEpochs: recipe.training.epochs,
            fit: { training, held, epochs, scheduleEpochs, checkpoint, afterEpoch in
                var run = recipe
                run.training.epochs = epochs
                run.training.scheduleEpochs = scheduleEpochs
                progress(.note("\(recipe.mlp == nil ? "linear probe" : "MLP head") on the frozen encoder (warm start)"))
                return try LoRAClassifier.fit(
                    texts: training.examples.map(\.text), labels: training.examples.map(\.label), base: base,
                    validation: held.map { ($0.examples.map(\.text), $0.examples.map(\.label)) },
                    teacher: try teacher?.targets(for: training.examples.map(\.id)), recipe: run,
                    checkpointPath: checkpoint,
                    progress: {
                        progress(.step($0))
                        return .proceed
                    }, afterEpoch: afterEpoch)
            },
            logits: { model, held in
                try model.logits(for: held.examples.map { model.embedder.tokenizer.encode($0.text).ids })
            },
            labels: \.labels, progress: progress)
        model.calibration = selection.shipped
        let adapter = recipe.adapter
        let (trainable, total) = model.trainableParameterCount
        let targets = adapter.targetModules.joined(separator: ", ")
        let share = String(format: "%.2f", Double(trainable) / Double(total) * 100)
        let classifier =
            recipe.mlp.map {
                "an MLP classifier (hidden \($0.hiddenSizes.map(String.init).joined(separator: ", ")), \($0.activation), dropout \($0.dropoutRate), label smoothing \($0.labelSmoothing)) on mean-pooled, normalized states, warm-started from an MLP head on the frozen encoder"
            } ?? "a linear classifier on mean-pooled, normalized states, warm-started from a linear probe"
        let card = ModelCard(
            options, data: data,
            method:
                "LoRA fine-tune of \(URL(fileURLWithPath: options.base).lastPathComponent) (rank \(adapter.rank), alpha \(adapter.alpha), dropout \(adapter.dropout) on \(targets); \(trainable) trainable parameters, \(share)% of \(total)) with \(classifier); \(selection.methodText(maximum: recipe.training.epochs)); calibration: \(model.calibration).",
            accuracy: selection.accuracy, ece: (selection.eceBefore, selection.eceAfter),
            evaluationData: evaluationData(selection, options: options),
            maximumLength: model.embedder.tokenizer.maximumLength, selection: selection.crossValidation)
        var report = TrainingReport(
            kind: .lora,
            summary:
                "LoRA rank \(adapter.rank) on \(targets)\(recipe.mlp == nil ? "" : " with an MLP classifier"), \(trainable) trainable parameters (\(share)%), \(selection.epochs) epochs",
            selection: selection, calibration: model.calibration, fit: summary)
        report.recipe = "lora"
        return try finish(
            TrainedClassifier(
                storage: .lora(LoRABundle(classifier: model, card: card, encoderFolder: options.base)), report: report),
            options: options)
    }
}
