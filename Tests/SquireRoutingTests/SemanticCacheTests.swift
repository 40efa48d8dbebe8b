import SquireCore
import SquireRouting
import SquireTesting
import Testing

@Suite struct SemanticCacheTests {
    func makeCache(
        capacity: Int = 100, threshold: Double = 0.95, timeToLive: Duration? = nil,
        precision: SemanticCachePrecision = .float32, embedder: any TextEmbedder = requestEmbedder,
        clock: ManualClock = ManualClock()
    ) throws -> SemanticCache<String> {
        try SemanticCache(
            embedder: embedder, threshold: threshold, capacity: capacity, timeToLive: timeToLive, precision: precision
        ) { clock.now }
    }

    /// Stores `text` with its own name as the answer, under `version`.
    func store(_ texts: [String], in cache: SemanticCache<String>, version: String = "v1") async throws {
        for text in texts { try await cache.insert(text, for: text, version: version) }
    }

    @Test func anExactMatchAnswersWithoutCallingTheEmbedder() async throws {
        let embedder = Recording(requestEmbedder)
        let cache = try makeCache(embedder: embedder)
        try await cache.insert(
            "refund", for: "refund please", version: "v1", embedding: requestVectors["refund please"])
        #expect(embedder.log.calls.isEmpty)  // the embedding was given

        let hit = try await cache.lookup("refund please", version: "v1")
        #expect(hit.outcome == .exactHit)
        #expect(hit.answer == "refund")
        #expect(hit.similarity == nil && hit.embedding == nil)
        #expect(embedder.log.calls.isEmpty)

        let miss = try await cache.lookup("hello", version: "v1")
        #expect(miss.outcome == .miss)
        #expect(embedder.log.calls == [["hello"]])
        #expect(miss.embedding == requestVectors["hello"])
    }

    @Test func aSimilarRequestAnswersOnlyAtOrAboveTheThreshold() async throws {
        for precision in SemanticCachePrecision.allCases {
            let strict = try makeCache(threshold: 0.99, precision: precision)
            let loose = try makeCache(threshold: 0.98, precision: precision)
            for cache in [strict, loose] { try await store(["refund please", "my card is stuck"], in: cache) }

            let hit = try await loose.lookup("refund pls", version: "v1")
            #expect(hit.outcome == .semanticHit)
            #expect(hit.answer == "refund please")
            #expect(hit.matchedText == "refund please")
            #expect(abs(try #require(hit.similarity) - 1 / 1.04.squareRoot()) < (precision == .int8 ? 2e-3 : 1e-6))

            let miss = try await strict.lookup("refund pls", version: "v1")
            #expect(miss.outcome == .miss)
            #expect(miss.answer == nil)
            #expect(miss.similarity == hit.similarity)  // the nearest entry's, reported on a miss too

            let unrelated = try await loose.lookup("hello", version: "v1")
            #expect(unrelated.outcome == .miss)
            #expect(unrelated.similarity == 0)
        }
    }

    @Test func theLeastRecentlyUsedEntryIsEvictedFirst() async throws {
        let cache = try makeCache(capacity: 3)
        try await store(["a", "b", "c"], in: cache)
        #expect(await cache.textsByRecency == ["a", "b", "c"])
        #expect(try await cache.lookup("a", version: "v1").outcome == .exactHit)  // a is now the newest
        try await store(["d"], in: cache)  // evicts b
        #expect(await cache.textsByRecency == ["c", "a", "d"])
        #expect(try await cache.lookup("b", version: "v1").outcome == .miss)

        // A semantic hit is a use too: "card stuck" finds "my card is stuck".
        try await store(["my card is stuck"], in: cache)  // evicts c
        #expect(await cache.textsByRecency == ["a", "d", "my card is stuck"])
        try await store(["hello"], in: cache)  // evicts a
        #expect(try await cache.lookup("card stuck", version: "v1").outcome == .semanticHit)
        try await store(["refund please"], in: cache)  // evicts d, not the card entry just used
        #expect(await cache.textsByRecency == ["hello", "my card is stuck", "refund please"])

        // Storing an answer for a stored text replaces it in place and makes it the newest.
        try await cache.insert("HELLO", for: "hello", version: "v1")
        #expect(await cache.textsByRecency == ["my card is stuck", "refund please", "hello"])
        #expect(try await cache.lookup("hello", version: "v1").answer == "HELLO")

        let statistics = await cache.statistics
        #expect(statistics.evictions == 4)
        #expect(statistics.insertions == 8)
        #expect(await cache.count == 3)
    }

    @Test func entriesExpireAfterTheirTimeToLiveAndAHitDoesNotExtendIt() async throws {
        let clock = ManualClock()
        let cache = try makeCache(timeToLive: .seconds(10), clock: clock)
        try await store(["a"], in: cache)
        clock.advance(by: .seconds(5))
        try await store(["b"], in: cache)
        clock.advance(by: .seconds(4))  // t = 9
        #expect(try await cache.lookup("a", version: "v1").outcome == .exactHit)
        clock.advance(by: .seconds(1))  // t = 10: a has lived its 10 seconds
        #expect(try await cache.lookup("a", version: "v1").outcome == .miss)
        #expect(await cache.count == 1)
        #expect(await cache.statistics.expirations == 1)

        // Storing again starts a new life.
        try await store(["a"], in: cache)
        clock.advance(by: .seconds(5))  // t = 15: b expires, a lives until 20
        #expect(await cache.textsByRecency == ["a"])
        clock.advance(by: .seconds(5))
        #expect(await cache.count == 0)
        #expect(await cache.statistics.expirations == 3)
    }

    @Test func entriesFromAnotherVersionNeverAnswer() async throws {
        let cache = try makeCache()
        try await store(["refund please", "my card is stuck"], in: cache, version: "router-v7")
        #expect(try await cache.lookup("refund please", version: "router-v8").outcome == .miss)
        #expect(try await cache.lookup("refund pls", version: "router-v8").outcome == .miss)
        #expect(try await cache.lookup("refund pls", version: "router-v7").outcome == .semanticHit)

        // An answer of the old model that lands after the change is filed under the old key.
        let late = try await cache.lookup("hello", version: "router-v7")
        try await cache.insert("old answer", for: late)
        #expect(try await cache.lookup("hello", version: "router-v8").outcome == .miss)

        try await cache.insert("new answer", for: "hello", version: "router-v8")
        #expect(await cache.versionKeyCount == 2)
        await cache.removeAll(exceptVersion: "router-v8")
        #expect(await cache.count == 1)
        #expect(await cache.versionKeyCount == 1)  // the old key is forgotten with its last entry
        #expect(try await cache.lookup("hello", version: "router-v8").answer == "new answer")
        #expect(await cache.remove("hello", version: "router-v8"))
        #expect(await cache.versionKeyCount == 0)
        #expect(await cache.remove("hello", version: "router-v8") == false)
    }

    @Test func int8AndFloatScansAgree() async throws {
        // 37 components: two SIMD blocks of 16 and a tail of 5.
        let dimension = 37
        let stored = randomVectors(300, dimension: dimension, seed: 1)
        let noise = randomVectors(60, dimension: dimension, seed: 2)
        // Queries near stored vectors 0, 5, 10, …, and a few unrelated ones.
        var queries: [[Float]] = []
        for i in 0..<50 {
            var query = stored[i * 5]
            for j in 0..<dimension { query[j] += 0.3 * noise[i][j] }
            queries.append(query)
        }
        queries += noise[50...]
        var table: [String: [Float]] = [:]
        for (index, vector) in stored.enumerated() { table["s\(index)"] = vector }
        for (index, vector) in queries.enumerated() { table["q\(index)"] = vector }
        let embedder = ScriptedEmbedder(dimension: dimension) { [table] in table[$0]! }

        var found: [SemanticCachePrecision: [(text: String?, similarity: Double)]] = [:]
        for precision in SemanticCachePrecision.allCases {
            // A threshold below any cosine: every lookup reports its nearest entry.
            let cache = try SemanticCache<Int>(embedder: embedder, threshold: -2, capacity: 1000, precision: precision)
            for index in stored.indices { try await cache.insert(index, for: "s\(index)", version: "") }
            var results: [(text: String?, similarity: Double)] = []
            for index in queries.indices {
                let lookup = try await cache.lookup("q\(index)", version: "")
                let similarity = try #require(lookup.similarity)
                results.append((lookup.matchedText, similarity))
                // The scan computes bit for bit what the calibration helper does.
                let matched = try #require(lookup.answer)
                #expect(try precision.similarity(between: queries[index], and: stored[matched]) == similarity)
            }
            found[precision] = results
        }
        for (index, query) in queries.enumerated() {
            let float = found[.float32]![index]
            let int8 = found[.int8]![index]
            #expect(abs(float.similarity - int8.similarity) < 0.01)
            // The float scan against a reference in Double, over every stored vector.
            let cosines = stored.map { cosine(query, $0) }
            let best = cosines.indices.max { cosines[$0] < cosines[$1] }!
            #expect(float.text == "s\(best)")
            #expect(abs(float.similarity - cosines[best]) < 1e-5)
            // int8 finds the same entry unless the runner-up is within its error.
            var others = cosines
            others.remove(at: best)
            let runnerUp = others.max()!
            if cosines[best] - runnerUp > 0.02 { #expect(int8.text == float.text) }
        }
        // The perturbed queries find the vector they came from.
        #expect((0..<50).allSatisfy { found[.float32]![$0].text == "s\($0 * 5)" })
    }

    @Test func manyTasksCanShareOneCache() async throws {
        let dimension = 64
        let embedder = ScriptedEmbedder(dimension: dimension) { text in
            // Request i is the i-th axis: no two distinct requests are similar.
            var vector = [Float](repeating: 0, count: dimension)
            vector[Int(text.dropFirst())!] = 1
            return vector
        }
        for capacity in [100, 10] {
            let cache = try SemanticCache<String>(embedder: embedder, threshold: 0.9, capacity: capacity)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for task in 0..<200 {
                    group.addTask {
                        let text = "r\(task % 50)"
                        let lookup = try await cache.lookup(text, version: "v1")
                        if let answer = lookup.answer {
                            #expect(answer == text)  // never another request's answer
                        } else {
                            try await cache.insert(text, for: lookup)
                        }
                    }
                }
                try await group.waitForAll()
            }
            let statistics = await cache.statistics
            #expect(statistics.lookups == 200)
            #expect(statistics.exactHits + statistics.semanticHits + statistics.misses == 200)
            #expect(statistics.semanticHits == 0)
            #expect(statistics.insertions == statistics.misses)
            let count = await cache.count
            #expect(count == min(50, capacity))
            #expect(await Set(cache.textsByRecency).count == count)
            if capacity == 100 { #expect(statistics.evictions == 0) }
        }
    }

    @Test func aFailingEmbedderGivesMissesNotErrors() async throws {
        let cache = try makeCache(embedder: Failing(requestEmbedder))
        try await cache.insert("a", for: "a", version: "v1", embedding: requestVectors["a"])
        let lookups = try await cache.lookup(["a", "refund please"], version: "v1")
        #expect(lookups.map(\.outcome) == [.exactHit, .miss])
        #expect(lookups[1].embeddingError?.contains("scripted failure") == true)
        await #expect(throws: ModelError.self) { try await cache.insert("x", for: lookups[1]) }
        let statistics = await cache.statistics
        #expect(statistics.embeddingFailures == 1)
        #expect(statistics.misses == 1 && statistics.exactHits == 1)
        #expect(await cache.count == 1)
    }

    @Test func badEmbeddingsAndSettingsAreRefused() async throws {
        let cache = try makeCache()
        await #expect(throws: ModelError.dimensionMismatch(expected: 8, actual: 3)) {
            try await cache.lookup("x", embedding: [1, 2, 3], version: "v1")
        }
        await #expect(throws: ModelError.self) {
            try await cache.insert("x", for: "x", version: "v1", embedding: Array(repeating: 0, count: 8))
        }
        await #expect(throws: ModelError.self) {
            try await cache.insert("x", for: "x", version: "v1", embedding: [.nan, 0, 0, 0, 0, 0, 0, 1])
        }
        #expect(await cache.count == 0)
        // An embedder answering the wrong dimension is a miss with the reason.
        let wrong = try makeCache(embedder: ScriptedEmbedder(dimension: 8) { _ in [1, 2] })
        let lookup = try await wrong.lookup("x", version: "v1")
        #expect(lookup.outcome == .miss && lookup.embeddingError != nil)

        #expect(throws: RoutingError.self) { try makeCache(capacity: 0) }
        #expect(throws: RoutingError.self) { try makeCache(threshold: .nan) }
        #expect(throws: RoutingError.self) { try makeCache(timeToLive: .zero) }
        #expect(throws: RoutingError.self) {
            try makeCache(embedder: ScriptedEmbedder(dimension: 0) { _ in [] })
        }
    }

    @Test func theSimilarityHelperMatchesTheCosine() throws {
        let a: [Float] = [3, 4, 0, 0]
        let b: [Float] = [4, 3, 0, 0]
        #expect(abs(try SemanticCachePrecision.float32.similarity(between: a, and: b) - 0.96) < 1e-6)
        // int8 codes of a are (95, 127, 0, 0), of b (127, 95, 0, 0): the cosine of the codes.
        let codes = 2.0 * 95 * 127 / (95.0 * 95 + 127 * 127)
        #expect(abs(try SemanticCachePrecision.int8.similarity(between: a, and: b) - codes) < 1e-6)
        #expect(throws: ModelError.self) { try SemanticCachePrecision.int8.similarity(between: a, and: [1]) }
        #expect(throws: ModelError.self) {
            try SemanticCachePrecision.float32.similarity(between: a, and: [0, 0, 0, 0])
        }
    }
}

/// The cosine of two vectors, in Double.
func cosine(_ a: [Float], _ b: [Float]) -> Double {
    let dot = zip(a, b).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
    let norms = a.reduce(0.0) { $0 + Double($1) * Double($1) } * b.reduce(0.0) { $0 + Double($1) * Double($1) }
    return dot / norms.squareRoot()
}
