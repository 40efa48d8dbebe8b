import Foundation
public import SquireEval
public import SquireLoRA
import SquireModels

extension ClassifierTraining {
    /// LoRA adapters on ``TrainingOptions/base`` with a linear classifier, warm-started from a
    /// linear probe on the frozen encoder, its epoch chosen by early stopping on the
    /// validation set, then calibrated there.
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
        let base = try SentenceEmbedder(folder: options.base)
        var recipe = recipe
        recipe.training.seed = options.seed
        let (train, held, carved) = try split(data, options: options)
        progress(.note("linear probe on the frozen encoder (warm start)"))
        var (model, summary) = try LoRAClassifier.fit(
            texts: train.examples.map(\.text), labels: train.examples.map(\.label), base: base,
            validation: (held.examples.map(\.text), held.examples.map(\.label)),
            teacher: try teacher?.targets(for: train.examples.map(\.id)), recipe: recipe,
            checkpointPath: options.checkpointPath,
            progress: {
                progress(.step($0))
                return .proceed
            })
        try Task.checkCancellation()
        let logits = try model.logits(for: held.examples.map { model.embedder.tokenizer.encode($0.text).ids })
        let (calibration, accuracy, eceBefore, eceAfter) = try calibrate(
            logits: logits, labels: held.examples.map(\.label), order: model.labels, options: options)
        model.calibration = calibration
        let adapter = recipe.adapter
        let (trainable, total) = model.trainableParameterCount
        let targets = adapter.targetModules.joined(separator: ", ")
        let share = String(format: "%.2f", Double(trainable) / Double(total) * 100)
        let kept = summary.bestEpoch ?? summary.epochs ?? 0
        let card = ModelCard(
            options, data: data,
            method:
                "LoRA fine-tune of \(URL(fileURLWithPath: options.base).lastPathComponent) (rank \(adapter.rank), alpha \(adapter.alpha), dropout \(adapter.dropout) on \(targets); \(trainable) trainable parameters, \(share)% of \(total)) with a linear classifier on mean-pooled, normalized states, warm-started from a linear probe; \(kept) epochs kept of \(summary.epochs ?? 0) run (early stopping); calibration: \(calibration).",
            accuracy: accuracy, ece: (eceBefore, eceAfter),
            evaluationData: evaluationData(count: held.count, carved: carved, options: options),
            maximumLength: model.embedder.tokenizer.maximumLength)
        let report = TrainingReport(
            kind: .lora,
            summary: "LoRA rank \(adapter.rank) on \(targets), \(trainable) trainable parameters (\(share)%)",
            validationAccuracy: accuracy, eceBeforeCalibration: eceBefore, eceAfterCalibration: eceAfter,
            calibration: calibration, validationCount: held.count, validationWasCarved: carved, headSelection: nil,
            fit: summary)
        return try finish(
            TrainedClassifier(
                storage: .lora(LoRABundle(classifier: model, card: card, encoderFolder: options.base)), report: report),
            options: options)
    }
}
