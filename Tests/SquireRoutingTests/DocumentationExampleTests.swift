import SquireCore
import SquireRouting
import SquireTesting
import Testing

// Keeps the examples in Documentation/SquireRouting.md and Documentation/SquireTesting.md
// compiling and true; edit them together. No network, no model files.

/// The routing logic under test: refunds over $100 go to a human, whoever classified them.
func handle(_ request: String, amount: Int, with classifier: some TextClassifier) async throws -> String {
    let answer = try await classifier.classify(request)
    if answer.label == "refund" && amount > 100 { return "human" }
    return answer.label
}

@Suite struct RoutingDocumentationTests {
    let local = ScriptedClassifier(labels: ["refund", "card", "other"]) { text in
        text.contains("refund")
            ? Classification(label: "refund", confidence: 0.96) : Classification(label: "other", confidence: 0.41)
    }
    let frontier = ScriptedClassifier(labels: ["refund", "card", "other"]) { text in
        Classification(
            label: text.contains("card") ? "card" : "other", confidence: 1,
            usage: Usage(calls: 1, cost: Cost(dollars: 0.002)))
    }

    @Test func cascadeSendsOnlyUnsureRequestsToTheFrontier() async throws {
        let frontier = Recording(self.frontier)
        let cascade = Cascade(local: local, fallback: frontier, threshold: 0.8)

        #expect(try await handle("I want a refund", amount: 250, with: cascade) == "human")
        #expect(try await handle("my card is stuck", amount: 0, with: cascade) == "card")
        #expect(frontier.log.inputs == ["my card is stuck"])  // the confident refund never left the process
    }

    @Test func aFrontierOutageDegradesInsteadOfFailing() async throws {
        let cascade = Cascade(
            local: local, fallback: Failing(frontier, error: ModelError.timedOut(after: .seconds(20))), threshold: 0.8)
        let routed = try await cascade.route(["my card is stuck"])
        #expect(routed[0].trace.route == .degraded)
        #expect(routed[0].classification.label == "other")
    }
}
