import SquireCore
import SquireRouting
import SquireTesting
import Testing

// Keeps the examples in Documentation/SquireRouting.md and Documentation/SquireTesting.md
// compiling and true; edit them together. No network, no model files.

/// A labelled pair for the cache calibration example: a stored request's embedding and a new one's.
struct LabelledPair {
    var stored: [Float]
    var new: [Float]
    var same: Bool
}

/// The routing logic under test: refunds over $100 go to a human, whoever classified them.
func handle(_ request: String, amount: Int, with classifier: some TextClassifier) async throws -> String {
    let answer = try await classifier.classify(request)
    if answer.label == "refund" && amount > 100 { return "human" }
    return answer.label
}

@Suite struct RoutingDocumentationTests {
    let local = ScriptedClassifier(labels: ["refund", "card", "other"]) { text in
        text.contains("refund")
            ? Classification(label: "refund", confidence: 0.96) : Classification(label: "other", confidence: 0.41)
    }
    let frontier = ScriptedClassifier(labels: ["refund", "card", "other"]) { text in
        Classification(
            label: text.contains("card") ? "card" : "other", confidence: 1,
            usage: Usage(calls: 1, cost: Cost(dollars: 0.002)))
    }

    @Test func cascadeSendsOnlyUnsureRequestsToTheFrontier() async throws {
        let frontier = Recording(self.frontier)
        let cascade = Cascade(local: local, fallback: frontier, threshold: 0.8)

        #expect(try await handle("I want a refund", amount: 250, with: cascade) == "human")
        #expect(try await handle("my card is stuck", amount: 0, with: cascade) == "card")
        #expect(frontier.log.inputs == ["my card is stuck"])  // the confident refund never left the process
    }

    /// Documentation/SquireRouting.md, "More than one local tier".
    @Test func moreThanOneLocalTier() async throws {
        let labels = ["refund", "card", "other", "close_account"]
        let staticTier = ScriptedClassifier(labels: labels) { text in
            text.contains("refund")
                ? Classification(label: "refund", confidence: 0.9) : Classification(label: "other", confidence: 0.3)
        }
        let encoderTier = ScriptedClassifier(labels: labels) { text in
            if text.contains("card") { return Classification(label: "card", confidence: 0.8) }
            return Classification(label: "other", confidence: text.contains("hello") ? 0.7 : 0.2)
        }
        let texts = [
            "refund please", "refund now", "my card is stuck", "card declined", "hello", "what is this", "close it",
        ]
        let correctLabels = ["refund", "refund", "card", "card", "other", "other", "close_account"]
        let frontier = Recording(
            ScriptedClassifier(
                labels: labels,
                answers: Dictionary(
                    uniqueKeysWithValues: zip(texts, correctLabels.map { Classification(label: $0, confidence: 1) }))))
        // Each tier's recorded answers on the labelled requests.
        let staticAnswers = try await staticTier.classify(texts)
        let encoderAnswers = try await encoderTier.classify(texts)
        let (staticLabels, staticConfidences) = (staticAnswers.map(\.label), staticAnswers.map(\.confidence))
        let (encoderLabels, encoderConfidences) = (encoderAnswers.map(\.label), encoderAnswers.map(\.confidence))

        let calibration = try TierCalibration(
            tiers: [
                TierCalibration.Tier(labels: staticLabels, confidences: staticConfidences, dollarsPer1000Calls: 0.001),
                TierCalibration.Tier(labels: encoderLabels, confidences: encoderConfidences, dollarsPer1000Calls: 0.01),
            ],
            correctLabels: correctLabels,  // or the frontier's answers
            target: .accuracy(0.95),
            fallbackDollarsPer1000: 2.5)
        let chosen = try #require(calibration.chosen)
        print(
            chosen.thresholds, chosen.tiers.map(\.answeredShare), chosen.escalationRate, chosen.dollarsPer1000Requests)
        let cascade = Cascade(
            local: staticTier,
            fallback: Cascade(local: encoderTier, fallback: frontier, threshold: chosen.thresholds[1]),
            threshold: chosen.thresholds[0])

        // The static tier takes the refunds, the encoder the cards and the greeting, the
        // frontier the two requests neither is sure of — at runtime as in the calibration.
        #expect(chosen.thresholds == [0.9, 0.7])
        #expect(chosen.tiers.map(\.answeredShare) == [2.0 / 7, 3.0 / 7])
        #expect(try await cascade.classify(texts).map(\.label) == correctLabels)
        #expect(frontier.log.inputs == ["what is this", "close it"])
    }

    /// Documentation/SquireRouting.md, "Semantic cache".
    @Test func aSemanticCacheAnswersWhatWasAskedBefore() async throws {
        let encoder = requestEmbedder
        let frontier = Recording(self.frontier)
        let request = "where's my refund"

        let cache = try SemanticCache<Classification>(
            embedder: encoder,  // any TextEmbedder: Squire's SentenceEmbedder, OpenAIEmbedder
            threshold: 0.9986,  // calibrated, below
            capacity: 10_000,  // the least recently used entry makes room
            timeToLive: .seconds(24 * 3600),  // an answer may answer for a day after it was stored
            precision: .int8)  // a quarter of float32's memory
        let cached = try CachedClassifier(frontier, cache: cache, version: "frontier-prompt-3", auditRate: 0.01)
        _ = try await cached.classify("refund please")  // asked before

        let label = try await cached.classify(request).label  // as before
        let answered = try await cached.answer([request])  // with where each answer came from
        print(answered[0].outcome, answered[0].similarity ?? 0)  // exact_hit, semantic_hit or miss
        let statistics = await cache.statistics
        print(statistics.hitRate ?? 0, statistics.auditedFalseHitRate ?? 0)

        // Both requests were answered from the cache — unless the 1% audit drew the first one,
        // which then asked the frontier and stored its answer for the second to find exactly.
        #expect(label == "other")
        #expect(answered[0].outcome != .miss)
        #expect(frontier.log.inputs.first == "refund please")
        #expect(frontier.log.inputs.count == 1 + statistics.audits)
        #expect(statistics.lookups == 3 && statistics.hits == 2)
    }

    /// Documentation/SquireRouting.md, "Calibrating the cache's threshold".
    @Test func calibratingTheCachesThreshold() throws {
        // Two near-duplicates with the same meaning, two with another, one far apart.
        let base: [Float] = [1, 0, 0, 0]
        let pairs = [
            LabelledPair(stored: base, new: [1, 0.01, 0, 0], same: true),
            LabelledPair(stored: base, new: [1, 0.02, 0, 0], same: true),
            LabelledPair(stored: base, new: [1, 0.3, 0, 0], same: false),
            LabelledPair(stored: base, new: [0, 1, 0, 0], same: false),
        ]
        let heldOutPairs = pairs
        let heldOutSimilarities = try heldOutPairs.map {
            try SemanticCachePrecision.int8.similarity(between: $0.new, and: $0.stored)
        }

        let similarities = try pairs.map { try SemanticCachePrecision.int8.similarity(between: $0.new, and: $0.stored) }
        let calibration = try SemanticCacheCalibration(
            similarities: similarities, same: pairs.map(\.same), targetFalseHitRate: 0.01)
        print(calibration.threshold, calibration.chosen.hitRate, calibration.chosen.falseHitRate)

        let heldOut = try SemanticCacheEvaluation(
            similarities: heldOutSimilarities, same: heldOutPairs.map(\.same), threshold: calibration.threshold)

        #expect(calibration.chosen.hitRate == 1 && calibration.chosen.falseHitRate == 0)
        #expect(heldOut == calibration.chosen)
    }

    @Test func aFrontierOutageDegradesInsteadOfFailing() async throws {
        let cascade = Cascade(
            local: local, fallback: Failing(frontier, error: ModelError.timedOut(after: .seconds(20))), threshold: 0.8)
        let routed = try await cascade.route(["my card is stuck"])
        #expect(routed[0].trace.route == .degraded)
        #expect(routed[0].classification.label == "other")
    }
}
