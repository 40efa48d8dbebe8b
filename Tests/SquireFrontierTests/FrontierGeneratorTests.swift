import Foundation
import LoopbackHTTPServer
import SquireCore
import SquireFrontier
import Testing

/// The frontier text generators against a real HTTP server on loopback.
@Suite(.serialized) struct FrontierGeneratorTests {
    static let key = "sk-test-SECRET-0123456789"
    static let environment = ["OPENAI_API_KEY": key, "ANTHROPIC_API_KEY": key]

    func configuration(_ url: String) -> FrontierConfiguration {
        FrontierConfiguration(
            baseURL: url, model: "writer", timeout: .seconds(5), maximumRetries: 1, initialBackoff: .milliseconds(10),
            price: .init(inputDollarsPerMillion: 1, outputDollarsPerMillion: 4))
    }

    static func chat(_ content: String, finish: String = "stop") -> String {
        let escaped = String(decoding: try! JSONSerialization.data(withJSONObject: [content]), as: UTF8.self)
            .dropFirst().dropLast()
        return
            #"{"choices":[{"index":0,"message":{"role":"assistant","content":\#(escaped)},"finish_reason":"\#(finish)"}],"usage":{"prompt_tokens":120,"completion_tokens":30}}"#
    }

    @Test func openAIGeneratorSendsThePromptAndCountsTheCost() async throws {
        try await LoopbackServer.serving({ _, _ in
            .respond(status: 200, body: Self.chat("where is my refund\nrefund please"))
        }) { url, server in
            let writer = try OpenAIGenerator(configuration: configuration(url), environment: Self.environment)
            let answer = try await writer.generate(
                Prompt(
                    instructions: "Write messages.", text: "Write 2 refund requests.", temperature: 0.9,
                    maximumOutputTokens: 200))
            #expect(answer.text == "where is my refund\nrefund please")
            #expect(answer.usage.inputTokens == 120)
            #expect(answer.usage.outputTokens == 30)
            #expect(abs(answer.usage.cost.dollars - (120 * 1 + 30 * 4) / 1_000_000) < 1e-15)
            let request = try #require(server.requests.first)
            #expect(request.uri == "/v1/chat/completions")
            #expect(request.json["max_tokens"] as? Int == 200)
            #expect(request.json["temperature"] as? Double == 0.9)
            let messages = try #require(request.json["messages"] as? [[String: String]])
            #expect(messages.map { $0["role"] } == ["system", "user"])
            #expect(messages[1]["content"] == "Write 2 refund requests.")
            #expect(!String(decoding: request.body, as: UTF8.self).contains(Self.key))
        }
    }

    @Test func openAIGeneratorRejectsCutOffRefusedAndGarbageAnswers() async throws {
        let replies = [
            Self.chat("one\ntw", finish: "length"),
            #"{"choices":[{"message":{"content":null,"refusal":"I can't help with that."},"finish_reason":"stop"}]}"#,
            "<html>proxy error</html>",
        ]
        try await LoopbackServer.serving({ _, number in
            .respond(status: 200, body: replies[min(number - 1, replies.count - 1)])
        }) { url, _ in
            let writer = try OpenAIGenerator(configuration: configuration(url), environment: Self.environment)
            for expected in ["cut off", "refused", "not a chat completion"] {
                do {
                    _ = try await writer.generate(Prompt(text: "Write."))
                    Issue.record("expected an error mentioning \(expected)")
                } catch let error as ModelError {
                    guard case .invalidResponse(let message) = error else {
                        Issue.record("\(error)")
                        continue
                    }
                    #expect(message.contains(expected), "\(message)")
                }
            }
        }
    }

    @Test func anthropicGeneratorJoinsTextBlocksAndRejectsTruncation() async throws {
        let replies = [
            #"{"content":[{"type":"text","text":"lost my card\n"},{"type":"text","text":"card gone"}],"stop_reason":"end_turn","usage":{"input_tokens":80,"output_tokens":9}}"#,
            #"{"content":[{"type":"text","text":"lost my"}],"stop_reason":"max_tokens","usage":{"input_tokens":80,"output_tokens":64}}"#,
        ]
        try await LoopbackServer.serving({ _, number in .respond(status: 200, body: replies[min(number - 1, 1)]) }) {
            url, server in
            let writer = try AnthropicGenerator(configuration: configuration(url), environment: Self.environment)
            let answer = try await writer.generate(
                Prompt(instructions: "Be brief.", text: "Write 2.", maximumOutputTokens: 64))
            #expect(answer.text == "lost my card\ncard gone")
            #expect(answer.usage.outputTokens == 9)
            let request = try #require(server.requests.first)
            #expect(request.uri == "/v1/messages")
            #expect(request.headers["x-api-key"] == Self.key)
            #expect(request.json["system"] as? String == "Be brief.")
            await #expect(throws: ModelError.self) {
                try await writer.generate(Prompt(text: "Write 2.", maximumOutputTokens: 64))
            }
        }
    }

    @Test func modelFileMakesAGenerator() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("squire-generator-\(UUID()).json")
        defer { try? FileManager.default.removeItem(at: folder) }
        try #"{"provider": "anthropic", "base_url": "http://127.0.0.1:1/v1", "model": "m"}"#.write(
            to: folder, atomically: true, encoding: .utf8)
        let file = try FrontierModelFile(contentsOf: folder)
        #expect(try file.generator(environment: Self.environment) is AnthropicGenerator)
        #expect(throws: FrontierError.self) { try file.generator(environment: [:]) }
    }

    /// Found by the frontier-model-file fuzzer (Fuzz/FrontierModelFileFuzzer.swift): a model
    /// file with a timeout of 2.2e57 seconds was read, and building its client configuration
    /// trapped converting it to milliseconds.
    @Test(arguments: ["2222222222222222222222222222222222222222222222222222222222", "86401", "0", "-3"])
    func modelFileRefusesATimeoutItCannotWaitFor(_ seconds: String) throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("squire-timeout-\(UUID()).json")
        defer { try? FileManager.default.removeItem(at: url) }
        let json = #"{"provider": "openai", "base_url": "http://127.0.0.1:1/v1", "model": "m", "timeout_seconds": "#
        try (json + seconds + "}").write(to: url, atomically: true, encoding: .utf8)
        #expect { try FrontierModelFile(contentsOf: url) } throws: { "\($0)".contains("timeout_seconds") }
    }

    /// A misspelt key was ignored and its setting left at the default: `"timeout": 1` ran
    /// with 30 s. Now it is refused, naming the key and the ones a file may hold.
    @Test(arguments: [
        (#""timeout": 1"#, #"unknown key "timeout""#),
        (
            #""price": {"input": 1, "output_dollars_per_million": 2, "input_dollars_per_million": 1}"#,
            #"unknown key "price.input""#
        ),
    ])
    func modelFileRefusesUnknownKeys(_ entry: String, _ message: String) throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("squire-keys-\(UUID()).json")
        defer { try? FileManager.default.removeItem(at: url) }
        try #"{"provider": "openai", "base_url": "http://127.0.0.1:1/v1", "model": "m", \#(entry)}"#.write(
            to: url, atomically: true, encoding: .utf8)
        #expect { try FrontierModelFile(contentsOf: url) } throws: {
            let text = "\($0)"
            return text.contains(message)
                && text.contains(message.contains("price") ? "output_dollars_per_million" : "timeout_seconds")
        }
    }
}
