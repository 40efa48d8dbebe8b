import ArgumentParser
import Foundation
import Squire

/// `squire profile`: the reference profile drift is measured against, from validation answers.
struct ProfileCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "profile",
        abstract: "Build a drift reference profile from a model's answers on its validation data.",
        discussion: """
            Reads the labelled validation set (.jsonl or .csv) and either the model's answers to it (--answers, the answers format of `squire eval`) or the bundle to run (--model, a folder from `squire train`, whose embeddings are profiled as well), and writes the profile: predicted-label, confidence and text-length distributions, the shipped accuracy and calibration, and alert bands for windows of --window-size. Failed answers are left out. --json prints {"output", "predictions", "failed", "labels", "window_size", "shipped_accuracy", "expected_calibration_error"}.

            Example:
              squire profile --data validation.jsonl --answers validation-answers.jsonl --output profile.json --window-size 500
              squire profile --data validation.jsonl --model intent-bundle --output profile.json
            """
    )

    @Option(name: .long, help: "The labelled validation set.")
    var data: String
    @Option(name: .long, help: "The model's answers on it (.jsonl).")
    var answers: String?
    @Option(
        name: .long,
        help:
            "A bundle folder from `squire train` to run on the data instead of reading answers; its embeddings are profiled too."
    )
    var model: String?
    @Option(name: .long, help: "Where to write the profile (.json).")
    var output: String
    @Option(name: .long, help: "Predictions per production window the alert bands are for.")
    var windowSize = 500
    @Option(name: .long, help: "The model version being profiled.")
    var modelVersion: String?
    @Option(
        name: .long,
        help: "Embeddings of the validation texts in dataset order, as `squire embed` writes them, for embedding drift."
    )
    var embeddings: String?
    @Option(name: .long, help: "Seed for the reference chunks behind the alert bands.")
    var seed: UInt64 = 0
    @Flag(name: .long, help: "Print the summary as JSON instead of text.")
    var json = false
    @OptionGroup var force: ForceOption

    func validate() throws {
        guard (answers == nil) != (model == nil) else {
            throw ValidationError("give exactly one of --answers and --model")
        }
        guard model == nil || embeddings == nil else {
            throw ValidationError("--model profiles the bundle's own embeddings; leave out --embeddings")
        }
    }

    func run() async throws {
        let destination = try OutputDestination(
            output, kind: .profile, inputs: [data, answers, model, embeddings].compactMap { $0 }, force: force.force)
        let dataset = try Dataset(contentsOf: URL(fileURLWithPath: data))
        let texts = dataset.examples.map(\.text)
        let predictions: [Prediction]
        var vectors = try embeddings.map { try EmbeddedText.vectors(from: $0, for: texts) }
        var modelVersion = self.modelVersion
        if let model {
            let bundle = try ModelBundle(folder: model)
            let status = StatusLine()
            let phase = "embedding \(data)"
            let answers = try await bundle.answers(for: texts) { status.update(phase, done: $0, total: texts.count) }
            if answers.embeddings != nil {
                status.finish("\(phase): \(texts.count) texts")
                vectors = (0..<texts.count).map { answers.embedding(at: $0)?.map(Double.init) ?? [] }
            }
            predictions = zip(dataset.examples, answers.classifications).map {
                Prediction(id: $0.id, expected: $0.label, tags: $0.tags, classification: $1)
            }
            modelVersion = modelVersion ?? bundle.version
        } else {
            let path = answers ?? ""
            predictions = try RecordedAnswers(contentsOf: URL(fileURLWithPath: path)).predictions(
                for: dataset.examples, source: path)
        }
        let profile = try ReferenceProfile(
            dataset: dataset, predictions: predictions, embeddings: vectors, modelVersion: modelVersion,
            windowSize: windowSize, seed: seed)
        try destination.write { try profile.write(to: URL(fileURLWithPath: output)) }
        let failed = predictions.filter { $0.classification == nil }.count
        let answered = predictions.count - failed
        if json {
            try JSONOutput.print(
                Summary(
                    output: output, predictions: answered, failed: failed, labels: profile.labels.count,
                    windowSize: windowSize, shippedAccuracy: profile.shippedAccuracy,
                    expectedCalibrationError: profile.expectedCalibrationError))
            return
        }
        print(
            "\(answered) predictions\(failed > 0 ? " (\(failed) failed, left out)" : ""), \(profile.labels.count) labels; shipped accuracy \(String(format: "%.4f", profile.shippedAccuracy ?? 0)), ECE \(String(format: "%.4f", profile.expectedCalibrationError ?? 0)); bands for windows of \(windowSize)"
        )
        print("profile: \(output)")
    }

    /// What `--json` prints.
    struct Summary: Encodable {
        var output: String
        var predictions: Int
        var failed: Int
        var labels: Int
        var windowSize: Int
        var shippedAccuracy: Double?
        var expectedCalibrationError: Double?

        enum CodingKeys: String, CodingKey {
            case output, predictions, failed, labels
            case windowSize = "window_size"
            case shippedAccuracy = "shipped_accuracy"
            case expectedCalibrationError = "expected_calibration_error"
        }
    }
}
