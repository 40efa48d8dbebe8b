import Foundation
import SquireCore
import SquireEval
import SquireModels
import SquireQuantization
import Testing

// Keeps the example in Documentation/ShippingAQuantizedModel.md compiling and true; edit both
// together. A logistic head trained here on a few requests stands in for `squire train`'s bundle.

@Suite(
    .enabled(
        if: RealModel.embedder != nil,
        "needs all-MiniLM-L6-v2: run Scripts/setup/fetch-model.sh (or set SQUIRE_MODEL_DIR)"))
struct ShippingGuideTests {
    static let training: [(String, String)] = [
        ("I was charged twice this month", "billing"), ("update the credit card on file", "billing"),
        ("why is my invoice higher than usual", "billing"), ("cancel my subscription and refund me", "billing"),
        ("can I pay yearly instead of monthly", "billing"), ("the receipt shows the wrong company name", "billing"),
        ("the app crashes when I open settings", "bug_report"), ("export to CSV gives an empty file", "bug_report"),
        ("the save button does nothing", "bug_report"), ("I get a 500 error on the dashboard", "bug_report"),
        ("search results never load on mobile", "bug_report"), ("dark mode makes the text invisible", "bug_report"),
        ("how do I change my email address", "account"), ("I forgot my password", "account"),
        ("add a teammate to my workspace", "account"), ("delete my account and all my data", "account"),
        ("turn on two-factor authentication", "account"), ("I cannot log in with Google anymore", "account"),
    ]
    static let testing: [(String, String)] = [
        ("you billed my card two times", "billing"), ("where can I download last month's invoice", "billing"),
        ("I want a refund for the annual plan", "billing"), ("the page freezes when I upload a photo", "bug_report"),
        ("the chart shows no data since the update", "bug_report"), ("clicking sync throws an error", "bug_report"),
        ("how do I reset my password", "account"), ("change the name on my profile", "account"),
        ("remove a user from our team", "account"),
    ]

    @Test func quantizesEvaluatesGatesAndShips() async throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent(
            "squire-shipping-doc-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let floatBundlePath = scratch.appendingPathComponent("intent-bundle").path
        let int8BundlePath = scratch.appendingPathComponent("intent-int8").path
        let embedder = try #require(RealModel.embedder)
        let (head, calibration, _) = try ClassifierRecipe(head: .logistic, inverseRegularizations: [10])
            .train(features: embedder.embeddings(for: Self.training.map(\.0)), labels: Self.training.map(\.1))
        let card = ModelCard(
            name: "intents", intendedUse: "Route support requests.", trainingData: "inline",
            labelCounts: [:], method: "logistic head")
        try ClassifierBundle(
            classifier: EmbeddingClassifier(embedder: embedder, head: head, calibration: calibration), card: card,
            encoderFolder: ModelFolder.allMiniLML6V2
        ).save(to: floatBundlePath)
        let test = try Dataset(
            name: "test",
            examples: Self.testing.enumerated().map { i, example in
                LabeledExample(id: "\(i)", text: example.0, label: example.1)
            })

        // 1. Quantize the bundle you ship today; the float bundle stays as it is.
        let float = try ClassifierBundle(folder: floatBundlePath)
        let int8 = try QuantizedBundle(quantizing: float, to: .int8)

        // 2. Evaluate both on the same test set: the float model is the baseline.
        let before = try await EvalReport.evaluate(float.classifier, named: "float", on: test)
        let after = try await EvalReport.evaluate(int8.classifier, named: "int8", on: test)
        let agreement = zip(before.predictions, after.predictions).filter { $0.predicted == $1.predicted }.count

        // 3. Ship int8 only if it is not worse than float by more than the margin you accept,
        //    judged on the paired answers (bootstrap interval and McNemar's test).
        let gate = Gate(
            name: "int8 against float", nonInferiority: .init(metric: .accuracy, margin: 0.005), maximumFailureRate: 0)
        let verdict = gate.evaluate(after, baseline: before)
        if verdict.shipped {
            try int8.save(to: int8BundlePath)  // atomically; the bundle's manifest holds SHA-256 sums
        } else {
            print(verdict)  // every rule, with the figures behind it
        }

        // 4. In the app, open the shipped bundle: a TextClassifier like the float one.
        let shipped = try QuantizedBundle(folder: int8BundlePath).classifier
        let answer = try await shipped.classify("I was charged twice")

        #expect(before.metrics.accuracy == 1)
        #expect(agreement == test.examples.count)
        #expect(verdict.shipped, "\(verdict)")
        #expect(answer.label == "billing")
    }
}
