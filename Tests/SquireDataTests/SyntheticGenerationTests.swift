import Foundation
import SquireCore
import SquireData
import SquireEval
import SquireTesting
import Synchronization
import Testing

/// Synthetic generation: prompts follow the seeded schedule, answers are parsed and
/// deduplicated as they arrive, and shortfalls are reported.
@Suite struct SyntheticGenerationTests {
    static let briefs = [
        LabelBrief(
            label: "refund", description: "asks for money back", seeds: ["I want my money back", "refund my order"]),
        LabelBrief(label: "card_lost", seeds: ["I lost my card"]),
    ]

    @Test func parsesListsDropsDuplicatesAndTagsTheSchedule() async throws {
        let writer = ScriptedGenerator { prompt, call in
            let refund = prompt.text.contains("\"refund\"")
            let label = refund ? "refund" : "card"
            return GeneratedText(
                text: """
                    Here are some messages:
                    1. "\(label) request number \(call) a"
                    2) \(label) request number \(call) b
                    - \(refund ? "I want my money back!" : "i lost my CARD")
                    * \(label.uppercased()) REQUEST NUMBER \(call) A
                    """, usage: Usage(calls: 1, cost: Cost(dollars: 0.01)))
        }
        let result = try await SyntheticGeneration(generator: writer, examplesPerRequest: 2, seed: 7).generate(
            Self.briefs, count: 4)
        #expect(result.examples.count == 8)
        #expect(result.shortfalls.isEmpty)
        let refunds = result.examples.filter { $0.label == "refund" }
        #expect(refunds.count == 4)
        // Numbering and quotes stripped; the seed copy and the case-folded repeat dropped.
        #expect(refunds.allSatisfy { $0.text.hasPrefix("refund request number ") && !$0.text.contains("\"") })
        #expect(refunds.map { $0.text.last } == ["a", "b", "a", "b"])
        // Each label: two dropped from the first answer; the second answer fills the count before its repeats are read.
        #expect(result.duplicatesDropped == 4)
        #expect(result.requests == 4)
        #expect(abs(result.usage.cost.dollars - 0.04) < 1e-12)
        #expect(refunds.allSatisfy { $0.tags.first == "synthetic" && $0.tags.contains { $0.hasPrefix("persona=") } })
        let prompt = try #require(writer.log.prompts.first { $0.text.contains("\"refund\"") })
        #expect(prompt.text.contains("asks for money back"))
        #expect(prompt.text.contains("- refund my order") || prompt.text.contains("- I want my money back"))
    }

    @Test func theScheduleRepeatsForASeedAndChangesWithIt() async throws {
        func prompts(seed: UInt64) async throws -> [String] {
            let writer = ScriptedGenerator { _, call in GeneratedText(text: "message \(call)") }
            _ = try await SyntheticGeneration(
                generator: writer, examplesPerRequest: 1, maximumConcurrentLabels: 1, seed: seed
            ).generate(Self.briefs, count: 6)
            return writer.log.prompts.map(\.text)
        }
        let first = try await prompts(seed: 1)
        #expect(try await prompts(seed: 1) == first)
        #expect(try await prompts(seed: 2) != first)
        #expect(Set(first.map { $0.components(separatedBy: "Write them as ").last ?? "" }).count > 3)
    }

    @Test func aGeneratorThatRepeatsItselfFallsShortAndSaysSo() async throws {
        let writer = ScriptedGenerator { _, _ in GeneratedText(text: "the same thing\nI lost my card") }
        let result = try await SyntheticGeneration(
            generator: writer, examplesPerRequest: 5, maximumRequestsPerLabel: 3, maximumConcurrentLabels: 1
        )
        .generate([Self.briefs[1]], count: 5, avoiding: ["THE SAME THING!"])
        #expect(result.examples.isEmpty)
        #expect(result.shortfalls == ["card_lost": 5])
        #expect(result.requests == 3)
    }

    @Test func unusableAnswersCountAndOutagesStop() async throws {
        let refusing = ScriptedGenerator { _, call in
            if call < 2 { throw ModelError.invalidResponse("cut off") }
            return GeneratedText(text: "fresh message \(call)")
        }
        let result = try await SyntheticGeneration(
            generator: refusing, examplesPerRequest: 1, maximumConcurrentLabels: 1
        ).generate([Self.briefs[0]], count: 2)
        #expect(result.failedRequests == 2)
        // Why they failed, not only how many.
        #expect(result.failureReasons == ["the model's answer could not be understood: cut off": 2])
        #expect(result.examples.map(\.text) == ["fresh message 2", "fresh message 3"])

        let down = ScriptedGenerator { _, _ in throw ModelError.unavailable("HTTP 503") }
        await #expect(throws: ModelError.unavailable("HTTP 503")) {
            try await SyntheticGeneration(generator: down).generate(Self.briefs, count: 2)
        }
        await #expect(throws: DataError.self) {
            try await SyntheticGeneration(generator: down).generate([LabelBrief(label: "x", seeds: [])], count: 2)
        }
    }

    /// A generator that keeps a meter: every call is charged there, refused ones included, as
    /// the frontier clients do.
    final class MeteredGenerator: TextGenerator, UsageMetered {
        let meter = UsageMeter()
        let refusals: Int
        let calls = Mutex(0)

        init(refusals: Int) { self.refusals = refusals }

        func generate(_ prompt: Prompt) async throws -> GeneratedText {
            let call = calls.withLock { count -> Int in
                defer { count += 1 }
                return count
            }
            let usage = Usage(inputTokens: 10, calls: 1, cost: Cost(dollars: 0.01))
            meter.record(usage)
            if call < refusals { throw ModelError.invalidResponse("cut off") }
            return GeneratedText(text: "fresh message \(call)", usage: usage)
        }
    }

    /// `squire synthesize` reported "6 requests failed" at $0: refused requests were made
    /// and may be billed, and a metered generator's report counts them.
    @Test func refusedRequestsAreCountedInTheCost() async throws {
        let result = try await SyntheticGeneration(
            generator: MeteredGenerator(refusals: 2), examplesPerRequest: 1, maximumConcurrentLabels: 1
        ).generate([Self.briefs[0]], count: 2)
        #expect(result.failedRequests == 2)
        #expect(result.usage.calls == 4)
        #expect(result.usage.inputTokens == 40)
        #expect(abs(result.usage.cost.dollars - 0.04) < 1e-12)
    }
}
