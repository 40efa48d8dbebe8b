import Foundation
import SquireCore
import SquireModels
import Testing

/// Keeps the example in Documentation/SquireModels.md compiling and true; edit both together.
@Suite(.enabled(if: ReferenceData.hasModel, "\(ReferenceData.missingModel)"))
struct DocumentationExampleTests {
    @Test func embedsText() async throws {
        let embedder = try SentenceEmbedder(folder: ModelFolder.allMiniLML6V2)
        let vectors = try await embedder.embed(["Where is my card?", "My card has not arrived yet"])
        let cosine = zip(vectors[0], vectors[1]).map { $0 * $1 }.reduce(0, +)  // unit vectors: dot = cosine

        #expect(vectors.count == 2 && vectors[0].count == 384)
        #expect(cosine > 0.5 && cosine < 1)
    }
}

extension DocumentationExampleTests {
    @Test func trainsSavesAndReloadsAClassifier() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("squire-doc-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let bundlePath = folder.path

        let embedder = try SentenceEmbedder(folder: ModelFolder.allMiniLML6V2)
        let texts = ["I lost my card", "my card was stolen", "where is my refund", "I want my money back"]
        let labels = ["card", "card", "refund", "refund"]

        // Choose C on held-out data, refit on everything, calibrate on the held-out data.
        let recipe = ClassifierRecipe(head: .logistic, inverseRegularizations: [1, 10])
        let (head, calibration, report) = try recipe.train(
            features: embedder.embeddings(for: texts), labels: labels,
            validation: (embedder.embeddings(for: ["card gone", "refund please"]), ["card", "refund"]))
        let classifier = try EmbeddingClassifier(embedder: embedder, head: head, calibration: calibration)
        let answer = try await classifier.classify("someone took my card")  // a TextClassifier like any other

        // Ship it: a folder with weights, labels, encoder, MODEL_CARD.md and a SHA-256 manifest.
        let card = ModelCard(
            name: "intents", intendedUse: "Route support requests.", trainingData: "inline",
            labelCounts: ["card": 2, "refund": 2], method: "logistic head, \(report.chosen)")
        try ClassifierBundle(classifier: classifier, card: card, encoderFolder: ModelFolder.allMiniLML6V2).save(
            to: bundlePath)
        let reloaded = try ClassifierBundle(folder: bundlePath).classifier

        #expect(answer.label == "card")
        #expect(try await reloaded.classify("someone took my card") == answer)
    }
}

extension DocumentationExampleTests {
    /// "How Squire chooses hyperparameters" in Documentation/SquireModels.md.
    @Test func choosesByFolds() throws {
        let embedder = try SentenceEmbedder(folder: ModelFolder.allMiniLML6V2)
        let texts = (0..<10).flatMap { index in
            ["I lost card \(index)", "refund number \(index) please", "my address changed, move \(index)"]
        }
        let labels = (0..<10).flatMap { _ in ["card", "refund", "address"] }
        let customers = texts.indices.map { "customer \($0 % 6)" }

        // Choose C by 5-fold cross-validation with the one-standard-error rule (the defaults),
        // repeated texts kept in one fold; then refit on everything and calibrate out of fold.
        let (head, calibration, report) = try ClassifierRecipe(head: .logistic).train(
            features: embedder.embeddings(for: texts), labels: labels, groups: texts)
        print(
            report.crossValidation.chosen.setting, report.crossValidatedAccuracy!, report.crossValidatedStandardError!)

        // Your own folds: each customer's texts in one fold, so none is scored by a model that saw them.
        let folds = try CrossValidationFolds.stratified(labels: labels, folds: 3, seed: 0, groups: customers)
        let byCustomer = try ClassifierRecipe(head: .logistic, rule: .best).train(
            features: embedder.embeddings(for: texts), labels: labels, folds: folds)

        #expect(head.labels == ["address", "card", "refund"] && calibration == report.calibration)
        #expect(report.crossValidation.foldCount == 5 && report.crossValidation.repeats == 3)
        #expect(byCustomer.report.folds == folds && byCustomer.report.crossValidation.foldCount == 3)
        for assignment in folds.assignments {
            #expect(Set(customers.indices.map { "\(customers[$0]):\(assignment[$0])" }).count == 6)
        }
    }
}

extension DocumentationExampleTests {
    @Test func distilsAndLoadsAStaticModel() async throws {
        let staticFolder = FileManager.default.temporaryDirectory.appendingPathComponent("squire-static-\(UUID())")
            .path
        defer { try? FileManager.default.removeItem(atPath: staticFolder) }

        let encoder = try SentenceEmbedder(folder: ModelFolder.allMiniLML6V2)
        let fast = try StaticDistillation(dimensions: 256).distill(from: encoder)  // about 15 s on 2 cores
        try fast.save(to: staticFolder)
        let loaded = try StaticEmbedder(folder: staticFolder)
        let vectors = try await loaded.embed(["where is my card?", "☃"])  // the second: zeros, no known token

        #expect(vectors.map(\.count) == [256, 256])
        #expect(abs(vectors[0].map { $0 * $0 }.reduce(0, +) - 1) < 1e-5)
        #expect(vectors[1].allSatisfy { $0 == 0 })
    }
}
