import ArgumentParser
import Foundation
import SquireCore
import SquireEval

/// `squire eval`: metrics, slices and suites for a model's answers on a labelled dataset.
struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Evaluate a model's answers on a labelled dataset and write the report.",
        discussion: """
            Reads the dataset (.jsonl or .csv: text, label, optional id and tags) and the answers the model gave (.jsonl, one {"id", "label", "confidence", "probabilities"} or {"id", "error"} per line, ids matching the dataset's, optionally with the "text" answered, which is then checked; an example without an answer counts as a failed call). Writes the JSON report (schema in Documentation/SquireEval.md) and, when asked, a Markdown summary and a self-contained HTML page. Suites are judged from the answers to their case ids.

            Example:
              squire eval --data test.jsonl --answers answers.jsonl --report report.json --html report.html --suite smoke.json
            """
    )

    @Option(name: .long, help: "The labelled dataset (.jsonl or .csv).")
    var data: String
    @Option(name: .long, help: "The model's answers (.jsonl), one per example id.")
    var answers: String
    @Option(name: .long, help: "Where to write the JSON report.")
    var report: String
    @Option(name: .long, help: "Also write a self-contained HTML report here.")
    var html: String?
    @Option(name: .long, help: "Also write a Markdown summary here.")
    var markdown: String?
    @Option(name: .long, help: "A regression suite (.json) to judge; repeat for several.")
    var suite: [String] = []
    @Option(name: .long, help: "The label that marks out-of-scope requests, for out-of-scope detection figures.")
    var outOfScopeLabel: String?
    @Option(name: .long, help: "The model's name in the report (default: the answers file's name).")
    var modelName: String?
    @Flag(name: .long, help: "Keep every answer's full probability distribution in the report (large for many labels).")
    var keepProbabilities = false
    @Flag(name: .long, help: "Print the headline figures as JSON instead of text.")
    var json = false

    func run() throws {
        let dataset = try Dataset(contentsOf: URL(fileURLWithPath: data))
        let recorded = try RecordedAnswers(contentsOf: URL(fileURLWithPath: answers))
        let suites = try suite.map { path in
            let suite = try RegressionSuite(contentsOf: URL(fileURLWithPath: path))
            return suite.judge(try recorded.predictions(for: suite.examples, source: answers))
        }
        let name = modelName ?? URL(fileURLWithPath: answers).deletingPathExtension().lastPathComponent
        let result = EvalReport(
            model: name, dataset: dataset.name, predictions: try recorded.predictions(for: dataset.examples, source: answers),
            outOfScopeLabel: outOfScopeLabel, suites: suites, keepingProbabilities: keepProbabilities)
        try result.write(to: URL(fileURLWithPath: report))
        if let html { try AtomicFile.write(Array(result.html().utf8), to: html) }
        if let markdown { try AtomicFile.write(Array(result.markdown().utf8), to: markdown) }
        let m = result.metrics
        if json {
            var headline: [String: Any] = [
                "examples": m.count, "failures": m.failures, "accuracy": m.accuracy, "macro_f1": m.macro.f1,
                "weighted_f1": m.weighted.f1, "expected_calibration_error": m.expectedCalibrationError, "report": report,
                "suites": Dictionary(uniqueKeysWithValues: suites.map { ($0.name, $0.passed) }),
            ]
            if let logLoss = m.logLoss { headline["log_loss"] = logLoss }
            print(String(decoding: try JSONSerialization.data(withJSONObject: headline, options: [.sortedKeys]), as: UTF8.self))
        } else {
            print("\(m.count) examples (\(m.failures) failed): accuracy \(String(format: "%.4f", m.accuracy)), macro F1 \(String(format: "%.4f", m.macro.f1)), ECE \(String(format: "%.4f", m.expectedCalibrationError))")
            for suite in suites { print("suite \(suite.name): \(suite.outcomes.filter(\.passed).count)/\(suite.outcomes.count) pass") }
            print("report: \(report)" + (html.map { ", html: \($0)" } ?? "") + (markdown.map { ", markdown: \($0)" } ?? ""))
        }
    }
}
