import Foundation
import SquireCore
import Testing

// Keeps the example in Documentation/SquireCore.md compiling and true; edit both together.

/// Routing logic that does not care whether a local model or a frontier call answers.
func route(_ request: String, with classifier: any TextClassifier) async throws -> String {
    let answer = try await classifier.classify(request)
    return answer.confidence >= 0.8 ? answer.label : "human-review"
}

/// A stand-in model, as a unit test of `route` would use.
struct KeywordRouter: TextClassifier {
    let labels = ["refund", "card", "other"]

    func classify(_ texts: [String]) async throws -> [Classification] {
        texts.map { text in
            let label = labels.first { text.lowercased().contains($0) } ?? "other"
            return Classification(label: label, confidence: label == "other" ? 0.5 : 0.9)
        }
    }
}

/// Writes a report the way the squire commands write theirs: never over the input, and
/// over an existing file only when it is an earlier report (its first line says so).
func saveReport(_ lines: [String], to path: String, readFrom input: String, force: Bool = false) throws {
    let kind = OutputKind.text("routing report", marker: "# routing report")
    let destination = try OutputDestination(path, kind: kind, inputs: [input], force: force)
    try destination.write {
        try AtomicFile.write(Array((["# routing report"] + lines).joined(separator: "\n").utf8), to: path)
    }
}

@Suite struct DocumentationExampleTests {
    @Test func savesReportsUnderTheOutputRule() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("squire-doc-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let input = folder.appendingPathComponent("traffic.txt").path
        let report = folder.appendingPathComponent("report.md").path
        let notes = folder.appendingPathComponent("notes.md").path
        try Data("requests".utf8).write(to: URL(fileURLWithPath: input))
        try Data("my notes".utf8).write(to: URL(fileURLWithPath: notes))
        try saveReport(["first"], to: report, readFrom: input)
        try saveReport(["second"], to: report, readFrom: input)
        #expect(try String(contentsOfFile: report, encoding: .utf8) == "# routing report\nsecond")
        #expect(throws: OutputError.self) { try saveReport(["x"], to: notes, readFrom: input) }
        #expect(throws: OutputError.isAnInput(output: input, input: input)) {
            try saveReport(["x"], to: input, readFrom: input, force: true)
        }
        #expect(try String(contentsOfFile: notes, encoding: .utf8) == "my notes")
    }

    @Test func routesThroughTheProtocol() async throws {
        let destination = try await route("Where is my refund?", with: KeywordRouter())  // "refund"
        #expect(destination == "refund")
        #expect(try await route("hello", with: KeywordRouter()) == "human-review")
    }
}
