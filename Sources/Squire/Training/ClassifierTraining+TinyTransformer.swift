import Foundation
public import SquireEval
public import SquireModels

extension ClassifierTraining {
    /// A small transformer encoder trained from scratch on ``TrainingOptions/base``'s
    /// WordPiece vocabulary: its epochs chosen on held-out data (early stopping on a 10%
    /// carve, or with ``TrainingOptions/folds`` the folds' curves), refitted on all of `data`
    /// for those epochs, and calibrated on the held-out logits (see `EpochSelection`).
    ///
    /// The configuration's `training.seed` is taken from `options`.
    public static func tinyTransformer(
        _ configuration: TinyTransformerClassifier.Configuration = TinyTransformerClassifier.Configuration(),
        on data: Dataset, options: TrainingOptions = TrainingOptions(), progress: (TrainingEvent) -> Void = { _ in }
    ) throws -> TrainedClassifier {
        try tinyTransformer(configuration, on: data, teacher: nil, options: options, progress: progress)
    }

    /// ``tinyTransformer(_:on:options:progress:)``, learning from a teacher's probabilities
    /// as well as the labels when `teacher` is given.
    static func tinyTransformer(
        _ configuration: TinyTransformerClassifier.Configuration, on data: Dataset, teacher: TeacherProbabilities?,
        options: TrainingOptions, progress: (TrainingEvent) -> Void
    ) throws -> TrainedClassifier {
        try checkDestination(options)
        try refuseStaticBase(
            options, recipe: "a tiny transformer takes an encoder's vocabulary with its [CLS] and [SEP] tokens")
        let tokenizer = try WordPieceTokenizer(folder: options.base)
        var configuration = configuration
        configuration.training.seed = options.seed
        configuration.validationFraction = 0
        var (model, summary, selection) = try EpochSelection.choose(
            on: data, options: options, maximumEpochs: configuration.training.epochs,
            fit: { training, held, epochs, scheduleEpochs, checkpoint, afterEpoch in
                var run = configuration
                run.training.epochs = epochs
                run.training.scheduleEpochs = scheduleEpochs
                return try TinyTransformerClassifier.fit(
                    texts: training.examples.map(\.text), labels: training.examples.map(\.label), tokenizer: tokenizer,
                    validation: held.map { ($0.examples.map(\.text), $0.examples.map(\.label)) },
                    teacher: try teacher?.targets(for: training.examples.map(\.id)), configuration: run,
                    checkpointPath: checkpoint,
                    progress: {
                        progress(.step($0))
                        return .proceed
                    }, afterEpoch: afterEpoch)
            },
            logits: { model, held in try model.logits(for: held.examples.map { model.tokenizer.encode($0.text).ids }) },
            labels: \.labels, progress: progress)
        model.calibration = selection.shipped
        let c = model.encoder.configuration
        let card = ModelCard(
            options, data: data,
            method:
                "A \(c.layerCount)-layer transformer encoder (D = \(c.hiddenSize), H = \(c.headCount), T = \(c.maximumPositions)) trained from scratch on the \(URL(fileURLWithPath: options.base).lastPathComponent) WordPiece vocabulary, mean pooling, linear classifier; \(selection.methodText(maximum: configuration.training.epochs)); calibration: \(model.calibration).",
            accuracy: selection.accuracy, ece: (selection.eceBefore, selection.eceAfter),
            evaluationData: evaluationData(selection, options: options),
            maximumLength: c.maximumPositions, selection: selection.crossValidation)
        var report = TrainingReport(
            kind: .tinyTransformer, summary: "tiny transformer, \(selection.epochs) epochs", selection: selection,
            calibration: model.calibration, fit: summary)
        report.recipe = "tiny-transformer"
        return try finish(
            TrainedClassifier(
                storage: .classifier(
                    ClassifierBundle(tinyTransformer: model, card: card, tokenizerFolder: options.base)),
                report: report), options: options)
    }
}
