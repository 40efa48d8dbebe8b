import SquireCore
import SquireTesting
import Testing

@Suite struct DoublesTests {
    @Test func scriptedModelsAnswerFromTheirScripts() async throws {
        let table = ScriptedClassifier(labels: ["a", "b"], answers: ["x": Classification(label: "b", confidence: 0.7)])
        #expect(try await table.classify("x").label == "b")
        await #expect(throws: ModelError.self) { try await table.classify("unknown") }
        let embedder = ScriptedEmbedder(dimension: 2) { [Float($0.count), 1] }
        #expect(try await embedder.embed(["abc"]) == [[3, 1]])
        let wrong = ScriptedEmbedder(dimension: 3) { _ in [1] }
        await #expect(throws: ModelError.dimensionMismatch(expected: 3, actual: 1)) { try await wrong.embed(["a"]) }
        let reranker = ScriptedReranker { query, document in document.contains(query) ? 1 : 0 }
        #expect(try await reranker.ranking(for: "cat", documents: ["dog", "a cat", "bird"]) == [1, 0, 2])
    }

    @Test func recordingCapturesEveryCallForAllThreeProtocols() async throws {
        let classifier = Recording(
            ScriptedClassifier(labels: ["a"], answers: [:], otherwise: Classification(label: "a", confidence: 1)))
        _ = try await classifier.classify(["1", "2"])
        _ = try await classifier.classify(["3"])
        #expect(classifier.log.calls == [["1", "2"], ["3"]])
        #expect(classifier.labels == ["a"])
        let embedder = Recording(ScriptedEmbedder(dimension: 1) { _ in [0] })
        _ = try await embedder.embed(["e"])
        #expect(embedder.log.inputs == ["e"])
        #expect(embedder.dimension == 1)
        let reranker = Recording(ScriptedReranker { _, _ in 0 })
        _ = try await reranker.scores(for: "q", documents: ["d1", "d2"])
        #expect(reranker.log.calls == [["q", "d1", "d2"]])
        classifier.log.removeAll()
        #expect(classifier.log.calls.isEmpty)
    }

    @Test func failingSchedules() async throws {
        let base = ScriptedClassifier(labels: ["a"], answers: [:], otherwise: Classification(label: "a", confidence: 1))
        let twice = Failing(base, schedule: .first(2))
        await #expect(throws: ModelError.self) { try await twice.classify(["x"]) }
        await #expect(throws: ModelError.self) { try await twice.classify(["x"]) }
        #expect(try await twice.classify(["x"]).first?.label == "a")
        let picky = Failing(base, error: ModelError.invalidResponse("garbage"), schedule: .when { $0.contains("bad") })
        #expect(try await picky.classify(["good"]).count == 1)
        await #expect(throws: ModelError.invalidResponse("garbage")) { try await picky.classify(["good", "bad"]) }
        let embedder = Failing(ScriptedEmbedder(dimension: 1) { _ in [0] })
        await #expect(throws: ModelError.self) { try await embedder.embed(["x"]) }
    }

    @Test func slowModelsWaitAndHonourCancellation() async throws {
        let slow = Slow(
            ScriptedClassifier(labels: ["a"], answers: [:], otherwise: Classification(label: "a", confidence: 1)),
            delay: .seconds(60))
        let task = Task { try await slow.classify(["x"]) }
        task.cancel()
        await #expect(throws: CancellationError.self) { try await task.value }
        let quick = Slow(ScriptedReranker { _, _ in 1 }, delay: .milliseconds(5))
        let clock = ContinuousClock()
        let start = clock.now
        #expect(try await quick.scores(for: "q", documents: ["d"]) == [1])
        #expect(clock.now - start >= .milliseconds(5))
    }
}
