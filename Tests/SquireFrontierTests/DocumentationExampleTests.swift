import Foundation
import LoopbackHTTPServer
import SquireCore
import SquireFrontier
import Testing

// Keeps the example in Documentation/SquireFrontier.md compiling and true; edit both together.
// The loopback server answers in OpenAI's wire format in place of api.openai.com, and the key
// comes from a dictionary instead of the process environment.

@Suite struct FrontierDocumentationExampleTests {
    @Test func classifiesAndPricesTheCall() async throws {
        let answer = try await LoopbackServer.serving({ _, _ in
            .respond(status: 200, body: FrontierClientTests.chat(#"{"label":"card_lost"}"#, prompt: 120, completion: 6))
        }) { url, _ in try await Self.example(baseURL: url) }

        #expect(answer.label == "card_lost")
        #expect(answer.usage.inputTokens == 120)
        #expect(abs(answer.usage.cost.dollars - (120 * 0.4 + 6 * 1.6) / 1_000_000) < 1e-15)
    }

    /// The guide's example, with the loopback server's address.
    static func example(baseURL url: String) async throws -> Classification {
        let frontier = try OpenAIClassifier(
            configuration: FrontierConfiguration(
                baseURL: url, model: "gpt-4.1-mini",
                timeout: .seconds(20), maximumRetries: 3, maximumConcurrency: 8,
                price: .init(inputDollarsPerMillion: 0.4, outputDollarsPerMillion: 1.6)),
            labels: ["refund", "card_lost", "other"],
            instructions: "Route the customer's banking request.",
            environment: FrontierClientTests.environment)

        let answer = try await frontier.classify("I lost my card")
        print(answer.label, answer.usage.inputTokens, answer.usage.cost.dollars)
        return answer
    }
}
