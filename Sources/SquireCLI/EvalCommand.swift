import ArgumentParser
import Foundation
import Squire

/// `squire eval`: metrics, slices and suites for a model's answers on a labelled dataset.
struct EvalCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Evaluate a model, or answers it already gave, on a labelled dataset and write the report.",
        discussion: """
            With --model BUNDLE (a folder written by `squire train`) the local classifier answers every example and suite case. With --model FRONTIER.json (a frontier model file, see Documentation/SquireFrontier.md) the frontier model is called instead, its key read from the environment. With --answers the answers are read instead. Reads the dataset (.jsonl or .csv: text, label, optional id and tags) and the answers the model gave (.jsonl, one {"id", "label", "confidence", "probabilities"} or {"id", "error"} per line, ids matching the dataset's, optionally with the "text" answered, which is then checked; an example without an answer counts as a failed call). Writes the JSON report (schema in Documentation/SquireEval.md) and, when asked, a Markdown summary and a self-contained HTML page. Suites are judged from the answers to their case ids.

            Examples:
              squire eval --data test.jsonl --answers answers.jsonl --report report.json --html report.html --suite smoke.json
              squire eval --data test.jsonl --model frontier.json --report frontier.json --concurrency 8
            """
    )

    @Option(name: .long, help: "The labelled dataset (.jsonl or .csv).")
    var data: String
    @Option(name: .long, help: "The model's answers (.jsonl), one per example id.")
    var answers: String?
    @Option(
        name: .long,
        help:
            "A bundle folder from `squire train`, or a frontier model file (.json), to run instead of reading answers.")
    var model: String?
    @Option(name: .long, help: "With --model: texts per call.")
    var batchSize = 16
    @Option(
        name: .long,
        help:
            "With a frontier --model: calls in flight at once (default: the model file's maximum_concurrency, else 4).")
    var concurrency: Int?
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
    @OptionGroup var force: ForceOption

    func validate() throws {
        guard (answers == nil) != (model == nil) else {
            throw ValidationError("give exactly one of --answers and --model")
        }
        guard batchSize > 0, concurrency.map({ $0 > 0 }) ?? true else {
            throw ValidationError("--batch-size and --concurrency must be positive")
        }
        if let model, !model.hasSuffix(".json"), !FileManager.default.fileExists(atPath: model + "/manifest.json") {
            throw ValidationError(
                "--model takes a bundle folder from `squire train` or a frontier model file (.json); \(model) is neither"
            )
        }
    }

    func run() async throws {
        let inputs = [data, answers, model].compactMap { $0 } + suite
        let reportDestination = try OutputDestination(report, kind: .evalReport, inputs: inputs, force: force.force)
        let htmlDestination = try html.map {
            try OutputDestination($0, kind: .htmlReport, inputs: inputs + [report], force: force.force)
        }
        let markdownDestination = try markdown.map {
            try OutputDestination($0, kind: .markdownReport, inputs: inputs + [report], force: force.force)
        }
        let dataset = try Dataset(contentsOf: URL(fileURLWithPath: data))
        let result: EvalReport
        if let answers {
            let recorded = try RecordedAnswers(contentsOf: URL(fileURLWithPath: answers))
            let suites = try suite.map { path in
                let suite = try RegressionSuite(contentsOf: URL(fileURLWithPath: path))
                return suite.judge(try recorded.predictions(for: suite.examples, source: answers))
            }
            let name = modelName ?? URL(fileURLWithPath: answers).deletingPathExtension().lastPathComponent
            result = EvalReport(
                model: name, dataset: dataset.name,
                predictions: try recorded.predictions(for: dataset.examples, source: answers),
                outOfScopeLabel: outOfScopeLabel, suites: suites, keepingProbabilities: keepProbabilities)
        } else if let model, !model.hasSuffix(".json") {
            let bundle = try ModelBundle(folder: model)
            Self.warnAboutUnknownLabels(in: dataset, knownLabels: bundle.labels)
            let suites = try suite.map { try RegressionSuite(contentsOf: URL(fileURLWithPath: $0)) }
            result = try await EvalReport.evaluate(
                bundle.classifier,
                named: modelName ?? "\(URL(fileURLWithPath: model).lastPathComponent) (\(bundle.version))", on: dataset,
                runner: EvalRunner(batchSize: batchSize, maximumConcurrency: 1),  // the encoder already uses every core
                outOfScopeLabel: outOfScopeLabel, suites: suites, keepingProbabilities: keepProbabilities)
        } else {
            var file = try FrontierModelFile(contentsOf: URL(fileURLWithPath: model!))
            // --concurrency is what is sent at once, not capped by the file's own limit.
            if let concurrency { file.maximumConcurrency = concurrency }
            let suites = try suite.map { try RegressionSuite(contentsOf: URL(fileURLWithPath: $0)) }
            let labels = dataset.labels
            let classifier = try file.classifier(labels: labels)
            result = try await EvalReport.evaluate(
                classifier, named: modelName ?? file.model, on: dataset,
                runner: EvalRunner(batchSize: batchSize, maximumConcurrency: file.maximumConcurrency ?? 4),
                outOfScopeLabel: outOfScopeLabel, suites: suites, keepingProbabilities: keepProbabilities)
        }
        try reportDestination.write { try result.write(to: URL(fileURLWithPath: report)) }
        if let html, let htmlDestination {
            try htmlDestination.write { try AtomicFile.write(Array(result.html().utf8), to: html) }
        }
        if let markdown, let markdownDestination {
            try markdownDestination.write { try AtomicFile.write(Array(result.markdown().utf8), to: markdown) }
        }
        let m = result.metrics
        if json {
            try JSONOutput.print(
                Headline(
                    examples: m.count, failures: m.failures, accuracy: m.accuracy, macroF1: m.macro.f1,
                    weightedF1: m.weighted.f1, expectedCalibrationError: m.expectedCalibrationError, logLoss: m.logLoss,
                    report: report,
                    suites: Dictionary(
                        result.suites.map { ($0.name, $0.passed) }, uniquingKeysWith: { first, _ in first })),
                compact: true)
        } else {
            print(
                "\(m.count) examples (\(m.failures) failed): accuracy \(String(format: "%.4f", m.accuracy)), macro F1 \(String(format: "%.4f", m.macro.f1)), ECE \(String(format: "%.4f", m.expectedCalibrationError))"
            )
            for suite in result.suites {
                print("suite \(suite.name): \(suite.outcomes.filter(\.passed).count)/\(suite.outcomes.count) pass")
            }
            print(
                "report: \(report)" + (html.map { ", html: \($0)" } ?? "")
                    + (markdown.map { ", markdown: \($0)" } ?? ""))
        }
    }

    /// What `--json` prints: the headline figures and each suite's verdict.
    struct Headline: Encodable {
        var examples: Int
        var failures: Int
        var accuracy: Double
        var macroF1: Double
        var weightedF1: Double
        var expectedCalibrationError: Double
        var logLoss: Double?
        var report: String
        var suites: [String: Bool]

        enum CodingKeys: String, CodingKey {
            case examples, failures, accuracy, report, suites
            case macroF1 = "macro_f1"
            case weightedF1 = "weighted_f1"
            case expectedCalibrationError = "expected_calibration_error"
            case logLoss = "log_loss"
        }
    }

    /// Says on standard error when the data holds labels the model cannot answer: those
    /// examples can only count as errors, which usually means the wrong data or model.
    static func warnAboutUnknownLabels(in dataset: Dataset, knownLabels: [String]) {
        let known = Set(knownLabels)
        let unknown = dataset.examples.filter { !known.contains($0.label) }
        guard !unknown.isEmpty else { return }
        let names = Set(unknown.map(\.label)).sorted()
        let shown = names.prefix(5).joined(separator: ", ") + (names.count > 5 ? ", …" : "")
        FileHandle.standardError.write(
            Data(
                "warning: \(unknown.count) of \(dataset.count) examples carry \(names.count) label\(names.count == 1 ? "" : "s") the model does not know (\(shown)); they count as errors\n"
                    .utf8))
    }
}
