import ArgumentParser
import Foundation
import Squire

/// `squire profile`: the reference profile drift is measured against, from validation answers.
struct ProfileCommand: ParsableCommand {
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

    func validate() throws {
        guard (answers == nil) != (model == nil) else {
            throw ValidationError("give exactly one of --answers and --model")
        }
        guard model == nil || embeddings == nil else {
            throw ValidationError("--model profiles the bundle's own embeddings; leave out --embeddings")
        }
    }

    func run() throws {
        let dataset = try Dataset(contentsOf: URL(fileURLWithPath: data))
        let predictions: [Prediction]
        var vectors = try embeddings.map { try Self.readEmbeddings($0, for: dataset.examples.map(\.text)) }
        var modelVersion = self.modelVersion
        if let model {
            let bundle = try ModelBundle(folder: model)
            let texts = dataset.examples.map(\.text)
            let answers: [Classification]
            if let embedder = bundle.embedder {
                let features = try StatusLine().embeddings(
                    of: texts, with: embedder, phase: "embedding \(data)")
                answers = try bundle.classifications(forEmbeddings: features)
                let width = features.shape[1]
                vectors = (0..<texts.count).map { row in
                    features.scalars[(row * width)..<((row + 1) * width)].map(Double.init)
                }
            } else {
                answers = try PredictCommand.blocking { try await bundle.classifier.classify(texts) }
            }
            predictions = zip(dataset.examples, answers).map {
                Prediction(id: $0.id, expected: $0.label, tags: $0.tags, classification: $1)
            }
            modelVersion = modelVersion ?? bundle.version
        } else {
            predictions = try RecordedAnswers(contentsOf: URL(fileURLWithPath: answers!)).predictions(
                for: dataset.examples, source: answers!)
        }
        let observations = zip(dataset.examples, predictions).enumerated().compactMap { index, pair in
            pair.1.classification.map {
                Observation(
                    id: pair.0.id, text: pair.0.text, label: $0.label, confidence: $0.confidence,
                    modelVersion: modelVersion,
                    trueLabel: pair.0.label, embedding: vectors?[index])
            }
        }
        let labels = Set(dataset.labels).union(observations.map(\.label)).sorted()
        let profile = try ReferenceProfile(
            observations: observations, labels: labels, modelVersion: modelVersion, windowSize: windowSize, seed: seed)
        try profile.write(to: URL(fileURLWithPath: output))
        let failed = predictions.count - observations.count
        if json {
            var summary: [String: Any] = [
                "output": output, "predictions": observations.count, "failed": failed, "labels": labels.count,
                "window_size": windowSize,
            ]
            summary["shipped_accuracy"] = profile.shippedAccuracy
            summary["expected_calibration_error"] = profile.expectedCalibrationError
            try JSONOutput.print(summary)
            return
        }
        print(
            "\(observations.count) predictions\(failed > 0 ? " (\(failed) failed, left out)" : ""), \(labels.count) labels; shipped accuracy \(String(format: "%.4f", profile.shippedAccuracy ?? 0)), ECE \(String(format: "%.4f", profile.expectedCalibrationError ?? 0)); bands for windows of \(windowSize)"
        )
        print("profile: \(output)")
    }

    /// One embedding per dataset example, in order; a line's `text`, when present, must match.
    static func readEmbeddings(_ path: String, for texts: [String]) throws -> [[Double]] {
        struct Line: Decodable {
            var text: String?
            var embedding: [Double]
        }
        let lines = try JSONLines.read(Line.self, from: path, expecting: "expected {\"embedding\": [numbers]}")
        guard lines.count == texts.count else {
            throw InputTexts.Error(
                path: path, line: nil,
                reason: "has \(lines.count) embeddings for \(texts.count) examples; embed the dataset's texts in order")
        }
        return try lines.enumerated().map { index, entry in
            if let text = entry.value.text, text != texts[index] {
                throw InputTexts.Error(
                    path: path, line: entry.line, reason: "the embedding is of another text than example \(index + 1)'s"
                )
            }
            return entry.value.embedding
        }
    }
}
