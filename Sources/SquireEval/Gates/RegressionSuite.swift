public import Foundation
public import SquireCore

/// A named set of cases that must pass before a model ships.
///
/// As JSON: `{"name": "smoke", "cases": [{"id": "refund-1", "text": "…", "expected": "refund",
/// "minimum_confidence": 0.7}, {"id": "…", "text": "…", "not_expected": "card_block"}]}`.
public struct RegressionSuite: Sendable, Hashable, Codable {
    /// The suite's name, which gates require it by.
    public var name: String
    /// The cases, with unique ids.
    public var cases: [RegressionCase]

    /// Creates a suite; throws when two cases share an id.
    public init(name: String, cases: [RegressionCase]) throws {
        self.name = name
        self.cases = cases
        try validate(source: name)
    }

    /// Reads a suite from a JSON file; errors name the file and the case at fault.
    public init(contentsOf url: URL) throws {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw EvalFileError(path: url.path, reason: "cannot read the file; check the path")
        }
        do { self = try JSONDecoder().decode(Self.self, from: data) } catch {
            throw EvalFileError(path: url.path, decodingError: error, data: data)
        }
        try validate(source: url.path)
    }

    private func validate(source: String) throws {
        var seen = Set<String>()
        for item in cases where !seen.insert(item.id).inserted {
            throw EvalFileError(path: source, reason: "two cases share the id \"\(item.id)\"; ids must be unique")
        }
    }

    /// Runs every case through `model` and judges it.
    public func run(_ model: some TextClassifier, runner: EvalRunner = EvalRunner()) async throws -> SuiteResult {
        let dataset = try Dataset(name: name, examples: examples)
        let run = try await runner.run(model, on: dataset)
        return judge(run.predictions)
    }

    /// The cases as examples to classify (their expectations are not labels, so `label` is empty).
    public var examples: [LabeledExample] {
        cases.map { LabeledExample(id: $0.id, text: $0.text, label: "", tags: $0.tags) }
    }

    /// Judges answers already made; `predictions` are matched to cases by id.
    public func judge(_ predictions: [Prediction]) -> SuiteResult {
        let byID = Dictionary(predictions.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let outcomes = cases.map { item -> SuiteResult.Outcome in
            guard let prediction = byID[item.id] else {
                return .init(
                    id: item.id, passed: false, predicted: nil, confidence: nil, reason: "no answer for this case")
            }
            guard let answer = prediction.classification else {
                return .init(
                    id: item.id, passed: false, predicted: nil, confidence: nil,
                    reason: "the call failed: \(prediction.failure ?? "unknown error")")
            }
            var reason: String?
            if !item.expectation.isMet(by: answer.label) {
                switch item.expectation {
                case .label(let label): reason = "expected \"\(label)\", got \"\(answer.label)\""
                case .oneOf(let labels): reason = "expected one of \(labels), got \"\(answer.label)\""
                case .not(let label): reason = "must not be \"\(label)\""
                }
            } else if let minimum = item.minimumConfidence, answer.confidence < minimum {
                reason = "confidence \(answer.confidence.formatted(digits: 3)) is below the minimum \(minimum)"
            }
            return .init(
                id: item.id, passed: reason == nil, predicted: answer.label, confidence: answer.confidence,
                reason: reason)
        }
        return SuiteResult(name: name, outcomes: outcomes)
    }
}
