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

@Suite struct DocumentationExampleTests {
    @Test func routesThroughTheProtocol() async throws {
        let destination = try await route("Where is my refund?", with: KeywordRouter())  // "refund"
        #expect(destination == "refund")
        #expect(try await route("hello", with: KeywordRouter()) == "human-review")
    }
}
