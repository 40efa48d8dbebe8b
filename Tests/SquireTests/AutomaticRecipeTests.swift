import Foundation
import Squire
import Testing

/// The default recipe that picks itself, and the few-shot recipe it chooses among.
@Suite(.enabled(if: Fixtures.hasModel, "needs all-MiniLM-L6-v2: run Scripts/setup/fetch-model.sh"))
struct AutomaticRecipeTests {
    static let shortTuning: ContrastiveTuning.Recipe = {
        var recipe = ContrastiveTuning.Recipe()
        recipe.training.epochs = 1
        return recipe
    }()

    /// Eight examples a label: the three few-shot candidates compared on halves, the winner
    /// trained on everything, and the choice in the report and the card.
    @Test func fewExamplesCompareThreeRecipesOnHalves() async throws {
        let folder = try Fixtures.scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let bundleFolder = folder.appendingPathComponent("bundle").path
        let trained = try ClassifierTraining.automatic(
            on: try Fixtures.dataset(), options: TrainingOptions(bundleFolder: bundleFolder))
        let choice = try #require(trained.report.choice)
        #expect(choice.regime == .few)
        #expect(choice.alternatives.map(\.recipe) == ["logistic", "logistic+names", "few-shot"])
        #expect(choice.alternatives.allSatisfy { (0...1).contains($0.accuracy) && $0.seconds > 0 })
        #expect(trained.report.recipe == choice.chosen)
        #expect(choice.reason.contains("chose \(choice.chosen)"))
        #expect(choice.advice == nil)
        #expect(trained.card.method.contains("Recipe chosen automatically"))
        // 24 held-out predictions, one per example.
        #expect(trained.report.validationCount == 24 || choice.chosen != "few-shot")

        let bundle = try ModelBundle(folder: bundleFolder)
        let opened = try await bundle.classify(Fixtures.probes)
        let original = try await trained.classify(Fixtures.probes)
        #expect(opened.map(\.label) == original.map(\.label))
        #expect(opened.map(\.label) == ["card", "refund", "address"])
        for (a, b) in zip(opened, original) { #expect(abs(a.confidence - b.confidence) < 1e-5) }
    }

    /// More examples a label, one label rare: heads on the frozen base compared on the same
    /// folds by macro-F1, a balanced head among them.
    @Test func manyImbalancedExamplesCompareHeadsByMacroF1() throws {
        var examples: [LabeledExample] = []
        let endings = ["", " please", " now", " today", " asap"]
        for (index, (text, label)) in Fixtures.rows.enumerated() where label != "address" || index % 8 < 4 {
            for ending in endings where label != "address" || ending.isEmpty {
                examples.append(LabeledExample(id: "\(examples.count)", text: text + ending, label: label))
            }
        }
        let data = try Dataset(name: "imbalanced", examples: examples)
        #expect(data.labelCounts == ["card": 40, "refund": 40, "address": 4])
        let trained = try ClassifierTraining.automatic(
            on: data, options: TrainingOptions(base: try Fixtures.staticModel(), folds: 2))
        let choice = try #require(trained.report.choice)
        #expect(choice.regime == .many)
        #expect(choice.alternatives.map(\.recipe) == ["logistic", "mlp", "logistic (balanced)"])
        #expect(choice.reason.contains("macro-F1"))
        #expect(["logistic", "mlp", "logistic (balanced)"].contains(trained.report.recipe ?? ""))
    }

    /// One label, or a label with one example: a typed error, or C = 10 and advice.
    @Test func thinDataIsRefusedOrAdvised() throws {
        let single = try Dataset(
            name: "one", examples: [LabeledExample(id: "a", text: "my card", label: "card")])
        #expect(throws: TrainingError.singleClass("card")) { try ClassifierTraining.automatic(on: single) }
        var examples = try Fixtures.dataset().examples
        examples.append(LabeledExample(id: "pin", text: "I forgot my PIN", label: "pin"))
        let trained = try ClassifierTraining.automatic(
            on: try Dataset(name: "thin", examples: examples),
            options: TrainingOptions(base: try Fixtures.staticModel()))
        let advice = try #require(trained.report.choice?.advice)
        #expect(advice.contains("pin") && advice.contains("squire synthesize"))
        #expect(trained.report.summary == "C=10.0")
    }

    /// Two examples a label: each half holds one, which the label's name joins as a pair, so
    /// the few-shot recipe is still compared; the heads use C = 10. Without names and with one
    /// example a label, nothing can be paired: a typed error.
    @Test func oneExampleALabelPairsWithItsName() throws {
        let examples = try Fixtures.dataset().examples.filter { Int($0.id.dropFirst())! % 8 < 2 }
        let data = try Dataset(name: "pairs", examples: examples)
        #expect(data.labelCounts == ["card": 2, "refund": 2, "address": 2])
        let trained = try ClassifierTraining.automatic(on: data)
        let choice = try #require(trained.report.choice)
        #expect(choice.alternatives.map(\.recipe) == ["logistic", "logistic+names", "few-shot"])
        #expect(trained.report.summary == "C=10.0")
        let single = try Dataset(name: "single", examples: examples.filter { Int($0.id.dropFirst())! % 8 == 0 })
        #expect(throws: TrainingError.noContrastivePairs) {
            try ClassifierTraining.fewShot(FewShotRecipe(usesLabelNames: false), on: single)
        }
    }

    /// The few-shot recipe writes its tuned encoder into the bundle, which reopens answering
    /// as trained; a static base has no body to tune.
    @Test func fewShotBundlesTheTunedEncoder() async throws {
        let folder = try Fixtures.scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let bundleFolder = folder.appendingPathComponent("bundle").path
        let trained = try ClassifierTraining.fewShot(
            FewShotRecipe(tuning: Self.shortTuning), on: try Fixtures.dataset(),
            options: TrainingOptions(bundleFolder: bundleFolder))
        #expect(trained.report.recipe == "few-shot")
        #expect(trained.report.calibration == .none)
        let base = try Data(contentsOf: URL(fileURLWithPath: ModelFolder.allMiniLML6V2 + "/model.safetensors"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: bundleFolder + "/encoder/model.safetensors")) != base)
        let opened = try await ModelBundle(folder: bundleFolder).classify(Fixtures.probes)
        let original = try await trained.classify(Fixtures.probes)
        #expect(opened.map(\.label) == original.map(\.label))
        for (a, b) in zip(opened, original) { #expect(abs(a.confidence - b.confidence) < 1e-5) }
        #expect(throws: TrainingError.self) {
            try ClassifierTraining.fewShot(
                on: try Fixtures.dataset(), options: TrainingOptions(base: try Fixtures.staticModel()))
        }
    }

    /// Descriptions given in the options stand in for the labels' names.
    @Test func labelDescriptionsReplaceTheNames() throws {
        let recipe = FewShotRecipe(tuning: nil)
        let plain = try ClassifierTraining.fewShot(recipe, on: try Fixtures.dataset())
        let described = try ClassifierTraining.fewShot(
            recipe, on: try Fixtures.dataset(),
            options: TrainingOptions(labelDescriptions: ["card": "my bank card is lost or stolen"]))
        let same = try ClassifierTraining.fewShot(recipe, on: try Fixtures.dataset())
        #expect(plain.version == same.version)
        #expect(plain.version != described.version)
    }

    @Test func labelsReadAsWords() {
        #expect(FewShotRecipe.readableName(of: "card_arrival") == "card arrival")
        #expect(FewShotRecipe.readableName(of: "AddToPlaylist") == "add to playlist")
        #expect(FewShotRecipe.readableName(of: "get-weather.v2") == "get weather v2")
        #expect(FewShotRecipe(labelDescriptions: ["pin": "a forgotten PIN"]).name(of: "pin") == "a forgotten PIN")
    }
}
