import Foundation
import LoopbackHTTPServer
import SquireCore
import SquireFrontier
import Testing

/// Calls whose answers could not be used were still made, and their tokens may be billed:
/// the client's meter counts them.
@Suite(.serialized) struct FailedCallCostTests {
    static let environment = ["OPENAI_API_KEY": "sk-test-0123456789", "ANTHROPIC_API_KEY": "sk-ant-0123456789"]
    static let price = FrontierConfiguration.Price(inputDollarsPerMillion: 2, outputDollarsPerMillion: 8)

    @Test func anUnusableAnswerIsOnTheMeter() async throws {
        try await LoopbackServer.serving({ _, _ in
            .respond(
                status: 200, body: FrontierClientTests.chat("I think it is about money", prompt: 40, completion: 9))
        }) { url, _ in
            let client = try OpenAIClassifier(
                configuration: FrontierConfiguration(baseURL: url, model: "gpt-test", price: Self.price),
                labels: ["refund", "other"], environment: Self.environment)
            await #expect(throws: ModelError.self) { try await client.classify("money back") }
            let spent = client.meter.usage
            #expect(spent.calls == 1)
            #expect(spent.inputTokens == 40)
            #expect(spent.outputTokens == 9)
            #expect(abs(spent.cost.dollars - (40 * 2 + 9 * 8) / 1_000_000) < 1e-15)
        }
    }

    @Test func anAnthropicAnswerWithoutTheToolCallIsOnTheMeter() async throws {
        let body =
            #"{"id":"msg_1","type":"message","role":"assistant","content":[{"type":"text","text":"refund"}],"stop_reason":"end_turn","usage":{"input_tokens":30,"output_tokens":2}}"#
        try await LoopbackServer.serving({ _, _ in .respond(status: 200, body: body) }) { url, _ in
            let client = try AnthropicClassifier(
                configuration: FrontierConfiguration(baseURL: url, model: "claude-test", price: Self.price),
                labels: ["refund", "other"], environment: Self.environment)
            await #expect(throws: ModelError.self) { try await client.classify("money back") }
            #expect(client.meter.usage.calls == 1)
            #expect(client.meter.usage.totalTokens == 32)
        }
    }

    /// A cut-off answer from the generator: refused, charged.
    @Test func aCutOffAnswerIsOnTheMeter() async throws {
        let body =
            #"{"choices":[{"message":{"content":"one\ntw"},"finish_reason":"length"}],"usage":{"prompt_tokens":12,"completion_tokens":100}}"#
        try await LoopbackServer.serving({ _, _ in .respond(status: 200, body: body) }) { url, _ in
            let generator = try OpenAIGenerator(
                configuration: FrontierConfiguration(baseURL: url, model: "gpt-test", price: Self.price),
                environment: Self.environment)
            await #expect(throws: ModelError.self) {
                try await generator.generate(Prompt(text: "examples", maximumOutputTokens: 100))
            }
            #expect(generator.meter.usage.outputTokens == 100)
            #expect(generator.meter.usage.cost.dollars > 0)
        }
    }
}
