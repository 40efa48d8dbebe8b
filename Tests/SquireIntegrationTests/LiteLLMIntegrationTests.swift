import Foundation
import SquireCore
import SquireFrontier
import Testing

/// Squire's frontier clients and commands against a real third-party gateway: the LiteLLM
/// proxy (PyPI, pinned in Scripts/setup/litellm-requirements.txt) on loopback, with the mock
/// models and scripted upstream of Tests/Integration/LiteLLM. Each scenario is one that broke,
/// or could break, against real servers (issue #30).
extension LiteLLMTests {
    @Suite(.serialized) struct LiteLLMIntegrationTests {
        static let labels = ["billing", "shipping", "other"]

        static func configuration(
            _ model: String, timeout: Duration = .seconds(20), retries: Int = 2, concurrency: Int = 4
        ) throws -> FrontierConfiguration {
            FrontierConfiguration(
                baseURL: try LiteLLMProxy.running.openAIBase, model: model, timeout: timeout, maximumRetries: retries,
                initialBackoff: .milliseconds(20), maximumBackoff: .seconds(5), maximumConcurrency: concurrency,
                price: .init(inputDollarsPerMillion: 1, outputDollarsPerMillion: 2))
        }

        static var environment: [String: String] {
            get throws {
                let key = try LiteLLMProxy.running.key
                return ["OPENAI_API_KEY": key, "ANTHROPIC_API_KEY": key, "SQUIRE_PROXY_KEY": key]
            }
        }

        static func classifier(_ model: String, retries: Int = 2, timeout: Duration = .seconds(20)) throws
            -> OpenAIClassifier
        {
            try OpenAIClassifier(
                configuration: configuration(model, timeout: timeout, retries: retries), labels: labels,
                environment: environment)
        }

        /// The error `body` throws, as text, checked for the key on the way.
        static func failure(_ body: () async throws -> Void) async throws -> String {
            do {
                try await body()
            } catch {
                let text = String(describing: error)
                #expect(!text.contains(try LiteLLMProxy.running.key), "the key leaked into an error: \(text)")
                return text
            }
            Issue.record("expected an error")
            return ""
        }

        // MARK: Answers

        /// A JSON answer, a bare label (the mock ignores `response_format`, as many routes do) and
        /// fenced JSON are all read; the label set still decides.
        @Test(arguments: ["label-json", "label-bare", "label-fenced", "upstream-label-json"])
        func readsEveryAnswerShapeARealServerSends(_ model: String) async throws {
            let answer = try await Self.classifier(model).classify("Why was I charged twice?")
            #expect(answer.label == "billing")
            #expect(answer.usage.calls == 1)
            #expect(answer.usage.totalTokens > 0)
            #expect(answer.usage.cost.dollars > 0)
        }

        /// Garbage, a refusal written as text, a refusal in the `refusal` field, and an answer cut
        /// off at the token limit: each a typed invalid response quoting the answer, each charged.
        @Test(arguments: [
            ("garbage", "not JSON at all"), ("refusal", "sorry, but"), ("refusal-field", "refused"),
            ("truncated", "bill"),
        ])
        func unusableAnswersAreTypedAndCharged(_ model: String, _ quoted: String) async throws {
            let client = try Self.classifier(model)
            let error = try await Self.failure { _ = try await client.classify("Why was I charged twice?") }
            #expect(error.contains("could not be understood"), "\(error)")
            #expect(error.contains(quoted), "\(error)")
            #expect(client.meter.usage.calls == 1)
            #expect(client.meter.usage.totalTokens > 0, "an unusable answer's tokens are on the meter")
        }

        // MARK: Failures retrying cannot fix

        /// A model-name typo answered 400 "Invalid model name" on every request, and a run sent
        /// every text. Three identical refusals stop the client; later calls send nothing.
        @Test func aModelNameTypoStopsTheClientAfterThreeRequests() async throws {
            let proxy = try LiteLLMProxy.running
            try await proxy.resetUpstream()
            let client = try Self.classifier("upstream-typo")
            let texts = (0..<10).map { "request \($0)" }
            var errors: [String] = []
            for text in texts {
                errors.append(try await Self.failure { _ = try await client.classify(text) })
            }
            #expect(errors[2].contains("refused 3 requests in a row"), "\(errors[2])")
            #expect(errors[2].contains("Invalid model name"), "\(errors[2])")
            #expect(try await proxy.upstreamRequests("label-jsn") == 3)
        }

        /// 401 from the upstream, through the proxy, is not retried and says to check the key.
        @Test func aRejectedKeyFailsAtOnce() async throws {
            let proxy = try LiteLLMProxy.running
            try await proxy.resetUpstream()
            let client = try Self.classifier("upstream-unauthorized", retries: 3)
            let error = try await Self.failure { _ = try await client.classify("hello") }
            #expect(error.contains("authentication failed (HTTP 401)"), "\(error)")
            #expect(try await proxy.upstreamRequests("unauthorized") == 1)
        }

        /// Nothing listening: reported within twice the connect timeout, whatever the request
        /// timeout (it took 82 s with a 20 s timeout).
        @Test func nothingListeningFailsWithinTwiceTheConnectTimeout() async throws {
            var configuration = try Self.configuration("label-json", timeout: .seconds(20), retries: 3)
            configuration.baseURL = "http://127.0.0.1:\(try LiteLLMProxy.running.closedPort)/v1"
            configuration.connectTimeout = .seconds(2)
            let client = try OpenAIClassifier(
                configuration: configuration, labels: Self.labels, environment: Self.environment)
            let clock = ContinuousClock()
            let start = clock.now
            let error = try await Self.failure { _ = try await client.classify("hello") }
            #expect(error.contains("cannot connect"), "\(error)")
            #expect(clock.now - start <= .seconds(4))
        }

        /// A slow answer past the timeout is a typed timeout.
        @Test func aSlowAnswerTimesOut() async throws {
            let client = try Self.classifier("slow", retries: 0, timeout: .seconds(1))
            let error = try await Self.failure { _ = try await client.classify("hello") }
            #expect(error.contains("did not answer within"), "\(error)")
        }

        /// 429 and 500 are retried, then reported as outages.
        @Test(arguments: [
            ("rate-limited", "rate limited (HTTP 429)"), ("server-error", "the server failed (HTTP 500)"),
        ])
        func retriedFailuresEndAsOutages(_ model: String, _ message: String) async throws {
            let client = try Self.classifier(model, retries: 2)
            let error = try await Self.failure { _ = try await client.classify("hello") }
            #expect(error.contains("unavailable"), "\(error)")
            #expect(error.contains(message), "\(error)")
            #expect(client.meter.usage.calls == 3)
        }

        // MARK: Rate limits

        /// The target of issue #30: a run where every third request gets 429 with `Retry-After: 2`
        /// (forwarded by the proxy as `llm_provider-retry-after`) completes every text.
        @Test func aRunUnderRetryAfterTwoOnEveryThirdRequestCompletes() async throws {
            let proxy = try LiteLLMProxy.running
            try await proxy.resetUpstream()
            let configuration = FrontierConfiguration(
                baseURL: proxy.openAIBase, model: "upstream-ratelimit-every-3rd", maximumConcurrency: 4)
            let client = try OpenAIClassifier(
                configuration: configuration, labels: Self.labels, environment: Self.environment)
            let clock = ContinuousClock()
            let start = clock.now
            let answers = try await client.classify((0..<12).map { "request \($0)" })
            #expect(answers.count == 12)
            #expect(answers.allSatisfy { $0.label == "billing" })
            let sent = try await proxy.upstreamRequests("ratelimit-every-3rd")
            #expect(sent >= 17, "12 answered, and every third of all requests refused")
            #expect(clock.now - start >= .seconds(2), "the server's wait was honoured")
        }

        // MARK: Anthropic, generators, embeddings

        @Test func anthropicClassifierReadsTheToolCall() async throws {
            let client = try AnthropicClassifier(
                configuration: Self.configuration("anthropic-tool"), labels: Self.labels, environment: Self.environment)
            let answer = try await client.classify("Why was I charged twice?")
            #expect(answer.label == "billing")
            #expect(answer.usage.inputTokens > 0)
            let refused = try AnthropicClassifier(
                configuration: Self.configuration("anthropic-unauthorized"), labels: Self.labels,
                environment: Self.environment)
            let error = try await Self.failure { _ = try await refused.classify("hello") }
            #expect(error.contains("authentication failed (HTTP 401)"), "\(error)")
        }

        @Test func generatorsReadWholeAnswersAndRefuseCutOffOnes() async throws {
            let openAI = try OpenAIGenerator(
                configuration: Self.configuration("label-bare"), environment: Self.environment)
            #expect(try await openAI.generate(Prompt(text: "one label")).text == "billing")
            let cut = try OpenAIGenerator(configuration: Self.configuration("truncated"), environment: Self.environment)
            #expect(try await Self.failure { _ = try await cut.generate(Prompt(text: "x")) }.contains("cut off"))
            let anthropic = try AnthropicGenerator(
                configuration: Self.configuration("anthropic-text"), environment: Self.environment)
            #expect(try await anthropic.generate(Prompt(text: "x")).text == #"{"label": "billing"}"#)
            let anthropicCut = try AnthropicGenerator(
                configuration: Self.configuration("anthropic-max-tokens"), environment: Self.environment)
            #expect(
                try await Self.failure { _ = try await anthropicCut.generate(Prompt(text: "x")) }.contains("cut off"))
        }

        @Test func embeddersReturnOneVectorPerTextOrSayWhyNot() async throws {
            let upstream = try OpenAIEmbedder(
                configuration: Self.configuration("upstream-embed"), dimension: 8, environment: Self.environment)
            let vectors = try await upstream.embed(["a", "b"])
            #expect(vectors.count == 2)
            #expect(vectors.allSatisfy { $0.count == 8 })
            #expect(upstream.meter.usage.inputTokens > 0)
            // The proxy's embedding mock answers one vector whatever it is sent.
            let mock = try OpenAIEmbedder(
                configuration: Self.configuration("embed-mock"), dimension: 4, environment: Self.environment)
            #expect(try await mock.embed(["a"]) == [[0.1, 0.2, 0.3, 0.4]])
            await #expect(throws: ModelError.resultCountMismatch(expected: 2, actual: 1)) {
                try await mock.embed(["a", "b"])
            }
        }
    }
}
