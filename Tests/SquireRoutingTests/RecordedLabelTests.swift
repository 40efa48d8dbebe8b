import Foundation
import SquireEval
import SquireRouting
import Testing

@Suite struct RecordedLabelTests {
    /// Labels read in order; a missing or out-of-range confidence is refused by line when required.
    @Test func readsLabelsAndChecksConfidences() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("labels-\(UUID()).jsonl")
        defer { try? FileManager.default.removeItem(at: url) }
        try Data("{\"label\": \"a\", \"confidence\": 0.9}\n\n{\"label\": \"b\"}\n".utf8).write(to: url)
        #expect(
            try RecordedLabel.read(from: url.path) == [
                RecordedLabel(label: "a", confidence: 0.9), RecordedLabel(label: "b"),
            ])
        #expect(throws: DatasetError(source: url.path, line: 3, reason: "needs a \"confidence\" between 0 and 1")) {
            try RecordedLabel.read(from: url.path, requiringConfidence: true)
        }
        try Data("{\"label\": \"a\", \"confidence\": 1.5}\n".utf8).write(to: url)
        #expect(throws: DatasetError.self) { try RecordedLabel.read(from: url.path, requiringConfidence: true) }
    }
}
