import Foundation
public import SquireEval
public import SquireModels

extension ClassifierTraining {
    /// A small transformer encoder trained from scratch on ``TrainingOptions/base``'s
    /// WordPiece vocabulary, its epoch chosen by early stopping on the validation set, then
    /// calibrated there.
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
        let tokenizer = try WordPieceTokenizer(folder: options.base)
        var configuration = configuration
        configuration.training.seed = options.seed
        let (train, held, carved) = try split(data, options: options)
        var (model, summary) = try TinyTransformerClassifier.fit(
            texts: train.examples.map(\.text), labels: train.examples.map(\.label), tokenizer: tokenizer,
            validation: (held.examples.map(\.text), held.examples.map(\.label)),
            teacher: try teacher?.targets(for: train.examples.map(\.id)), configuration: configuration,
            checkpointPath: options.checkpointPath,
            progress: {
                progress(.step($0))
                return .proceed
            })
        try Task.checkCancellation()
        let logits = try model.logits(for: held.examples.map { model.tokenizer.encode($0.text).ids })
        let (calibration, accuracy, eceBefore, eceAfter) = try calibrate(
            logits: logits, labels: held.examples.map(\.label), order: model.labels, options: options)
        model.calibration = calibration
        let c = model.encoder.configuration
        let kept = summary.bestEpoch ?? summary.epochs ?? 0
        let card = ModelCard(
            options, data: data,
            method:
                "A \(c.layerCount)-layer transformer encoder (D = \(c.hiddenSize), H = \(c.headCount), T = \(c.maximumPositions)) trained from scratch on the \(URL(fileURLWithPath: options.base).lastPathComponent) WordPiece vocabulary, mean pooling, linear classifier; \(kept) epochs kept of \(summary.epochs ?? 0) run (early stopping); calibration: \(calibration).",
            accuracy: accuracy, ece: (eceBefore, eceAfter),
            evaluationData: evaluationData(count: held.count, carved: carved, options: options),
            maximumLength: c.maximumPositions)
        let report = TrainingReport(
            kind: .tinyTransformer, summary: "tiny transformer", validationAccuracy: accuracy,
            eceBeforeCalibration: eceBefore, eceAfterCalibration: eceAfter, calibration: calibration,
            validationCount: held.count, validationWasCarved: carved, headSelection: nil, fit: summary)
        return try finish(
            TrainedClassifier(
                storage: .classifier(
                    ClassifierBundle(tinyTransformer: model, card: card, tokenizerFolder: options.base)),
                report: report), options: options)
    }
}
