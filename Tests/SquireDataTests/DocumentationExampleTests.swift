import Foundation
import SquireCore
import SquireData
import SquireEval
import SquireTesting
import Testing

// Keeps the example in Documentation/SquireData.md compiling and true; edit both together.

@Suite struct DataDocumentationExampleTests {
    @Test func labelGenerateVerifyAndDescribe() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("squire-data-doc-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }

        // 1. Label traffic with the teacher (a frontier client in production).
        let teacher = ScriptedClassifier(labels: ["card_lost", "refund"]) { text in
            Classification(label: text.contains("card") ? "card_lost" : "refund", confidence: 0.9)
        }
        let traffic = [
            UnlabeledText(id: "1", text: "I lost my card"), UnlabeledText(id: "2", text: "where is my refund"),
        ]
        let labelled = try await TeacherLabeling(teacher: teacher)
            .label(traffic, journal: folder.appendingPathComponent("labelled.jsonl.journal"))
        // Run again after a crash: the journal means nothing is asked twice.

        // 2. Ask a generator (OpenAIGenerator or AnthropicGenerator in production) for more.
        let writer = ScriptedGenerator { prompt, call in
            GeneratedText(
                text: prompt.text.contains("\"refund\"")
                    ? "money back for order \(call)\nI lost my card\nmy card is gone"
                    : "card stolen on the bus\ncard taken \(call)")
        }
        let briefs = [
            LabelBrief(label: "refund", description: "wants money back", seeds: ["where is my refund"]),
            LabelBrief(label: "card_lost", seeds: ["I lost my card"]),
        ]
        let synthetic = try await SyntheticGeneration(generator: writer, examplesPerRequest: 2, seed: 42)
            .generate(briefs, count: 3, avoiding: labelled.labels.map(\.text))

        // 3. Verify before training: a second teacher catches the mislabelled line.
        let candidates = try Dataset(name: "synthetic", examples: synthetic.examples)
        let test = try Dataset(
            name: "test", examples: [LabeledExample(id: "t1", text: "Card stolen on the bus!", label: "card_lost")])
        let verified = try await Verification(
            steps: VerificationStep.standard(evaluation: test, verifier: teacher, embeddings: false)
        ).run(on: candidates)

        // 4. Write the data with its datasheet; the review file holds the doubtful labels.
        let output = folder.appendingPathComponent("synthetic.jsonl")
        try verified.dataset.write(to: output)
        try Datasheet(
            title: "synthetic", source: "written by the generator from 2 seeds", method: ["squire synthesize"],
            verified: verified
        )
        .write(beside: output)

        #expect(labelled.labels.map(\.label) == ["card_lost", "refund"])
        #expect(synthetic.duplicatesDropped > 0)  // "I lost my card" repeats a labelled text
        #expect(verified.filters.first { $0.name.hasPrefix("leakage") }?.removed == 1)  // "card stolen on the bus"
        #expect(verified.review.map(\.example.text) == ["my card is gone"])  // written as a refund
        #expect(verified.review.first?.suggestedLabel == "card_lost")
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("synthetic.DATASHEET.md").path))
    }
}
