import ArgumentParser
import Foundation
import Squire

/// `squire train`: a classifier bundle from labelled texts.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a classifier and save it as a bundle; with no recipe named, the recipe picks itself.",
        discussion: """
            With no --recipe, --head or --lora, the default recipe (auto) looks at the data: with few examples per label (median at most 32) it compares a logistic head on the frozen encoder, the same with the labels' names as extra examples, and the few-shot recipe (the encoder body tuned contrastively) on two held-out halves of --data, and trains the few-shot recipe unless it scores more than one paired standard error below the better frozen head; with more it compares logistic and MLP heads on the same folds; it says what it chose and why, with every alternative's score, in the output, the report and the model card.

            A head recipe reads labelled texts (.jsonl with "text" and "label", or .csv), embeds them with the base model (a sentence encoder, or a static model from `squire distill-static` for a head answering in microseconds), chooses the head's hyperparameters by 5-fold cross-validation (stratified, seeded, identical texts in one fold; three repeats under 2,000 examples) with the one-standard-error rule — or on --validation, or with --folds 0 on 10% of each label carved from --data — refits on all of --data with the winner, calibrates confidences on the held-out logits when that makes them more honest, and writes the bundle folder (weights, labels, encoder, MODEL_CARD.md, manifest). A malformed line is reported with its line number. --json prints the closing summary as {"output", "version", "recipe", "choice" (what the default recipe compared), "chosen", "cv_accuracy", "cv_standard_error", "validation_accuracy", "ece_before_calibration", "ece_after_calibration"}; --report writes the whole training report, every candidate's fold scores and the folds included.

            Examples:
              squire train --data train.jsonl --output intent-bundle
              squire train --data train.jsonl --recipe logistic --c 10 --output intent-bundle
            """
    )

    enum Head: String, ExpressibleByArgument, CaseIterable {
        case logistic, mlp
        case tinyTransformer = "tiny-transformer"
    }

    /// `--selection`: SelectionRule's values.
    enum Selection: String, ExpressibleByArgument, CaseIterable {
        case oneStandardError = "one-standard-error"
        case best
    }

    /// `--metric`: SelectionMetric's values.
    enum Metric: String, ExpressibleByArgument, CaseIterable {
        case accuracy
        case macroF1 = "macro-f1"
        case logLoss = "log-loss"
    }

    @Option(name: .long, help: "Labelled training texts (.jsonl or .csv).")
    var data: String
    @Option(
        name: .long,
        help: "Labelled validation texts for choosing hyperparameters and calibrating; default: 10% of --data.")
    var validation: String?
    @Option(
        name: .long,
        help:
            "The base model folder: a sentence encoder (default: $SQUIRE_MODEL_DIR or ~/.cache/squire/models/all-MiniLM-L6-v2) or, for the logistic and mlp heads, a static model (`squire distill-static`)."
    )
    var base: String?
    @Option(
        name: .long,
        help:
            "The head: logistic or mlp on the frozen base encoder, or tiny-transformer (a small encoder trained from scratch on the base's vocabulary)."
    )
    var head: Head?
    /// `--recipe`: the recipes by name.
    enum Recipe: String, ExpressibleByArgument, CaseIterable {
        case automatic = "auto"
        case logistic, mlp
        case tinyTransformer = "tiny-transformer"
        case lora
        case fewShot = "few-shot"
    }

    @Option(
        name: .long,
        help:
            "The recipe: auto (the default when no recipe, --head or --lora is given: compares the recipes that suit the data on held-out data and trains the best), logistic or mlp (a head on the frozen base), tiny-transformer, lora (as --lora with its defaults), or few-shot (the body tuned contrastively on the examples and label names, then a logistic head). A tuning flag names its recipe when none is given (--c: logistic, --weight-decay: mlp, --tuning-epochs: few-shot, …)."
    )
    var recipe: Recipe?
    @Option(
        name: .long,
        help:
            "For the default and few-shot recipes: a JSON object of one-line descriptions by label ({\"card_arrival\": \"when will my new card arrive\"}), read instead of the labels' names."
    )
    var labelDescriptions: String?
    @Option(
        name: .long,
        help:
            "For --recipe few-shot: epochs of contrastive tuning, exactly (default 4, raised to at least 32 steps; 0 keeps the body frozen)."
    )
    var tuningEpochs: Int?
    @Option(name: .long, help: "For --recipe few-shot: the peak learning rate of contrastive tuning (default 5e-5).")
    var tuningLearningRate: Double?
    @Option(name: .long, help: "For --recipe few-shot: the contrastive loss's temperature (default 0.05).")
    var temperature: Float?
    @Option(name: .long, help: "Where to write the bundle folder.")
    var output: String
    @Option(name: .customLong("c"), help: "Use this C for the logistic head instead of choosing one.")
    var inverseRegularization: Double?
    @Option(name: .long, help: "Use this weight decay for the MLP head instead of choosing one.")
    var weightDecay: Double?
    @Option(
        name: .customLong("c-grid"),
        help: "C values for the logistic head to choose from, comma-separated (default 0.1,0.3,1,3,10,30,100).")
    var inverseRegularizationGrid: String?
    @Option(name: .long, help: "Weight decays for the MLP head to choose from, comma-separated (default 0.01,0.1).")
    var weightDecayGrid: String?
    @Option(
        name: .long,
        help:
            "Cross-validation folds for choosing (default 5 for the logistic and mlp heads; the tiny transformer and --lora choose their epoch on a 10% carve unless given folds); 0 chooses on 10% of each label carved from --data."
    )
    var folds: Int?
    @Option(
        name: .long,
        help:
            "How to choose: one-standard-error (default; the most regularized candidate within one standard error of the best mean) or best (the best mean)."
    )
    var selection: Selection?
    @Option(name: .long, help: "What candidates are compared on: accuracy (default), macro-f1 or log-loss.")
    var metric: Metric?
    @Option(
        name: .long,
        help:
            "Embeddings of --data's texts, in order, as `squire embed --input DATA` writes them: the logistic and mlp heads train on these instead of embedding --data."
    )
    var embeddings: String?
    @Option(
        name: .long,
        help:
            "Hidden layer widths of the MLP head, comma-separated (one or two); with --recipe lora, an MLP classifier of these widths instead of a linear one."
    )
    var hidden: String?
    @Option(
        name: .long,
        help:
            "Label smoothing of the MLP head's training loss, in 0 ..< 1 (default 0.1); with --recipe lora, an MLP classifier (512 wide unless --hidden) trained with it."
    )
    var labelSmoothing: Float?
    @Option(
        name: .long,
        help:
            "Most epochs for the MLP head, the tiny transformer or --lora (the held-out data picks fewer); default 30, 15 and 4."
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
    @OptionGroup var force: ForceOption
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
        _ = try resolvedRecipe()
        guard epochs.map({ $0 > 0 }) ?? true else { throw ValidationError("--epochs must be positive") }
        guard tuningEpochs.map({ $0 >= 0 }) ?? true else {
            throw ValidationError("--tuning-epochs must not be negative")
        }
        guard tuningLearningRate.map({ $0 > 0 && $0.isFinite }) ?? true else {
            throw ValidationError("--tuning-learning-rate must be positive")
        }
        guard temperature.map({ $0 > 0 && $0.isFinite }) ?? true else {
            throw ValidationError("--temperature must be positive")
        }
        guard inverseRegularization.map({ $0 > 0 }) ?? true else { throw ValidationError("--c must be positive") }
        guard weightDecay.map({ $0 >= 0 }) ?? true else { throw ValidationError("--weight-decay must not be negative") }
        guard labelSmoothing.map({ $0 >= 0 && $0 < 1 }) ?? true else {
            throw ValidationError("--label-smoothing must be in 0 ..< 1")
        }
        if inverseRegularization != nil, inverseRegularizationGrid != nil {
            throw ValidationError("--c fixes C; --c-grid gives C values to choose from: use one")
        }
        if weightDecay != nil, weightDecayGrid != nil {
            throw ValidationError("--weight-decay fixes it; --weight-decay-grid gives values to choose from: use one")
        }
        _ = try Self.grid(inverseRegularizationGrid, name: "--c-grid", allowsZero: false)
        _ = try Self.grid(weightDecayGrid, name: "--weight-decay-grid", allowsZero: true)
        guard folds.map({ $0 == 0 || $0 >= 2 }) ?? true else {
            throw ValidationError("--folds takes 0 (a 10% carve) or at least 2 folds")
        }
        if folds != nil, validation != nil {
            throw ValidationError("--validation chooses on that set; leave out --folds")
        }
        let widths = hiddenSizes
        guard (1...2).contains(widths.count), widths.allSatisfy({ $0 > 0 }) else {
            throw ValidationError("--hidden takes one or two positive widths, e.g. 512 or 512,256")
        }
    }

    func run() throws {
        // Checked before any work: a mistaken --output costs nothing and loses nothing.
        let inputs = [data, validation, base ?? ModelFolder.allMiniLML6V2, checkpoint, embeddings, labelDescriptions]
            .compactMap { $0 }
        let destination = try OutputDestination(output, kind: .bundle, inputs: inputs, force: force.force)
        let reportDestination = try report.map {
            try OutputDestination($0, kind: .trainingReport, inputs: inputs + [output], force: force.force)
        }
        let bundleFolder = destination.replacesForeignItem ? nil : output
        let training = try Dataset(contentsOf: URL(fileURLWithPath: data))
        guard !training.examples.isEmpty else {
            throw DatasetError(source: data, reason: "there are no examples to train on")
        }
        for warning in training.warnings {
            FileHandle.standardError.write(Data("warning: \(data): \(warning)\n".utf8))
        }
        let status = StatusLine()
        let trained = try train(
            resolvedRecipe(), on: training, options: options(writingTo: bundleFolder), progress: report(to: status))
        // A forced replacement of something Squire did not write is saved here, after the
        // training, so the user's item is moved aside only for the moment of the swap.
        if destination.replacesForeignItem { try destination.write { try trained.save(to: output) } }
        try finish(trained, reportTo: reportDestination)
    }

    /// The options every recipe shares, from the command line; the bundle is written to
    /// `--output` unless a forced replacement is saved afterwards.
    func options(writingTo bundleFolder: String?) throws -> TrainingOptions {
        TrainingOptions(
            base: base ?? ModelFolder.allMiniLML6V2,
            validation: try validation.map { try Dataset(contentsOf: URL(fileURLWithPath: $0)) }, folds: folds,
            selection: selection.map { SelectionRule(rawValue: $0.rawValue)! },
            metric: metric.map { SelectionMetric(rawValue: $0.rawValue)! }, seed: seed,
            calibrates: !noCalibration, checkpointPath: checkpoint, bundleFolder: bundleFolder,
            name: name ?? URL(fileURLWithPath: output).lastPathComponent, intendedUse: intendedUse,
            trainingDataDescription: URL(fileURLWithPath: data).lastPathComponent, validationDescription: validation,
            labelDescriptions: try labelDescriptions.map(Self.descriptions(from:)) ?? [:])
    }

    /// The label descriptions in the JSON object at `path`.
    static func descriptions(from path: String) throws -> [String: String] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ValidationError("--label-descriptions: cannot read \(path)")
        }
        do {
            return try JSONDecoder().decode([String: String].self, from: data)
        } catch {
            throw ValidationError(
                "--label-descriptions: \(path) must hold one JSON object of strings by label, such as {\"billing\": \"questions about an invoice\"}"
            )
        }
    }

    /// The values of a comma-separated grid option, or nil when it was not given.
    static func grid(_ text: String?, name: String, allowsZero: Bool) throws -> [Double]? {
        guard let text else { return nil }
        let values = text.split(separator: ",", omittingEmptySubsequences: false).map {
            Double($0.trimmingCharacters(in: .whitespaces))
        }
        guard !values.isEmpty,
            values.allSatisfy({ $0.map { $0.isFinite && ($0 > 0 || allowsZero && $0 == 0) } ?? false })
        else {
            throw ValidationError(
                "\(name) takes \(allowsZero ? "non-negative" : "positive") numbers separated by commas, such as 0.1,1,10"
            )
        }
        return values.map { $0! }
    }

    var hiddenSizes: [Int] {
        (hidden ?? "512").split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) ?? 0 }
    }

    /// Shows a recipe's progress: a bar while embedding or stepping, a line per finished
    /// phase and per epoch.
    func report(to status: StatusLine) -> (TrainingEvent) -> Void {
        Self.report(to: status, data: data, validation: validation)
    }

    /// ``report(to:)`` for the training file `data` and validation file `validation`.
    static func report(to status: StatusLine, data: String, validation: String?) -> (TrainingEvent) -> Void {
        { event in
            switch event {
            case .embedding(let part, let done, let total):
                let phase = "embedding \(part == .training ? data : validation ?? "")"
                status.update(phase, done: done, total: total)
                if done == total { status.finish("\(phase): \(total) texts") }
            case .note(let line):
                status.finish(line)
            case .step(let progress):
                if let loss = progress.validationLoss, let epoch = progress.epoch {
                    let accuracy = String(format: "%.2f", (progress.validationAccuracy ?? 0) * 100)
                    status.finish(
                        "epoch \(epoch): validation loss \(String(format: "%.4f", loss)), accuracy \(accuracy)%")
                } else if let total = progress.totalSteps {
                    status.update("training", done: progress.step, total: total)
                }
            }
        }
    }

    /// Writes `--report` and prints the closing line; the bundle is written.
    func finish(_ trained: TrainedClassifier, reportTo reportDestination: OutputDestination?) throws {
        let summary = trained.report
        if let reportDestination, let report {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            // The recipe's own report, as before the library held it: the head search, or the fit.
            let encoded =
                if let selection = summary.headSelection { try encoder.encode(selection) } else {
                    try encoder.encode(summary.fit)
                }
            try reportDestination.write { try AtomicFile.write(Array(encoded), to: report) }
        }
        if json {
            try JSONOutput.print(
                Summary(
                    output: output, version: trained.version, recipe: summary.recipe ?? summary.kind.rawValue,
                    choice: summary.choice, chosen: summary.summary,
                    crossValidatedAccuracy: summary.crossValidatedAccuracy,
                    crossValidatedStandardError: summary.crossValidatedStandardError,
                    validationAccuracy: summary.validationAccuracy, eceBefore: summary.eceBeforeCalibration,
                    eceAfter: summary.eceAfterCalibration))
        } else {
            Self.printSummary(trained, output: output)
        }
    }

    /// The closing line: where the bundle went, its version, the choice and the validation figures.
    static func printSummary(_ trained: TrainedClassifier, output: String) {
        let report = trained.report
        print(
            "wrote \(output) (version \(trained.version)): \(report.recipe ?? report.kind.rawValue), \(report.summary), validation accuracy \(String(format: "%.2f", report.validationAccuracy * 100))%, ECE \(String(format: "%.4f", report.eceBeforeCalibration)) → \(String(format: "%.4f", report.eceAfterCalibration))"
        )
    }

    /// What `--json` prints.
    struct Summary: Encodable {
        var output: String
        var version: String
        var recipe: String
        var choice: RecipeChoice?
        var chosen: String
        var crossValidatedAccuracy: Double?
        var crossValidatedStandardError: Double?
        var validationAccuracy: Double
        var eceBefore: Double
        var eceAfter: Double

        enum CodingKeys: String, CodingKey {
            case output, version, recipe, choice, chosen
            case crossValidatedAccuracy = "cv_accuracy"
            case crossValidatedStandardError = "cv_standard_error"
            case validationAccuracy = "validation_accuracy"
            case eceBefore = "ece_before_calibration"
            case eceAfter = "ece_after_calibration"
        }
    }
}
