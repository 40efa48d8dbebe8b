import Foundation
import SquireCore
import SquireRouting
import SquireTesting
import Testing

/// A local model that is sure about refunds, unsure about everything else.
let localModel = ScriptedClassifier(labels: ["refund", "card", "other"]) { text in
    if text.contains("refund") {
        return Classification(label: "refund", confidence: 0.95, usage: Usage(calls: 1, cost: Cost(dollars: 0.00001)))
    }
    if text.contains("card") {
        return Classification(label: "card", confidence: 0.75, usage: Usage(calls: 1, cost: Cost(dollars: 0.00001)))
    }
    return Classification(label: "other", confidence: 0.4, usage: Usage(calls: 1, cost: Cost(dollars: 0.00001)))
}

/// A frontier stand-in that knows better and costs more.
let frontierModel = ScriptedClassifier(labels: ["refund", "card", "other", "lost_card"]) { text in
    Classification(
        label: text.contains("card") ? "lost_card" : "other", confidence: 1,
        usage: Usage(inputTokens: 40, outputTokens: 3, calls: 1, cost: Cost(dollars: 0.002)))
}

@Suite struct CascadeTests {
    @Test func confidentAnswersStayLocalTheRestEscalate() async throws {
        let local = Recording(localModel)
        let fallback = Recording(frontierModel)
        let cascade = Cascade(local: local, fallback: fallback, threshold: 0.8)
        let routed = try await cascade.route(["refund please", "my card", "hello"])
        #expect(routed.map(\.classification.label) == ["refund", "lost_card", "other"])
        #expect(routed.map(\.trace.route) == [.local, .fallback, .fallback])
        #expect(routed.map(\.trace.reason) == [.confident, .belowThreshold, .belowThreshold])
        #expect(local.log.calls == [["refund please", "my card", "hello"]])
        #expect(fallback.log.calls == [["my card", "hello"]])  // one batched call for the unsure ones
        let escalated = routed[1]
        #expect(escalated.trace.localLabel == "card")
        #expect(escalated.trace.localConfidence == 0.75)
        #expect(escalated.trace.fallbackLabel == "lost_card")
        #expect(escalated.trace.fallbackLatency != nil)
        // Both calls are paid for.
        #expect(abs(escalated.classification.usage.cost.dollars - 0.00201) < 1e-12)
        #expect(escalated.trace.usage == escalated.classification.usage)
        #expect(cascade.labels == ["refund", "card", "other", "lost_card"])
    }

    @Test func perLabelThresholds() async throws {
        let cascade = Cascade(
            local: localModel, fallback: frontierModel, threshold: 0.8, labelThresholds: ["card": 0.7, "refund": 0.99])
        let routed = try await cascade.route(["refund please", "my card"])
        #expect(routed.map(\.trace.route) == [.fallback, .local])
        #expect(routed.map(\.trace.threshold) == [0.99, 0.7])
    }

    @Test func localFailureFallsBack() async throws {
        let cascade = Cascade(local: Failing(localModel), fallback: frontierModel, threshold: 0.8)
        let routed = try await cascade.route(["refund please"])
        #expect(routed[0].trace.route == .fallback)
        #expect(routed[0].trace.reason == .localFailed)
        #expect(routed[0].trace.error?.contains("scripted failure") == true)
        #expect(routed[0].classification.label == "other")
    }

    @Test func localTimeoutFallsBack() async throws {
        // Had the cascade waited for the slow model, its confident "refund" would stand;
        // the trace shows the timeout fired instead. (No wall-clock bound: with the whole
        // suite running on two cores, task wake-ups can lag by seconds.)
        let cascade = Cascade(
            local: Slow(localModel, delay: .seconds(30)), fallback: frontierModel, threshold: 0.8,
            localTimeout: .milliseconds(50))
        let routed = try await cascade.route(["refund please"])
        #expect(routed[0].classification.label == "other")
        #expect(routed[0].trace.reason == .localFailed)
        #expect(routed[0].trace.error?.contains("did not answer within") == true)
    }

    @Test func fallbackFailureDegradesToTheLocalAnswer() async throws {
        let cascade = Cascade(
            local: localModel, fallback: Failing(frontierModel, error: ModelError.timedOut(after: .seconds(20))),
            threshold: 0.8)
        let routed = try await cascade.route(["my card", "refund please"])
        #expect(routed.map(\.classification.label) == ["card", "refund"])
        #expect(routed.map(\.trace.route) == [.degraded, .local])
        #expect(routed[0].trace.reason == .fallbackFailed)
        #expect(routed[0].trace.error?.contains("did not answer within") == true)
    }

    @Test func bothFailingIsATypedError() async throws {
        let cascade = Cascade(local: Failing(localModel), fallback: Failing(frontierModel), threshold: 0.8)
        await #expect(throws: RoutingError.self) { try await cascade.classify(["anything"]) }
        do { _ = try await cascade.classify(["anything"]) } catch let error as RoutingError {
            #expect(error.description.contains("no model could answer"))
        }
    }

    @Test func aSpentBudgetDegradesGracefully() async throws {
        let elapsed = ManualTime()
        let budget = CallBudget(maximumCalls: 2, per: .seconds(60)) { elapsed.value }
        let fallback = Recording(frontierModel)
        let cascade = Cascade(local: localModel, fallback: fallback, threshold: 0.8, fallbackBudget: budget)
        let first = try await cascade.route(["card 1", "card 2", "card 3"])
        #expect(first.map(\.trace.route) == [.fallback, .fallback, .degraded])
        #expect(first[2].trace.reason == .budgetExhausted)
        let second = try await cascade.route(["card 4"])
        #expect(second[0].trace.route == .degraded)
        #expect(await budget.remaining == 0)
        elapsed.advance(by: .seconds(61))  // a new minute
        let third = try await cascade.route(["card 5"])
        #expect(third[0].trace.route == .fallback)
        #expect(fallback.log.inputs == ["card 1", "card 2", "card 5"])
    }

    @Test func manyTasksThroughOneCascade() async throws {
        let local = Recording(localModel)
        let fallback = Recording(Slow(frontierModel, delay: .milliseconds(1)))
        let budget = CallBudget(maximumCalls: 150)
        let cascade = Cascade(local: local, fallback: fallback, threshold: 0.8, fallbackBudget: budget)
        let routes = try await withThrowingTaskGroup(of: RoutingTrace.Route.self) { group in
            for i in 0..<400 {
                group.addTask { try await cascade.route([i % 2 == 0 ? "refund \(i)" : "card \(i)"])[0].trace.route }
            }
            return try await group.reduce(into: [:]) { $0[$1, default: 0] += 1 }
        }
        #expect(routes[.local] == 200)
        #expect(routes[.fallback] == 150)  // exactly the budget, never more
        #expect(routes[.degraded] == 50)
        #expect(local.log.calls.count == 400)
        #expect(fallback.log.inputs.count == 150)
    }

    @Test func tracesEncodeToJSON() async throws {
        let routed = try await Cascade(local: localModel, fallback: frontierModel, threshold: 0.8).route(["my card"])
        let data = try JSONEncoder().encode(routed[0])
        let json = String(decoding: data, as: UTF8.self)
        #expect(json.contains("\"route\":\"fallback\""))
        #expect(json.contains("\"reason\":\"below_threshold\""))
        #expect(try JSONDecoder().decode(RoutedClassification.self, from: data).trace.route == .fallback)
    }
}

/// A clock the test moves by hand.
final class ManualTime: Sendable {
    private let lock = NSLock()
    nonisolated(unsafe) private var elapsed: Duration = .zero
    var value: Duration { lock.withLock { elapsed } }
    func advance(by step: Duration) { lock.withLock { elapsed += step } }
}
