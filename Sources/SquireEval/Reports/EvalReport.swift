public import Foundation
public import SquireCore

/// Everything one evaluation measured, in a versioned JSON schema (see the SquireEval guide).
///
/// Reports are plain values: gates judge them, `squire compare` ranks them, and a later
/// report is compared with an earlier one example by example (by id).
public struct EvalReport: Sendable, Hashable, Codable {
    /// The schema version this library writes and reads.
    public static let currentSchemaVersion = 1

    /// The schema version of this report.
    public var schemaVersion: Int
    /// The model's name (a bundle path, a frontier model id).
    public var model: String
    /// The dataset's name.
    public var dataset: String
    /// The label that marks out-of-scope examples, if any.
    public var outOfScopeLabel: String?
    /// Figures over all examples.
    public var metrics: ClassificationMetrics
    /// Figures per tag.
    public var slices: [String: ClassificationMetrics]
    /// Call latency.
    public var latency: LatencySummary
    /// Tokens, calls and money.
    public var cost: CostSummary
    /// Regression suites run with this evaluation.
    public var suites: [SuiteResult]
    /// One per example, in dataset order. Each keeps its label, confidence and usage; the
    /// full probability distributions are kept only when asked (77 labels × 3,000 examples
    /// is 15 MB of JSON), since every figure that needs them is already computed.
    public var predictions: [Prediction]

    /// Builds a report from predictions already made.
    ///
    /// Without `callLatencies`, latency is summarized from the predictions' own latencies,
    /// leaving out those with none recorded (0).
    /// - Parameter keepingProbabilities: store every answer's full probability distribution.
    public init(
        model: String, dataset: String, predictions: [Prediction], callLatencies: [Double]? = nil,
        outOfScopeLabel: String? = nil, suites: [SuiteResult] = [], keepingProbabilities: Bool = false
    ) {
        schemaVersion = Self.currentSchemaVersion
        self.model = model
        self.dataset = dataset
        self.outOfScopeLabel = outOfScopeLabel
        self.predictions =
            keepingProbabilities
            ? predictions
            : predictions.map { prediction in
                var stripped = prediction
                stripped.classification?.probabilities = [:]
                return stripped
            }
        self.suites = suites
        metrics = ClassificationMetrics(predictions: predictions, outOfScopeLabel: outOfScopeLabel)
        var byTag: [String: [Prediction]] = [:]
        for prediction in predictions { for tag in Set(prediction.tags) { byTag[tag, default: []].append(prediction) } }
        slices = byTag.mapValues { ClassificationMetrics(predictions: $0, outOfScopeLabel: outOfScopeLabel) }
        // Recorded answers without a latency carry 0: leave them out rather than report 0 ms,
        // so a latency gate on untimed answers fails with "no calls were timed".
        latency = LatencySummary(seconds: callLatencies ?? predictions.map(\.latencySeconds).filter { $0 > 0 })
        cost = CostSummary(predictions: predictions)
    }

    /// Evaluates `model` on `dataset` (and on each suite) and reports.
    public static func evaluate(
        _ model: some TextClassifier, named name: String, on dataset: Dataset, runner: EvalRunner = EvalRunner(),
        outOfScopeLabel: String? = nil, suites: [RegressionSuite] = [], keepingProbabilities: Bool = false,
        progress: (@Sendable (_ completed: Int, _ total: Int) -> Void)? = nil
    ) async throws -> EvalReport {
        let run = try await runner.run(model, on: dataset, progress: progress)
        var results: [SuiteResult] = []
        for suite in suites { results.append(try await suite.run(model, runner: runner)) }
        return EvalReport(
            model: name, dataset: dataset.name, predictions: run.predictions, callLatencies: run.callLatencies,
            outOfScopeLabel: outOfScopeLabel, suites: results, keepingProbabilities: keepingProbabilities)
    }

    /// The share of examples whose call failed.
    public var failureRate: Double { metrics.count == 0 ? 0 : Double(metrics.failures) / Double(metrics.count) }

    /// One headline figure by name, from the whole report or one slice; `nil` when the
    /// report cannot give it (no probabilities for log loss, no out-of-scope label).
    public func value(of metric: Metric, slice: String? = nil) -> Double? {
        let figures: ClassificationMetrics
        if let slice {
            guard let sliced = slices[slice] else { return nil }
            figures = sliced
        } else {
            figures = metrics
        }
        return metric.value(in: figures)
    }

    private enum CodingKeys: String, CodingKey {
        case model, dataset, metrics, slices, latency, cost, suites, predictions
        case schemaVersion = "schema_version"
        case outOfScopeLabel = "out_of_scope_label"
    }
}

extension EvalReport {
    /// Reads a report written by ``write(to:)``; refuses other schema versions.
    public init(contentsOf url: URL) throws {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw EvalFileError(path: url.path, reason: "cannot read the report; check the path")
        }
        struct Version: Decodable {
            var schemaVersion: Int?
            enum CodingKeys: String, CodingKey { case schemaVersion = "schema_version" }
        }
        let version: Int?
        do { version = try JSONDecoder().decode(Version.self, from: data).schemaVersion } catch {
            throw EvalFileError(path: url.path, decodingError: error, data: data)
        }
        guard version == Self.currentSchemaVersion else {
            throw EvalFileError(
                path: url.path,
                reason:
                    "schema_version \(version.map(String.init) ?? "missing"); this Squire reads version \(Self.currentSchemaVersion) reports — rerun `squire eval` to regenerate"
            )
        }
        do { self = try JSONDecoder().decode(Self.self, from: data) } catch {
            throw EvalFileError(path: url.path, decodingError: error, data: data)
        }
    }

    /// The report as pretty-printed JSON with sorted keys, so reruns diff cleanly.
    public func jsonData() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }

    /// Writes the JSON report atomically.
    public func write(to url: URL) throws {
        try AtomicFile.write(Array(try jsonData()), to: url.path)
    }
}
