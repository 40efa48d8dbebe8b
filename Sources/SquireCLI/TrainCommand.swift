import ArgumentParser
import Foundation
import SquireCore
import SquireEval
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
            Reads labelled texts (.jsonl with "text" and "label", or .csv), embeds them with the base encoder, chooses the head's regularization on a validation set (--validation, or 10% of each label carved from --data), refits on all of --data with the winner, calibrates confidences on the validation set, and writes the bundle folder (weights, labels, encoder, MODEL_CARD.md, manifest). A malformed line is reported with its line number.

            Example:
              squire train --data train.jsonl --head logistic --output intent-bundle
            """
    )

    enum Head: String, ExpressibleByArgument, CaseIterable {
        case logistic, mlp
    }

    @Option(name: .long, help: "Labelled training texts (.jsonl or .csv).")
    var data: String
    @Option(name: .long, help: "Labelled validation texts for choosing hyperparameters and calibrating; default: 10% of --data.")
    var validation: String?
    @Option(name: .long, help: "The base encoder folder (default: $SQUIRE_MODEL_DIR or ~/.cache/squire/models/all-MiniLM-L6-v2).")
    var base: String?
    @Option(name: .long, help: "The head: logistic or mlp.")
    var head: Head = .logistic
    @Option(name: .long, help: "Where to write the bundle folder.")
    var output: String
    @Option(name: .customLong("c"), help: "Use this C for the logistic head instead of choosing one.")
    var inverseRegularization: Double?
    @Option(name: .long, help: "Use this weight decay for the MLP head instead of choosing one.")
    var weightDecay: Double?
    @Option(name: .long, help: "Hidden layer widths of the MLP head, comma-separated (one or two).")
    var hidden = "512"
    @Option(name: .long, help: "Most epochs for the MLP head (early stopping picks fewer).")
    var epochs = 30
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

    func validate() throws {
        guard epochs > 0 else { throw ValidationError("--epochs must be positive") }
        guard inverseRegularization.map({ $0 > 0 }) ?? true else { throw ValidationError("--c must be positive") }
        guard weightDecay.map({ $0 >= 0 }) ?? true else { throw ValidationError("--weight-decay must not be negative") }
        let widths = hidden.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard (1...2).contains(widths.count), widths.allSatisfy({ $0 > 0 }) else {
            throw ValidationError("--hidden takes one or two positive widths, e.g. 512 or 512,256")
        }
    }

    func run() throws {
        let status = StatusLine()
        let training = try Dataset(contentsOf: URL(fileURLWithPath: data))
        let held = try validation.map { try Dataset(contentsOf: URL(fileURLWithPath: $0)) }
        let baseFolder = base ?? ModelFolder.allMiniLML6V2
        let embedder = try SentenceEmbedder(folder: baseFolder)

        let features = try Self.embed(training.examples.map(\.text), with: embedder, status: status, phase: "embedding \(data)")
        let heldFeatures = try held.map { try Self.embed($0.examples.map(\.text), with: embedder, status: status, phase: "embedding \($0.name)") }

        var recipe = ClassifierRecipe(head: head == .logistic ? .logistic : .mlp, seed: seed)
        if let inverseRegularization { recipe.inverseRegularizations = [inverseRegularization] }
        if let weightDecay { recipe.weightDecays = [weightDecay] }
        recipe.classWeighting = balanced ? .balanced : .uniform
        recipe.calibrates = !noCalibration
        recipe.mlp.hiddenSizes = hidden.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        recipe.mlp.training.epochs = epochs
        recipe.mlp.training.seed = seed
        var validationSet: (features: Tensor, labels: [String])?
        if let heldFeatures, let held { validationSet = (heldFeatures, held.examples.map(\.label)) }
        let (trainedHead, calibration, outcome) = try recipe.train(
            features: features, labels: training.examples.map(\.label), validation: validationSet,
            progress: { status.finish($0) })

        let classifier = try EmbeddingClassifier(embedder: embedder, head: trainedHead, calibration: calibration)
        let counts = Dictionary(training.examples.map { ($0.label, 1) }, uniquingKeysWith: +)
        let method = head == .logistic
            ? "Multinomial logistic regression (L-BFGS, \(outcome.chosen)) on frozen mean-pooled, normalized embeddings of \(URL(fileURLWithPath: baseFolder).lastPathComponent); \(calibrationName(calibration))."
            : "MLP head (hidden \(recipe.mlp.hiddenSizes.map(String.init).joined(separator: "×")), \(recipe.mlp.activation.rawValue), dropout \(recipe.mlp.dropoutRate), AdamW, \(outcome.chosen)) on frozen mean-pooled, normalized embeddings of \(URL(fileURLWithPath: baseFolder).lastPathComponent); \(calibrationName(calibration))."
        let card = ModelCard(
            name: name ?? URL(fileURLWithPath: output).lastPathComponent,
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
            limitations: [
                "It only ever answers one of its \(counts.count) labels; texts about anything else still get one of them, so route low-confidence answers to a fallback.",
                "Texts are cut at \(embedder.tokenizer.maximumLength) tokens; the encoder was trained on English.",
                "Figures come from data like the training data; re-measure with `squire eval` on your own traffic and watch it with `squire drift`.",
            ])
        let bundle = ClassifierBundle(classifier: classifier, card: card, encoderFolder: baseFolder)
        try bundle.save(to: output)
        if let report {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try AtomicFile.write(Array(try encoder.encode(outcome)), to: report)
        }
        print("wrote \(output) (version \(bundle.version)): \(outcome.chosen), validation accuracy \(String(format: "%.2f", outcome.validationAccuracy * 100))%, ECE \(String(format: "%.4f", outcome.eceBefore)) → \(String(format: "%.4f", outcome.eceAfter))")
    }

    private func calibrationName(_ calibration: Calibration) -> String {
        switch calibration {
        case .none: "no calibration"
        case .temperature(let t): "temperature scaling (T = \(String(format: "%.3f", t)))"
        case .platt(let a, let b): "Platt scaling (slope \(String(format: "%.3f", a)), intercept \(String(format: "%.3f", b)))"
        }
    }

    /// Embeds in chunks so the status line can show progress.
    static func embed(_ texts: [String], with embedder: SentenceEmbedder, status: StatusLine, phase: String) throws -> Tensor {
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
