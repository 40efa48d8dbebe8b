import Foundation
import LoopbackHTTPServer
import SquireCore
import SquireFrontier
import Testing

/// Requests written the way a server accepts them: `max_completion_tokens` where `max_tokens`
/// is refused, no temperature for a model that takes only its default.
@Suite(.serialized) struct RequestDialectTests {
    static let environment = ["OPENAI_API_KEY": "sk-test-0123456789"]
    // OpenAI's answers, word for word, to a reasoning model sent the older parameters.
    static let noMaxTokens =
        #"{"error":{"message":"Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.","type":"invalid_request_error","param":"max_tokens","code":"unsupported_parameter"}}"#
    static let noTemperature =
        #"{"error":{"message":"Unsupported value: 'temperature' does not support 0 with this model. Only the default (1) value is supported.","type":"invalid_request_error","param":"temperature","code":"unsupported_value"}}"#

    /// A server that refuses the parameters a reasoning model refuses.
    static func reasoningModel(_ request: LoopbackServer.Request, _ answer: String) -> LoopbackServer.Reply {
        if request.json["max_tokens"] != nil { return .respond(status: 400, body: noMaxTokens) }
        if request.json["temperature"] != nil { return .respond(status: 400, body: noTemperature) }
        return .respond(status: 200, body: FrontierClientTests.chat(answer))
    }

    @Test func theGeneratorSwitchesToMaxCompletionTokensAndDropsTheTemperature() async throws {
        try await LoopbackServer.serving({ request, _ in Self.reasoningModel(request, "one\ntwo") }) { url, server in
            let generator = try OpenAIGenerator(
                configuration: FrontierConfiguration(baseURL: url, model: "o-test"), environment: Self.environment)
            let answer = try await generator.generate(Prompt(text: "two examples", maximumOutputTokens: 300))
            #expect(answer.text == "one\ntwo")
            // Refused twice, once per parameter, then accepted.
            #expect(server.requests.count == 3)
            #expect(server.requests.last?.json["max_completion_tokens"] as? Int == 300)
            // Learnt once for the client: the next request is written right the first time.
            _ = try await generator.generate(Prompt(text: "two more"))
            #expect(server.requests.count == 4)
            // The refusals were sent and are on the meter, though they cost no tokens.
            #expect(generator.meter.usage.calls == 4)
        }
    }

    @Test func theClassifierDropsTheTemperature() async throws {
        try await LoopbackServer.serving({ request, _ in Self.reasoningModel(request, #"{"label":"refund"}"#) }) {
            url, server in
            let classifier = try OpenAIClassifier(
                configuration: FrontierConfiguration(baseURL: url, model: "o-test"), labels: ["refund", "other"],
                environment: Self.environment)
            #expect(try await classifier.classify(["a", "b", "c"]).map(\.label) == ["refund", "refund", "refund"])
            #expect(server.requests.filter { $0.json["temperature"] == nil }.count == 3)
        }
    }

    /// A model file can say so up front, saving the refused request.
    @Test func aModelFileChoosesTheParametersUpFront() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("dialect-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try await LoopbackServer.serving({ request, _ in Self.reasoningModel(request, "fine") }) { url, server in
            let file = folder.appendingPathComponent("o.json")
            try Data(
                #"{"provider":"openai","base_url":"\#(url)","model":"o-test","token_limit_parameter":"max_completion_tokens","send_temperature":false}"#
                    .utf8
            ).write(to: file)
            let generator = try FrontierModelFile(contentsOf: file).generator(environment: Self.environment)
            #expect(try await generator.generate(Prompt(text: "hi")).text == "fine")
            #expect(server.requests.count == 1)
        }
    }

    /// A 400 that names neither parameter is a refusal as before: no rewriting, no loop.
    @Test func otherRefusalsAreNotRewritten() async throws {
        try await LoopbackServer.serving({ _, _ in
            .respond(status: 400, body: #"{"error":{"message":"Invalid model name passed in model=gpt-typo"}}"#)
        }) { url, server in
            let generator = try OpenAIGenerator(
                configuration: FrontierConfiguration(baseURL: url, model: "gpt-typo"), environment: Self.environment)
            await #expect(throws: ModelError.self) { try await generator.generate(Prompt(text: "hi")) }
            #expect(server.requests.count == 1)
        }
    }
}
