import ArgumentParser
import Foundation
import SquireCore
import SquireEval
import SquireLoRA
import SquireModels
import SquireTensor

#if canImport(Glibc)
    import Glibc
#endif

/// `squire train`: a classifier bundle from labelled texts.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a classifier on a frozen sentence encoder and save it as a bundle.",
        discussion: """
            Reads labelled texts (.jsonl with "text" and "label", or .csv), embeds them with the base encoder, chooses the head's regularization on a validation set (--validation, or 10% of each label carved from --data), refits on all of --data with the winner, calibrates confidences on the validation set, and writes the bundle folder (weights, labels, encoder, MODEL_CARD.md, manifest). A malformed line is reported with its line number. --json prints the closing summary as {"output", "version", "chosen", "validation_accuracy", "ece_before_calibration", "ece_after_calibration"}; --report writes the whole training report.

            Example:
              squire train --data train.jsonl --head logistic --output intent-bundle
            """
    )

    enum Head: String, ExpressibleByArgument, CaseIterable {
        case logistic, mlp
        case tinyTransformer = "tiny-transformer"
    }

    @Option(name: .long, help: "Labelled training texts (.jsonl or .csv).")
    var data: String
    @Option(
        name: .long,
        help: "Labelled validation texts for choosing hyperparameters and calibrating; default: 10% of --data.")
    var validation: String?
    @Option(
        name: .long,
        help: "The base encoder folder (default: $SQUIRE_MODEL_DIR or ~/.cache/squire/models/all-MiniLM-L6-v2).")
    var base: String?
    @Option(
        name: .long,
        help:
            "The head: logistic or mlp on the frozen base encoder, or tiny-transformer (a small encoder trained from scratch on the base's vocabulary)."
    )
    var head: Head = .logistic
    @Option(name: .long, help: "Where to write the bundle folder.")
    var output: String
    @Option(name: .customLong("c"), help: "Use this C for the logistic head instead of choosing one.")
    var inverseRegularization: Double?
    @Option(name: .long, help: "Use this weight decay for the MLP head instead of choosing one.")
    var weightDecay: Double?
    @Option(name: .long, help: "Hidden layer widths of the MLP head, comma-separated (one or two).")
    var hidden = "512"
    @Option(name: .long, help: "Label smoothing of the MLP head's training loss, in 0 ..< 1 (default 0.1).")
    var labelSmoothing: Float?
    @Option(
        name: .long,
        help:
            "Most epochs for the MLP head, the tiny transformer or --lora (early stopping picks fewer); default 30, 15 and 4."
    )
    var epochs: Int?
    @Flag(name: .long, help: "Weigh classes inversely to their frequency.")
    var balanced = false
    @Flag(name: .long, help: "Skip confidence calibration.")
    var noCalibration = false
    @Option(name: .long, help: "Seed for the validation split and the MLP.")
    var seed: UInt64 = 0
    @Option(name: .long, help: "The model's name in its card (default: the output folder's name).")
    var name: String?
    @Option(name: .long, help: "What the model is for, for its card.")
    var intendedUse = "Assigns one of a fixed set of labels to a short English text, in place of a frontier-model call."
    @Option(name: .long, help: "Also write the training report (.json).")
    var report: String?
    @Flag(name: .long, help: "Print the closing summary as JSON instead of text.")
    var json = false
    @Option(
        name: .long,
        help:
            "For --head tiny-transformer or --lora: a checkpoint file written after every epoch; rerunning the same command resumes from it."
    )
    var checkpoint: String?
    @Option(
        name: .long,
        help:
            "Fine-tune the base encoder with LoRA adapters and a linear classifier instead of training a head on frozen embeddings: \(LoRASpecification.usage).",
        transform: LoRASpecification.parse)
    var lora: LoRAConfiguration?

    func validate() throws {
        guard epochs.map({ $0 > 0 }) ?? true else { throw ValidationError("--epochs must be positive") }
        guard inverseRegularization.map({ $0 > 0 }) ?? true else { throw ValidationError("--c must be positive") }
        guard weightDecay.map({ $0 >= 0 }) ?? true else { throw ValidationError("--weight-decay must not be negative") }
        if head != .logistic, inverseRegularization != nil { throw ValidationError("--c is for --head logistic") }
        if head != .mlp, weightDecay != nil { throw ValidationError("--weight-decay is for --head mlp") }
        if head != .mlp, labelSmoothing != nil { throw ValidationError("--label-smoothing is for --head mlp") }
        guard labelSmoothing.map({ $0 >= 0 && $0 < 1 }) ?? true else {
            throw ValidationError("--label-smoothing must be in 0 ..< 1")
        }
        if head == .tinyTransformer, balanced { throw ValidationError("--balanced is for the logistic and mlp heads") }
        if head != .tinyTransformer, lora == nil, checkpoint != nil {
            throw ValidationError("--checkpoint is for --head tiny-transformer and --lora")
        }
        if lora != nil, head != .logistic {
            throw ValidationError("--lora trains its own linear classifier; leave out --head")
        }
        if lora != nil, balanced { throw ValidationError("--balanced is for the logistic and mlp heads") }
        let widths = hidden.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard (1...2).contains(widths.count), widths.allSatisfy({ $0 > 0 }) else {
            throw ValidationError("--hidden takes one or two positive widths, e.g. 512 or 512,256")
        }
    }

    /// A teacher's probabilities for the training examples, by example id, for `squire distill`.
    struct Teacher {
        var labels: [String]
        var probabilities: [String: [Double]]
        var distillation: Distillation

        /// The targets for the examples with `ids`, in that order.
        func targets(_ ids: [String]) throws -> TeacherTargets {
            try TeacherTargets(
                probabilities: try ids.map { id in
                    guard let row = probabilities[id] else {
                        throw ValidationError("the teacher gave no probabilities for example \(id)")
                    }
                    return row
                }, labels: labels, distillation: distillation)
        }
    }

    func run() throws { try train(teacher: nil) }

    /// Trains and writes the bundle; with `teacher`, the tiny transformer or LoRA student
    /// learns from its probabilities as well as the labels.
    func train(teacher: Teacher?) throws {
        let status = StatusLine()
        let training = try Dataset(contentsOf: URL(fileURLWithPath: data))
        let held = try validation.map { try Dataset(contentsOf: URL(fileURLWithPath: $0)) }
        let baseFolder = base ?? ModelFolder.allMiniLML6V2
        if head == .tinyTransformer {
            return try trainTinyTransformer(training, held, baseFolder: baseFolder, teacher: teacher, status: status)
        }
        if let lora {
            return try trainLoRA(lora, training, held, baseFolder: baseFolder, teacher: teacher, status: status)
        }
        if teacher != nil {
            throw ValidationError(
                "distillation trains a tiny transformer or a LoRA fine-tune; pass --student tiny-transformer or --lora")
        }
        let embedder = try SentenceEmbedder(folder: baseFolder)

        let features = try Self.embed(
            training.examples.map(\.text), with: embedder, status: status, phase: "embedding \(data)")
        let heldFeatures = try held.map {
            try Self.embed($0.examples.map(\.text), with: embedder, status: status, phase: "embedding \($0.name)")
        }

        var recipe = ClassifierRecipe(head: head == .logistic ? .logistic : .mlp, seed: seed)
        if let inverseRegularization { recipe.inverseRegularizations = [inverseRegularization] }
        if let weightDecay { recipe.weightDecays = [weightDecay] }
        recipe.classWeighting = balanced ? .balanced : .uniform
        recipe.calibrates = !noCalibration
        recipe.mlp.hiddenSizes = hidden.split(separator: ",").compactMap {
            Int($0.trimmingCharacters(in: .whitespaces))
        }
        recipe.mlp.training.epochs = epochs ?? 30
        if let labelSmoothing { recipe.mlp.labelSmoothing = labelSmoothing }
        recipe.mlp.training.seed = seed
        var validationSet: (features: Tensor, labels: [String])?
        if let heldFeatures, let held { validationSet = (heldFeatures, held.examples.map(\.label)) }
        let (trainedHead, calibration, outcome) = try recipe.train(
            features: features, labels: training.examples.map(\.label), validation: validationSet,
            progress: { status.finish($0) })

        let classifier = try EmbeddingClassifier(embedder: embedder, head: trainedHead, calibration: calibration)
        let counts = Dictionary(training.examples.map { ($0.label, 1) }, uniquingKeysWith: +)
        let method =
            head == .logistic
            ? "Multinomial logistic regression (L-BFGS, \(outcome.chosen)) on frozen mean-pooled, normalized embeddings of \(URL(fileURLWithPath: baseFolder).lastPathComponent); calibration: \(calibration)."
            : "MLP head (hidden \(recipe.mlp.hiddenSizes.map(String.init).joined(separator: "×")), \(recipe.mlp.activation.rawValue), dropout \(recipe.mlp.dropoutRate), label smoothing \(recipe.mlp.labelSmoothing), AdamW, \(outcome.chosen)) on frozen mean-pooled, normalized embeddings of \(URL(fileURLWithPath: baseFolder).lastPathComponent); calibration: \(calibration)."
        let card = ModelCard(
            name: cardName,
            intendedUse: intendedUse,
            trainingData: URL(fileURLWithPath: data).lastPathComponent,
            labelCounts: counts,
            method: method,
            evaluation: [
                "validation_accuracy": outcome.validationAccuracy,
                "ece_before_calibration": outcome.eceBefore,
                "ece_after_calibration": outcome.eceAfter,
            ],
            evaluationData: outcome.validationWasCarved
                ? "\(outcome.validationCount) examples carved from the training data (stratified, seed \(seed)) before the final refit"
                : "\(outcome.validationCount) examples of \(validation ?? "")",
            limitations: limitations(labelCount: counts.count, maximumLength: embedder.tokenizer.maximumLength))
        try finish(
            ClassifierBundle(classifier: classifier, card: card, encoderFolder: baseFolder), report: outcome,
            summary: outcome.chosen, accuracy: outcome.validationAccuracy, ece: (outcome.eceBefore, outcome.eceAfter))
    }

    /// Saves the bundle, writes `--report`, and prints the closing line.
    private func finish(
        _ bundle: ClassifierBundle, report value: some Encodable, summary: String, accuracy: Double,
        ece: (before: Double, after: Double)
    ) throws {
        try finish(
            version: bundle.version, save: { try bundle.save(to: output) }, report: value, summary: summary,
            accuracy: accuracy, ece: ece)
    }

    private func finish(
        version: String, save: () throws -> Void, report value: some Encodable, summary: String, accuracy: Double,
        ece: (before: Double, after: Double)
    ) throws {
        try save()
        if let report {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try AtomicFile.write(Array(try encoder.encode(value)), to: report)
        }
        if json {
            try JSONOutput.print([
                "output": output, "version": version, "chosen": summary, "validation_accuracy": accuracy,
                "ece_before_calibration": ece.before, "ece_after_calibration": ece.after,
            ])
            return
        }
        print(
            "wrote \(output) (version \(version)): \(summary), validation accuracy \(String(format: "%.2f", accuracy * 100))%, ECE \(String(format: "%.4f", ece.before)) → \(String(format: "%.4f", ece.after))"
        )
    }

    var cardName: String { name ?? URL(fileURLWithPath: output).lastPathComponent }

    func limitations(labelCount: Int, maximumLength: Int) -> [String] {
        [
            "It only ever answers one of its \(labelCount) labels; texts about anything else still get one of them, so route low-confidence answers to a fallback.",
            "Texts are cut at \(maximumLength) tokens; the vocabulary and any pretrained weights are English.",
            "Figures come from data like the training data; re-measure with `squire eval` on your own traffic and watch it with `squire drift`.",
        ]
    }

    /// `--head tiny-transformer`: train from scratch on token ids, calibrate on the validation set.
    private func trainTinyTransformer(
        _ training: Dataset, _ held: Dataset?, baseFolder: String, teacher: Teacher?, status: StatusLine
    ) throws {
        let tokenizer = try WordPieceTokenizer(folder: baseFolder)
        var configuration = TinyTransformerClassifier.Configuration()
        configuration.training.seed = seed
        if let epochs { configuration.training.epochs = epochs }
        let (trainingIDs, trainingTexts, trainingLabels, validationSet) = try splitForValidation(training, held)
        var (model, summary) = try TinyTransformerClassifier.fit(
            texts: trainingTexts, labels: trainingLabels, tokenizer: tokenizer, validation: validationSet,
            teacher: try teacher?.targets(trainingIDs), configuration: configuration,
            checkpointPath: checkpoint, progress: reportEpochs(status))
        let logits = try model.logits(for: validationSet.texts.map { model.tokenizer.encode($0).ids })
        let (calibration, accuracy, eceBefore, eceAfter) = try calibrate(
            logits: logits, labels: validationSet.labels, order: model.labels)
        model.calibration = calibration
        let counts = Dictionary(training.examples.map { ($0.label, 1) }, uniquingKeysWith: +)
        let c = model.encoder.configuration
        let card = ModelCard(
            name: cardName, intendedUse: intendedUse, trainingData: URL(fileURLWithPath: data).lastPathComponent,
            labelCounts: counts,
            method:
                "A \(c.layerCount)-layer transformer encoder (D = \(c.hiddenSize), H = \(c.headCount), T = \(c.maximumPositions)) trained from scratch on the \(URL(fileURLWithPath: baseFolder).lastPathComponent) WordPiece vocabulary, mean pooling, linear classifier; \(summary.bestEpoch ?? summary.epochs ?? 0) epochs kept of \(summary.epochs ?? 0) run (early stopping); calibration: \(model.calibration).",
            evaluation: [
                "validation_accuracy": accuracy, "ece_before_calibration": eceBefore, "ece_after_calibration": eceAfter,
            ],
            evaluationData: evaluationData(validationSet.texts.count),
            limitations: limitations(labelCount: counts.count, maximumLength: c.maximumPositions))
        try finish(
            ClassifierBundle(tinyTransformer: model, card: card, tokenizerFolder: baseFolder), report: summary,
            summary: "tiny transformer", accuracy: accuracy, ece: (eceBefore, eceAfter))
    }

    /// The validation accuracy and, unless `--no-calibration`, a temperature (Platt for two
    /// labels) fitted on the validation logits, with the ECE before and after.
    private func calibrate(logits: Tensor, labels: [String], order: [String]) throws -> (
        calibration: Calibration, accuracy: Double, eceBefore: Double, eceAfter: Double
    ) {
        let indices = labels.map { order.firstIndex(of: $0) ?? 0 }
        let eceBefore = try Calibration.expectedCalibrationError(
            Calibration.none.probabilities(fromLogits: logits), indices)
        var calibration = Calibration.none
        if !noCalibration {
            calibration =
                order.count == 2
                ? try Calibration.fitPlatt(logits: logits, classIndices: indices)
                : try Calibration.fitTemperature(logits: logits, classIndices: indices)
        }
        let eceAfter = try Calibration.expectedCalibrationError(calibration.probabilities(fromLogits: logits), indices)
        let accuracy =
            Double(zip(try logits.argmax(alongAxis: 1), indices).filter { $0 == $1 }.count)
            / Double(max(1, indices.count))
        return (calibration, accuracy, eceBefore, eceAfter)
    }

    /// Training texts and labels, and the validation set: `--validation`, or 10% of each
    /// label carved here so that early stopping and calibration see data the model did not train on.
    private func splitForValidation(_ training: Dataset, _ held: Dataset?) throws -> (
        ids: [String], texts: [String], labels: [String], validation: (texts: [String], labels: [String])
    ) {
        var (train, validation) = (training, training)
        if let held {
            validation = held
        } else {
            let split = try training.stratifiedSplit(validationFraction: 0.1, testFraction: 0, seed: seed)
            (train, validation) = (split.train, split.validation)
        }
        return (
            train.examples.map(\.id), train.examples.map(\.text), train.examples.map(\.label),
            (validation.examples.map(\.text), validation.examples.map(\.label))
        )
    }

    /// Prints each epoch's validation figures and the step count in between.
    private func reportEpochs(_ status: StatusLine) -> (TrainingProgress) -> TrainingAction {
        { progress in
            if let loss = progress.validationLoss, let epoch = progress.epoch {
                status.finish(
                    "epoch \(epoch): validation loss \(String(format: "%.4f", loss)), accuracy \(String(format: "%.2f", (progress.validationAccuracy ?? 0) * 100))%"
                )
            } else if let total = progress.totalSteps {
                status.update("training", done: progress.step, total: total)
            }
            return .proceed
        }
    }

    /// `--lora`: fine-tune adapters and a classifier, calibrate on the validation set.
    private func trainLoRA(
        _ adapter: LoRAConfiguration, _ training: Dataset, _ held: Dataset?, baseFolder: String, teacher: Teacher?,
        status: StatusLine
    ) throws {
        let base = try SentenceEmbedder(folder: baseFolder)
        var recipe = LoRAClassifier.Recipe(adapter: adapter)
        recipe.training.seed = seed
        if let epochs { recipe.training.epochs = epochs }
        if let inverseRegularization { recipe.warmStartInverseRegularization = inverseRegularization }
        let (ids, texts, labels, validationSet) = try splitForValidation(training, held)
        status.update("linear probe on the frozen encoder (warm start)", done: 0, total: 1)
        var (model, summary) = try LoRAClassifier.fit(
            texts: texts, labels: labels, base: base, validation: validationSet, teacher: try teacher?.targets(ids),
            recipe: recipe, checkpointPath: checkpoint,
            progress: reportEpochs(status))
        let logits = try model.logits(for: validationSet.texts.map { model.embedder.tokenizer.encode($0).ids })
        let (calibration, accuracy, eceBefore, eceAfter) = try calibrate(
            logits: logits, labels: validationSet.labels, order: model.labels)
        model.calibration = calibration
        let counts = Dictionary(training.examples.map { ($0.label, 1) }, uniquingKeysWith: +)
        let (trainable, total) = model.trainableParameterCount
        let targets = adapter.targetModules.joined(separator: ", ")
        let card = ModelCard(
            name: cardName, intendedUse: intendedUse, trainingData: URL(fileURLWithPath: data).lastPathComponent,
            labelCounts: counts,
            method:
                "LoRA fine-tune of \(URL(fileURLWithPath: baseFolder).lastPathComponent) (rank \(adapter.rank), alpha \(adapter.alpha), dropout \(adapter.dropout) on \(targets); \(trainable) trainable parameters, \(String(format: "%.2f", Double(trainable) / Double(total) * 100))% of \(total)) with a linear classifier on mean-pooled, normalized states, warm-started from a linear probe; \(summary.bestEpoch ?? summary.epochs ?? 0) epochs kept of \(summary.epochs ?? 0) run (early stopping); calibration: \(calibration).",
            evaluation: [
                "validation_accuracy": accuracy, "ece_before_calibration": eceBefore, "ece_after_calibration": eceAfter,
            ],
            evaluationData: evaluationData(validationSet.texts.count),
            limitations: limitations(labelCount: counts.count, maximumLength: model.embedder.tokenizer.maximumLength))
        let bundle = LoRABundle(classifier: model, card: card, encoderFolder: baseFolder)
        try finish(
            version: bundle.version, save: { try bundle.save(to: output) }, report: summary,
            summary:
                "LoRA rank \(adapter.rank) on \(targets), \(trainable) trainable parameters (\(String(format: "%.2f", Double(trainable) / Double(total) * 100))%)",
            accuracy: accuracy, ece: (eceBefore, eceAfter))
    }

    /// What the card says about the validation set of a model trained on the rest.
    private func evaluationData(_ count: Int) -> String {
        validation == nil
            ? "\(count) examples carved from the training data (stratified, seed \(seed)); the model was trained on the rest"
            : "\(count) examples of \(validation ?? "")"
    }

    /// Embeds in chunks so the status line can show progress.
    static func embed(_ texts: [String], with embedder: SentenceEmbedder, status: StatusLine, phase: String) throws
        -> Tensor
    {
        var rows: [Float] = []
        rows.reserveCapacity(texts.count * embedder.dimension)
        let chunk = 256
        for start in stride(from: 0, to: texts.count, by: chunk) {
            rows += try embedder.embeddings(for: Array(texts[start..<min(start + chunk, texts.count)])).scalars
            status.update(phase, done: min(start + chunk, texts.count), total: texts.count)
        }
        status.finish("\(phase): \(texts.count) texts")
        return try Tensor(shape: [texts.count, embedder.dimension], scalars: rows)
    }
}
