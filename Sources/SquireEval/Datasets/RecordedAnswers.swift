public import Foundation
import SquireCore

/// Answers a model already gave, read from JSON Lines, to evaluate without calling it again.
///
/// Each line answers one example by id: `{"id": "17", "label": "refund", "confidence": 0.93,
/// "probabilities": {…}, "latency_seconds": 0.004, "usage": {…}}`, or records a failed call:
/// `{"id": "17", "error": "timed out"}`. Only `id` and either `label` or `error` are required;
/// `confidence` defaults to the label's probability, or 1 when there are none. An answer
/// that also carries the `text` it answered is checked against the example's text, which
/// catches answers made for another dataset or a suite whose ids collide with it.
public struct RecordedAnswers: Sendable {
    private var answers: [String: (classification: Classification?, failure: String?, latency: Double, text: String?)]

    /// The ids answered.
    public var ids: Set<String> { Set(answers.keys) }

    /// Reads a file; errors name the line at fault.
    public init(contentsOf url: URL) throws {
        let source = url.path
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw DatasetError(source: source, reason: "cannot read the answers; check the path")
        }
        answers = [:]
        let records = try JSONLinesRecords.parse(
            data, source: source, expecting: "one answer with \"id\" and \"label\" or \"error\"")
        for (line, record, bytes) in records {
            func fail(_ reason: String) -> DatasetError { DatasetError(source: source, line: line, reason: reason) }
            let id: String
            switch record["id"] {
            case .string(let value)?: id = value
            case .integer(let value)?: id = String(value)
            default: throw fail("missing \"id\" (a string or an integer naming the example)")
            }
            guard answers[id] == nil else { throw fail("a second answer for id \"\(id)\"") }
            var latency = 0.0
            switch record["latency_seconds"] {
            case nil, .null?: break
            case .integer(let value)? where value >= 0: latency = Double(value)
            case .number(let value)? where value.isFinite && value >= 0: latency = value
            default: throw fail("\"latency_seconds\" must be a non-negative number")
            }
            var text: String?
            switch record["text"] {
            case nil, .null?: break
            case .string(let value)?: text = value
            default: throw fail("\"text\" must be a string")
            }
            if case .string(let error)? = record["error"] {
                answers[id] = (nil, error, latency, text)
                continue
            }
            guard case .string? = record["label"] else {
                throw fail("needs a \"label\" string, or an \"error\" string for a failed call")
            }
            do {
                var answer = try JSONDecoder().decode(Answer.self, from: bytes)
                if answer.confidence == nil {
                    answer.confidence = answer.probabilities?[answer.label] ?? (answer.probabilities == nil ? 1 : 0)
                }
                let classification = Classification(
                    label: answer.label, confidence: answer.confidence!, probabilities: answer.probabilities ?? [:],
                    usage: answer.usage ?? .zero)
                guard classification.confidence.isFinite, (0...1).contains(classification.confidence),
                    classification.probabilities.values.allSatisfy({ $0.isFinite && $0 >= 0 && $0 <= 1 })
                else { throw fail("confidence and probabilities must be numbers between 0 and 1") }
                answers[id] = (classification, nil, latency, text)
            } catch let error as DatasetError {
                throw error
            } catch {
                throw fail(DecodingError.summary(of: error, decoding: bytes))
            }
        }
    }

    private struct Answer: Decodable {
        var label: String
        var confidence: Double?
        var probabilities: [String: Double]?
        var usage: Usage?
    }

    /// One prediction per example, in order; an example without an answer is a failure
    /// ("no recorded answer"), so a partial file cannot inflate the figures. Throws when an
    /// answer's recorded text differs from its example's.
    public func predictions(for examples: [LabeledExample], source: String = "answers") throws -> [Prediction] {
        try examples.map { example in
            guard let answer = answers[example.id] else {
                return Prediction(
                    id: example.id, expected: example.label, tags: example.tags, classification: nil,
                    failure: "no recorded answer for this id")
            }
            if let text = answer.text, text != example.text {
                throw DatasetError(
                    source: source,
                    reason:
                        "the answer for id \"\(example.id)\" was given for another text; were the answers made for another dataset, or do suite and dataset ids collide?"
                )
            }
            return Prediction(
                id: example.id, expected: example.label, tags: example.tags, classification: answer.classification,
                failure: answer.failure, latencySeconds: answer.latency)
        }
    }
}
