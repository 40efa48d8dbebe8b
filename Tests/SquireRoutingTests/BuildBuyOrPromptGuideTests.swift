import Foundation
import SquireCore
import SquireEval
import SquireRouting
import SquireTesting
import Testing

// Keeps the example in Documentation/ChoosingBuildBuyOrPrompt.md compiling and true; edit
// both together. Scripted models stand in for the three candidates, so the figures are exact.

@Suite struct BuildBuyOrPromptGuideTests {
    /// 20 requests; the local model is sure and right on 16 of them, unsure and wrong on 4.
    static let examples: [(text: String, label: String, localIsSure: Bool)] = (0..<20).map { i in
        let label = ["refund", "card", "other", "card"][i % 4]
        return ("request \(i) about \(label)", label, i % 5 != 4)
    }

    @Test func decidesOnMeasuredQualityAndCost() async throws {
        let truth = Dictionary(uniqueKeysWithValues: Self.examples.map { ($0.text, $0.label) })
        let sure = Dictionary(uniqueKeysWithValues: Self.examples.map { ($0.text, $0.localIsSure) })
        let labels = ["refund", "card", "other"]
        // The frontier call you have today: right every time, $2.50 per 1,000 calls.
        let frontier = ScriptedClassifier(labels: labels) { text in
            Classification(label: truth[text]!, confidence: 1, usage: Usage(calls: 1, cost: Cost(dollars: 0.0025)))
        }
        // Your own model: free per call; when unsure, it is wrong.
        let local = ScriptedClassifier(labels: labels) { text in
            sure[text]!
                ? Classification(label: truth[text]!, confidence: 0.95)
                : Classification(label: "other", confidence: 0.5)
        }
        // A hosted classifier sold at a price per 1,000 requests: wrong on one request in 20.
        let vendor = ScriptedClassifier(labels: labels) { text in
            Classification(label: text == "request 0 about refund" ? "card" : truth[text]!, confidence: 1)
        }
        let test = try Dataset(
            name: "test",
            examples: Self.examples.enumerated().map { i, example in
                LabeledExample(id: "\(i)", text: example.text, label: example.label)
            })

        // Every candidate on the same labelled test set.
        let prompt = try await EvalReport.evaluate(frontier, named: "prompt", on: test)
        let buy = try await EvalReport.evaluate(vendor, named: "buy", on: test)
        let build = try await EvalReport.evaluate(local, named: "build", on: test)
        let cascade = try await EvalReport.evaluate(
            Cascade(local: local, fallback: frontier, threshold: 0.8), named: "build + cascade", on: test)

        let matrix = DecisionMatrix(
            candidates: [
                .init(name: "prompt", report: prompt),
                .init(name: "buy", report: buy, dollarsPer1000Requests: 1.00),
                .init(name: "build", report: build, fixedMonthlyDollars: 150),
                .init(name: "build + cascade", report: cascade, fixedMonthlyDollars: 150),
            ],
            monthlyVolume: 2_000_000, metric: .accuracy, minimumQuality: 0.95)
        print(matrix.markdown)

        #expect(matrix.recommendation == "build + cascade")
        #expect(matrix.rows.map(\.eligible) == [true, true, false, true])
        // 4 of 20 requests escalate at $2.50 per 1,000: $0.50 per 1,000 requests.
        #expect(abs(matrix.rows[3].dollarsPer1000Requests - 0.5) < 1e-9)
        #expect(abs(matrix.rows[3].monthlyDollars - 1_150) < 1e-6)
        // Below these volumes a month, prompting (75,000) or buying (300,000) costs less.
        #expect(abs(matrix.rows[0].breakEvenVolume! - 75_000) < 1e-6)
        #expect(abs(matrix.rows[1].breakEvenVolume! - 300_000) < 1e-6)
        let small = DecisionMatrix(
            candidates: [
                .init(name: "prompt", report: prompt),
                .init(name: "build + cascade", report: cascade, fixedMonthlyDollars: 150),
            ],
            monthlyVolume: 50_000, metric: .accuracy, minimumQuality: 0.95)
        #expect(small.recommendation == "prompt")
    }
}
