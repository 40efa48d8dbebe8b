import ArgumentParser
import Foundation
import SquireDrift
import SquireEval

/// `squire profile`: the reference profile drift is measured against, from validation answers.
struct ProfileCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "profile",
        abstract: "Build a drift reference profile from a model's answers on its validation data.",
        discussion: """
            Reads the labelled validation set (.jsonl or .csv) and the model's answers to it (the answers format of `squire eval`), and writes the profile: predicted-label, confidence and text-length distributions, the shipped accuracy and calibration, and alert bands for windows of --window-size. Failed answers are left out.

            Example:
              squire profile --data validation.jsonl --answers validation-answers.jsonl --output profile.json --window-size 500
            """
    )

    @Option(name: .long, help: "The labelled validation set.")
    var data: String
    @Option(name: .long, help: "The model's answers on it (.jsonl).")
    var answers: String
    @Option(name: .long, help: "Where to write the profile (.json).")
    var output: String
    @Option(name: .long, help: "Predictions per production window the alert bands are for.")
    var windowSize = 500
    @Option(name: .long, help: "The model version being profiled.")
    var modelVersion: String?
    @Option(name: .long, help: "Seed for the reference chunks behind the alert bands.")
    var seed: UInt64 = 0

    func run() throws {
        let dataset = try Dataset(contentsOf: URL(fileURLWithPath: data))
        let predictions = try RecordedAnswers(contentsOf: URL(fileURLWithPath: answers)).predictions(for: dataset.examples, source: answers)
        let texts = Dictionary(uniqueKeysWithValues: dataset.examples.map { ($0.id, $0.text) })
        let observations = predictions.compactMap { prediction in
            prediction.classification.map {
                Observation(id: prediction.id, text: texts[prediction.id], label: $0.label, confidence: $0.confidence, modelVersion: modelVersion, trueLabel: prediction.expected)
            }
        }
        let labels = Set(dataset.labels).union(observations.map(\.label)).sorted()
        let profile = try ReferenceProfile(observations: observations, labels: labels, modelVersion: modelVersion, windowSize: windowSize, seed: seed)
        try profile.write(to: URL(fileURLWithPath: output))
        let failed = predictions.count - observations.count
        print("\(observations.count) predictions\(failed > 0 ? " (\(failed) failed, left out)" : ""), \(labels.count) labels; shipped accuracy \(String(format: "%.4f", profile.shippedAccuracy ?? 0)), ECE \(String(format: "%.4f", profile.expectedCalibrationError ?? 0)); bands for windows of \(windowSize)")
        print("profile: \(output)")
    }
}
