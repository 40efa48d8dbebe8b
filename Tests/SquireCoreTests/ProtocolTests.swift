import SquireCore
import Testing

/// A classifier defined in the test, to check what the protocol extensions promise.
private struct KeywordClassifier: TextClassifier {
    let labels = ["refund", "other"]
    var extraResults = 0

    func classify(_ texts: [String]) async throws -> [Classification] {
        let answers = texts.map { text in
            Classification(label: text.contains("refund") ? "refund" : "other", confidence: 1)
        }
        return answers + Array(repeating: Classification(label: "other", confidence: 1), count: extraResults)
    }
}

private struct FixedScores: Reranker {
    let values: [Double]
    func scores(for query: String, documents: [String]) async throws -> [Double] { values }
}

private struct ConstantEmbedder: TextEmbedder {
    let dimension = 3
    func embed(_ texts: [String]) async throws -> [[Float]] { texts.map { _ in [1, 0, 0] } }
}

@Suite struct ProtocolTests {
    @Test func classifiesOneTextThroughTheBatchCall() async throws {
        #expect(try await KeywordClassifier().classify("I want a refund").label == "refund")
        #expect(try await KeywordClassifier().classify([]).isEmpty)
    }

    @Test func singleTextCallCatchesAMisbehavingModel() async {
        await #expect(throws: ModelError.resultCountMismatch(expected: 1, actual: 2)) {
            try await KeywordClassifier(extraResults: 1).classify("hello")
        }
    }

    @Test func embedsOneText() async throws {
        #expect(try await ConstantEmbedder().embed("x") == [1, 0, 0])
    }

    @Test func ranksMostRelevantFirstKeepingTiesInOrder() async throws {
        let ranking = try await FixedScores(values: [0.1, 0.9, 0.5, 0.9]).ranking(
            for: "q", documents: ["a", "b", "c", "d"])
        #expect(ranking == [1, 3, 2, 0])
        await #expect(throws: ModelError.resultCountMismatch(expected: 2, actual: 4)) {
            try await FixedScores(values: [0.1, 0.9, 0.5, 0.9]).ranking(for: "q", documents: ["a", "b"])
        }
    }

    @Test func errorsSayWhatWentWrong() {
        let error = ModelError.unknownLabel("refnd", known: ["refund", "other"])
        #expect(
            error.description
                == #"the model answered the label "refnd", which is not one of its labels [refund, other]"#)
        let many = ModelError.unknownLabel("x", known: (0..<12).map { "l\($0)" })
        #expect(many.description.contains("(12 in all)"))
    }
}

/// The meter a paid model counts its calls on.
struct UsageMeterTests {
    @Test func spendingIsTheMetersDifferenceWithTheAnsweredLatency() {
        let meter = UsageMeter()
        meter.record(Usage(inputTokens: 5, calls: 1, cost: Cost(dollars: 1)))
        let start = meter.usage
        // Two calls, one answered (with its latency) and one refused.
        meter.record(Usage(inputTokens: 7, outputTokens: 2, calls: 1, cost: Cost(dollars: 2)))
        meter.record(Usage(inputTokens: 3, calls: 1, cost: Cost(dollars: 0.5)))
        let answered = Usage(
            inputTokens: 7, outputTokens: 2, calls: 1, latency: .milliseconds(80), cost: Cost(dollars: 2))
        let spent = meter.spending(since: start, answered: answered)
        #expect(spent.calls == 2)
        #expect(spent.inputTokens == 10)
        #expect(spent.outputTokens == 2)
        #expect(spent.cost.dollars == 2.5)
        #expect(spent.latency == .milliseconds(80))
    }
}
