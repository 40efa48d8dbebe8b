import SquireCore
import SquireRouting
import SquireTesting
import Testing

/// A model that drops the last answer of every batch: a broken contract, not an error.
struct Miscounting: TextClassifier {
    let base: ScriptedClassifier
    var labels: [String] { base.labels }
    func classify(_ texts: [String]) async throws -> [Classification] {
        Array(try await base.classify(texts).dropLast())
    }
}

/// The routes of `CascadeTests` where something breaks, each ending in its own trace.
@Suite struct CascadeFailureTests {
    @Test func aLocalModelMiscountingItsAnswersCountsAsFailed() async throws {
        let cascade = Cascade(local: Miscounting(base: localModel), fallback: frontierModel, threshold: 0.8)
        let routed = try await cascade.route(["refund please", "my card"])
        #expect(routed.map(\.classification.label) == ["other", "lost_card"])
        #expect(routed.map(\.trace.route) == [.fallback, .fallback])
        #expect(routed.map(\.trace.reason) == [.localFailed, .localFailed])
        #expect(routed.allSatisfy { $0.trace.localLabel == nil && $0.trace.threshold == 0.8 })
        #expect(routed[0].trace.error?.contains("returned 1 results for 2 inputs") == true)
    }

    @Test func aFallbackMiscountingItsAnswersDegradesToTheLocalAnswers() async throws {
        let cascade = Cascade(
            local: localModel, fallback: Miscounting(base: frontierModel), threshold: 0.8,
            labelThresholds: ["card": 0.9])
        let routed = try await cascade.route(["my card", "hello", "refund please"])
        #expect(routed.map(\.classification.label) == ["card", "other", "refund"])
        #expect(routed.map(\.trace.route) == [.degraded, .degraded, .local])
        #expect(routed.map(\.trace.reason) == [.fallbackFailed, .fallbackFailed, .confident])
        #expect(routed.map(\.trace.threshold) == [0.9, 0.8, 0.8])
        #expect(routed[0].trace.error?.contains("returned 1 results for 2 inputs") == true)
        #expect(routed[0].trace.fallbackLatency != nil)
        // Only the local call is paid for.
        #expect(routed[0].classification.usage == routed[0].trace.usage)
        #expect(routed[0].trace.usage.calls == 1)
    }

    @Test func noBudgetAndNoLocalAnswerThrowsWithoutCallingTheFallback() async throws {
        let fallback = Recording(frontierModel)
        let budget = CallBudget(maximumCalls: 1, per: .seconds(60)) { .zero }
        let cascade = Cascade(
            local: Failing(localModel), fallback: fallback, threshold: 0.8, fallbackBudget: budget)
        await #expect(throws: RoutingError.self) { try await cascade.route(["card 1", "card 2"]) }
        do { _ = try await cascade.route(["card 3"]) } catch let error as RoutingError {
            #expect(error.description.contains("scripted failure"))
            #expect(error.description.contains("the fallback's call budget is spent"))
        }
        #expect(fallback.log.calls.isEmpty)
    }
}
