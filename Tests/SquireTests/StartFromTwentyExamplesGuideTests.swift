import Foundation
import Squire
import Testing

// Keeps the example in Documentation/StartFromTwentyExamples.md ("In Swift") compiling; edit
// both together.

enum StartFromTwentyExamplesGuide {
    static func train(routes: String, router: String, descriptions: [String: String]) throws -> TrainedClassifier {
        let data = try Dataset(contentsOf: URL(fileURLWithPath: routes))
        let trained = try ClassifierTraining.automatic(on: data, options: TrainingOptions(bundleFolder: router))
        if let choice = trained.report.choice {
            print(choice.reason)
            for alternative in choice.alternatives { print(alternative.recipe, alternative.accuracy) }
            if let advice = choice.advice { print(advice) }  // e.g. run `squire synthesize`
        }
        // Or name the recipe, with a line about each label instead of its name:
        var recipe = FewShotRecipe(labelDescriptions: descriptions)
        recipe.tuning?.training.epochs = 2
        recipe.tuning?.minimumSteps = 0  // exactly 2 epochs, however few the texts
        return try ClassifierTraining.fewShot(
            recipe, on: data, options: TrainingOptions(bundleFolder: router + "-few-shot"))
    }
}

/// The guide's steps on the fixtures: the default recipe's bundle and the named few-shot one.
@Suite(.enabled(if: Fixtures.hasModel, "needs all-MiniLM-L6-v2: run Scripts/setup/fetch-model.sh"))
struct StartFromTwentyExamplesGuideTests {
    @Test func bothRoutersAnswerTheProbes() async throws {
        let folder = try Fixtures.scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let routes = folder.appendingPathComponent("routes.jsonl")
        try Fixtures.dataset().write(to: routes)
        let router = folder.appendingPathComponent("router").path
        let named = try StartFromTwentyExamplesGuide.train(
            routes: routes.path, router: router, descriptions: ["card": "a lost or stolen bank card"])
        #expect(named.report.recipe == "few-shot")
        #expect(named.card.method.contains("3 label names"))
        for bundle in [router, router + "-few-shot"] {
            let answers = try await ModelBundle(folder: bundle).classify(Fixtures.probes)
            #expect(answers.map(\.label) == ["card", "refund", "address"], "\(bundle)")
        }
    }
}
