import Foundation
import LoopbackHTTPServer
import SquireCore
import SquireFrontier
import Testing

/// Model files: the retry settings, the request dialect and the embedder entry, and the
/// values they refuse.
struct FrontierModelFileTests {
    static let environment = ["OPENAI_API_KEY": "sk-test-0123456789"]

    static func write(_ entries: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("squire-model-\(UUID()).json")
        try #"{"provider": "openai", "base_url": "http://127.0.0.1:1/v1", "model": "m"\#(entries)}"#.write(
            to: url, atomically: true, encoding: .utf8)
        return url
    }

    @Test func retrySettingsReachTheClient() throws {
        let url = try Self.write(
            #", "maximum_retries": 9, "initial_backoff_seconds": 0.25, "maximum_backoff_seconds": 90, "retry_budget_seconds": 600, "token_limit_parameter": "max_completion_tokens", "send_temperature": false"#
        )
        defer { try? FileManager.default.removeItem(at: url) }
        let configuration = try FrontierModelFile(contentsOf: url).configuration
        #expect(configuration.maximumRetries == 9)
        #expect(configuration.initialBackoff == .milliseconds(250))
        #expect(configuration.maximumBackoff == .seconds(90))
        #expect(configuration.retryBudget == .seconds(600))
        #expect(configuration.tokenLimitParameter == .maxCompletionTokens)
        #expect(!configuration.sendsTemperature)
    }

    @Test(arguments: [
        (#", "retry_budget_seconds": -1"#, "retry_budget_seconds"),
        (#", "initial_backoff_seconds": 1e300"#, "initial_backoff_seconds"),
        (#", "initial_backoff_seconds": 5, "maximum_backoff_seconds": 1"#, "the maximum backoff at least the initial"),
        (#", "maximum_retries": -2"#, "maximum_retries"),
        (#", "maximum_concurrency": 0"#, "maximum_concurrency"),
        (#", "token_limit_parameter": "max_output_tokens""#, "token_limit_parameter"),
        (#", "embedder": {"model": "e", "dimension": 0}"#, "dimension"),
        (#", "embedder": {"model": "e", "dimension": 8, "dims": 8}"#, #"unknown key "embedder.dims""#),
    ])
    func badValuesAreRefusedNamingThem(_ entries: String, _ message: String) throws {
        let url = try Self.write(entries)
        defer { try? FileManager.default.removeItem(at: url) }
        #expect { try FrontierModelFile(contentsOf: url) } throws: { "\($0)".contains(message) }
    }

    @Test func anEmbedderNeedsAnOpenAICompatibleServer() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("squire-model-\(UUID()).json")
        defer { try? FileManager.default.removeItem(at: url) }
        try
            #"{"provider": "anthropic", "base_url": "http://127.0.0.1:1/v1", "model": "m", "embedder": {"model": "e", "dimension": 4}}"#
            .write(to: url, atomically: true, encoding: .utf8)
        #expect { try FrontierModelFile(contentsOf: url) } throws: { "\($0)".contains("OpenAI-compatible") }
    }

    /// The embedder entry names its own model and price; the rest comes from the file.
    @Test func theEmbedderEntryMakesAnEmbedder() async throws {
        let body =
            #"{"object":"list","data":[{"object":"embedding","index":1,"embedding":[0,1,0]},{"object":"embedding","index":0,"embedding":[1,0,0]}],"model":"e","usage":{"prompt_tokens":7,"total_tokens":7}}"#
        try await LoopbackServer.serving({ _, _ in .respond(status: 200, body: body) }) { url, server in
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("squire-model-\(UUID()).json")
            defer { try? FileManager.default.removeItem(at: file) }
            try
                #"{"provider": "openai", "base_url": "\#(url)", "model": "chat", "embedder": {"model": "embed-small", "dimension": 3, "input_dollars_per_million": 0.02}}"#
                .write(to: file, atomically: true, encoding: .utf8)
            let embedder = try FrontierModelFile(contentsOf: file).embedder(environment: Self.environment)
            #expect(try await embedder.embed(["a", "b"]) == [[1, 0, 0], [0, 1, 0]])
            #expect(server.requests.first?.json["model"] as? String == "embed-small")
            #expect(embedder.meter.usage.inputTokens == 7)
            #expect(abs(embedder.meter.usage.cost.dollars - 7 * 0.02 / 1_000_000) < 1e-18)
        }
    }

    @Test func aFileWithoutAnEmbedderSaysHowToAddOne() throws {
        let url = try Self.write("")
        defer { try? FileManager.default.removeItem(at: url) }
        #expect { try FrontierModelFile(contentsOf: url).embedder(environment: Self.environment) } throws: {
            "\($0)".contains(#"no "embedder" entry"#)
        }
    }
}
