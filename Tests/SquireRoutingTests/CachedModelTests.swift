import SquireCore
import SquireRouting
import SquireTesting
import Testing

@Suite struct CachedModelTests {
    /// Answers "refund" for texts about refunds, at a price per call.
    let router = ScriptedClassifier(labels: ["refund", "card", "other"]) { text in
        Classification(
            label: text.contains("refund") ? "refund" : text.contains("card") ? "card" : "other", confidence: 0.9,
            usage: Usage(calls: 1, cost: Cost(dollars: 0.002)))
    }

    func makeCache() throws -> SemanticCache<Classification> {
        try SemanticCache(embedder: requestEmbedder, threshold: 0.95, capacity: 100)
    }

    @Test func theModelIsAskedOnlyOnMisses() async throws {
        let model = Recording(router)
        let cache = try makeCache()
        let cached = try CachedClassifier(model, cache: cache, version: "router-v7")
        #expect(cached.labels == router.labels)

        let first = try await cached.answer(["refund please", "refund please", "my card is stuck"])
        #expect(model.log.calls == [["refund please", "my card is stuck"]])  // one call, each text once
        #expect(first.map(\.answer.label) == ["refund", "refund", "card"])
        #expect(first.map(\.outcome) == [.miss, .miss, .miss])
        #expect(first.map(\.answer.usage.calls) == [1, 0, 1])  // the call is counted once

        let second = try await cached.answer(["refund pls", "my card is stuck", "hello"])
        #expect(model.log.calls.last == ["hello"])
        #expect(second.map(\.outcome) == [.semanticHit, .exactHit, .miss])
        #expect(second.map(\.answer.label) == ["refund", "card", "other"])
        #expect(second[0].matchedText == "refund please")
        #expect(second[0].answer.usage == .zero && second[1].answer.usage == .zero)
        #expect(second[2].answer.usage.calls == 1)

        #expect(try await cached.classify([]).isEmpty)
        #expect(try await cached.classify("card stuck").label == "card")
        #expect(model.log.calls.count == 2)
        let statistics = await cache.statistics
        #expect(statistics.lookups == 7 && statistics.hits == 3 && statistics.misses == 4)
        #expect(await cache.count == 3)
    }

    @Test func auditedHitsAskTheModelAndCountFalseHits() async throws {
        // The model disagrees with the cache about "refund pls".
        let model = Recording(
            ScriptedClassifier(labels: ["refund", "other"]) { text in
                Classification(label: text == "refund please" ? "refund" : "other", confidence: 0.9)
            })
        let cache = try makeCache()
        let audited = try CachedClassifier(model, cache: cache, version: "v1", auditRate: 1)
        _ = try await audited.classify("refund please")
        let answer = try await audited.answer(["refund pls"])[0]
        #expect(model.log.calls.last == ["refund pls"])
        #expect(answer.outcome == .semanticHit && answer.audited && answer.falseHit)
        #expect(answer.answer.label == "other")  // the model's answer, which was paid for
        let statistics = await cache.statistics
        #expect(statistics.audits == 1 && statistics.falseHits == 1)
        #expect(statistics.auditedFalseHitRate == 1)
        // The model's answer is stored for the audited text.
        #expect(try await cache.lookup("refund pls", version: "v1").outcome == .exactHit)

        // Exact hits are never audited; without an audit rate semantic hits are not either.
        let unaudited = try CachedClassifier(model, cache: cache, version: "v1")
        let calls = model.log.calls.count
        _ = try await unaudited.classify(["refund please", "refund pls"])
        _ = try await audited.classify(["refund please"])
        #expect(model.log.calls.count == calls)
        #expect(throws: RoutingError.self) { try CachedClassifier(model, cache: cache, version: "v1", auditRate: 2) }
    }

    @Test func aFailedModelCallStoresNothingAndAFailedEmbedderOnlyCostsTheCache() async throws {
        let cache = try makeCache()
        let failing = try CachedClassifier(Failing(router), cache: cache, version: "v1")
        await #expect(throws: ModelError.self) { try await failing.classify("refund please") }
        #expect(await cache.count == 0)

        let blind = try SemanticCache<Classification>(
            embedder: Failing(requestEmbedder), threshold: 0.95, capacity: 10)
        let model = Recording(router)
        let cached = try CachedClassifier(model, cache: blind, version: "v1")
        #expect(try await cached.classify("refund please").label == "refund")
        #expect(try await cached.classify("refund please").label == "refund")
        #expect(model.log.calls.count == 2)  // nothing could be stored without an embedding
        #expect(await blind.statistics.embeddingFailures == 2)
    }

    @Test func manyTasksThroughOneCachedClassifier() async throws {
        let model = Recording(router)
        let cached = try CachedClassifier(model, cache: try makeCache(), version: "v1")
        let texts = ["refund please", "refund pls", "my card is stuck", "card stuck", "hello"]
        let labels = try await withThrowingTaskGroup(of: (Int, String).self) { group in
            for task in 0..<100 {
                group.addTask { (task, try await cached.classify(texts[task % texts.count]).label) }
            }
            return try await group.reduce(into: [Int: String]()) { $0[$1.0] = $1.1 }
        }
        #expect(labels.count == 100)
        for (task, label) in labels {
            #expect(label == ["refund", "refund", "card", "card", "other"][task % texts.count])
        }
        // However the tasks interleaved, every request is stored now.
        let calls = model.log.calls.count
        #expect(try await cached.classify(texts).map(\.label) == ["refund", "refund", "card", "card", "other"])
        #expect(model.log.calls.count == calls)
    }

    @Test func aGeneratorAnswersFromTheCacheOnlyUnderTheSameInstructions() async throws {
        let model = ScriptedGenerator { prompt, call in
            GeneratedText(text: "answer \(call) to \(prompt.text)", usage: Usage(outputTokens: 5, calls: 1))
        }
        let cache = try SemanticCache<GeneratedText>(embedder: requestEmbedder, threshold: 0.95, capacity: 10)
        let cached = CachedGenerator(model, cache: cache, version: "writer-v1")
        let prompt = Prompt(instructions: "Be brief.", text: "refund please", temperature: 0)

        let first = try await cached.answer(prompt)
        #expect(first.outcome == .miss && first.answer.text == "answer 0 to refund please")
        let similar = try await cached.answer(Prompt(instructions: "Be brief.", text: "refund pls", temperature: 0))
        #expect(similar.outcome == .semanticHit && similar.answer.text == "answer 0 to refund please")
        #expect(similar.answer.usage == .zero)
        #expect(
            try await cached.generate(Prompt(instructions: "Be thorough.", text: "refund please", temperature: 0)).text
                == "answer 1 to refund please")
        #expect(
            try await cached.generate(Prompt(instructions: "Be brief.", text: "refund please", temperature: 1)).text
                == "answer 2 to refund please")
        #expect(model.log.prompts.count == 3)
        #expect(cached.versionKey(for: prompt) == "writer-v1\u{1F}Be brief.\u{1F}0.0\u{1F}1024")
    }
}
