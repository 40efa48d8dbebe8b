import Foundation
import SquireCore
import SquireEval
import Testing

@Suite struct RecordedAnswersTests {
    func write(_ text: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("squire-answers-\(UUID()).jsonl")
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    @Test func pairsAnswersWithExamplesByID() throws {
        let url = try write(
            """
            {"id": "a", "label": "x", "probabilities": {"x": 0.7, "y": 0.3}}
            {"id": 2, "error": "timed out", "latency_seconds": 30}
            {"id": "c", "label": "y", "confidence": 0.6, "usage": {"cost_dollars": 0.002, "input_tokens": 40}}
            {"id": "unused", "label": "y"}
            """)
        defer { try? FileManager.default.removeItem(at: url) }
        let answers = try RecordedAnswers(contentsOf: url)
        let examples = ["a", "2", "c", "d"].map { LabeledExample(id: $0, text: $0, label: "x") }
        let predictions = try answers.predictions(for: examples)
        #expect(predictions[0].classification?.confidence == 0.7)  // from the label's probability
        #expect(predictions[1].failure == "timed out")
        #expect(predictions[1].latencySeconds == 30)
        #expect(predictions[2].classification?.usage.inputTokens == 40)
        #expect(predictions[3].failure == "no recorded answer for this id")
        #expect(answers.ids.count == 4)
    }

    @Test(arguments: [
        ("{\"label\": \"x\"}", "missing \"id\""),
        ("{\"id\": \"a\"}", "needs a \"label\" string"),
        ("{\"id\": \"a\", \"label\": \"x\"}\n{\"id\": \"a\", \"label\": \"y\"}", "a second answer for id \"a\""),
        ("{\"id\": \"a\", \"label\": \"x\", \"confidence\": 1.5}", "between 0 and 1"),
        ("{\"id\": \"a\", \"label\": \"x\", \"confidence\": \"high\"}", "confidence must be"),
        ("{\"id\": \"a\", \"label\": \"x\", \"latency_seconds\": -1}", "non-negative"),
        ("not json", "not a JSON object"),
    ])
    func refusesMalformedLines(_ text: String, _ message: String) throws {
        let url = try write(text)
        defer { try? FileManager.default.removeItem(at: url) }
        #expect { try RecordedAnswers(contentsOf: url) } throws: { error in
            String(describing: error).contains(message)
        }
    }
}
