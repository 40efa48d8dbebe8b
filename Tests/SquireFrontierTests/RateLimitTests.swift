import Foundation
import LoopbackHTTPServer
import SquireCore
import SquireFrontier
import Synchronization
import Testing

/// Rate limits slow a run down instead of ending it, within a retry budget per request.
@Suite(.serialized) struct RateLimitTests {
    static let environment = ["OPENAI_API_KEY": "sk-test-0123456789"]
    static let labels = ["refund", "card_lost", "other"]
    static let slowDown = #"{"error":{"message":"Rate limit reached for requests","type":"requests"}}"#

    /// Before: 3 retries from 0.5 s and the full concurrency kept hammering the server, so a
    /// run under a per-minute limit failed most of its texts. Every third request is refused
    /// here, with a `Retry-After` (milliseconds, to keep the test short; the LiteLLM suite
    /// runs the same with `Retry-After: 2`): every text must come back.
    @Test func aRunUnderARateLimitCompletesEveryText() async throws {
        try await LoopbackServer.serving({ _, number in
            number % 3 == 0
                ? .respond(status: 429, headers: ["retry-after-ms": "100"], body: Self.slowDown)
                : .respond(status: 200, body: FrontierClientTests.chat(#"{"label":"refund"}"#))
        }) { url, server in
            let configuration = FrontierConfiguration(
                baseURL: url, model: "gpt-test", maximumRetries: 6, initialBackoff: .milliseconds(10),
                maximumConcurrency: 8)
            let client = try OpenAIClassifier(
                configuration: configuration, labels: Self.labels, environment: Self.environment)
            let answers = try await client.classify((0..<60).map { "text \($0)" })
            #expect(answers.count == 60)
            #expect(answers.allSatisfy { $0.label == "refund" })
            let refused = server.requests.count - 60
            #expect(refused >= 20)  // every third request
            // Every attempt is on the meter: the answered ones and the refused ones.
            #expect(client.meter.usage.calls == server.requests.count)
            #expect(answers.reduce(0) { $0 + $1.usage.calls } == server.requests.count)
        }
    }

    /// After a 429 the client sends fewer requests at once; successes raise the limit again.
    @Test func aRateLimitLowersTheRequestsInFlight() async throws {
        let first = FirstTime()
        try await LoopbackServer.serving({ _, _ in
            // The first request is refused; every answer is slow enough that requests overlap.
            first.take()
                ? .respond(status: 429, headers: ["retry-after-ms": "300"], body: Self.slowDown)
                : .respond(
                    status: 200, body: FrontierClientTests.chat(#"{"label":"refund"}"#), delay: .milliseconds(50))
        }) { url, server in
            let configuration = FrontierConfiguration(
                baseURL: url, model: "gpt-test", maximumRetries: 3, initialBackoff: .milliseconds(10),
                maximumConcurrency: 8)
            let client = try OpenAIClassifier(
                configuration: configuration, labels: Self.labels, environment: Self.environment)
            // One request first, so the 429 lands before the others start.
            _ = try await client.classify("first")
            let clock = ContinuousClock()
            let start = clock.now
            _ = try await client.classify((0..<8).map { "text \($0)" })
            // Limit 4 after the halving, raised back by one per four successes: eight texts in
            // at least two rounds of 50 ms, where eight at once would take one.
            #expect(clock.now - start >= .milliseconds(100))
            #expect(server.requests.count == 10)
        }
    }

    /// A request stops retrying when the waits would pass its budget, and says so.
    @Test func theRetryBudgetEndsALongRateLimit() async throws {
        try await LoopbackServer.serving({ _, _ in
            .respond(status: 429, headers: ["Retry-After": "2"], body: Self.slowDown)
        }) { url, server in
            let configuration = FrontierConfiguration(
                baseURL: url, model: "gpt-test", maximumRetries: 10, initialBackoff: .milliseconds(10),
                retryBudget: .seconds(3))
            let client = try OpenAIClassifier(
                configuration: configuration, labels: Self.labels, environment: Self.environment)
            let clock = ContinuousClock()
            let start = clock.now
            do {
                _ = try await client.classify("money back")
                Issue.record("a request past its retry budget succeeded")
            } catch let error as ModelError {
                guard case .unavailable(let reason) = error else {
                    Issue.record("expected unavailable, got \(error)")
                    return
                }
                #expect(reason.contains("rate limited (HTTP 429)"))
                #expect(reason.contains("retry budget of 3.0 s"))
            }
            // One wait of 2 s fits the budget of 3 s, a second does not.
            #expect(server.requests.count == 2)
            #expect(clock.now - start < .seconds(4))
        }
    }
}

/// True for the first caller only, across the server's threads.
final class FirstTime: Sendable {
    private let taken = Mutex(false)

    func take() -> Bool {
        taken.withLock { taken in
            defer { taken = true }
            return !taken
        }
    }
}
