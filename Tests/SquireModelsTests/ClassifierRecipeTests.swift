import Foundation
import SquireModels
import SquireTensor
import Testing

/// The recipe `squire train` runs: cross-validated choice, out-of-fold calibration, refit, and
/// what it does with data it cannot cross-validate.
@Suite struct ClassifierRecipeTests {
    static let small = MLPHead.Configuration(
        hiddenSizes: [16],
        training: TrainingConfiguration(epochs: 3, batchSize: 16, learningRate: 5e-3, seed: 3))

    @Test func choosesByRepeatedFoldsAndCalibratesOutOfFold() throws {
        let (features, labels) = try TrainerTests.blobs(count: 150)
        var lines: [String] = []
        let (head, calibration, report) = try ClassifierRecipe(inverseRegularizations: [1, 0.01]).train(
            features: features, labels: labels
        ) { lines.append($0) }
        let results = report.crossValidation
        // Under 2,000 examples: 5 folds × 3 repeats, each example held out once per repeat.
        #expect(results.foldCount == 5 && results.repeats == 3)
        #expect(results.candidates.map(\.setting) == ["C=0.01", "C=1.0"])
        #expect(results.candidates.allSatisfy { $0.folds.count == 15 && $0.fitSeconds.count == 15 })
        #expect(report.validationCount == 450 && report.validationWasCarved)
        #expect(report.folds?.repeats == 3 && report.folds?.exampleCount == 150)
        #expect(report.validationAccuracy == results.chosen.mean.accuracy)
        #expect(lines.first == "5-fold cross-validation × 3 repeats (stratified, seeds 0, 1, 2)")
        #expect(lines.contains { $0.hasPrefix("C=1.0: validation accuracy ") && $0.contains("(15 folds)") })
        #expect(head is LogisticHead && head.labels == ["alpha", "beta", "gamma"])
        #expect(report.summary.stopReason == "gradient_tolerance")
        // Calibration is fitted on the held-out logits and kept only when it helps them.
        let fit = try #require(report.calibrationFit)
        guard case .temperature = fit.fitted else {
            Issue.record("three labels calibrate by temperature")
            return
        }
        #expect(calibration == (fit.eceCrossFitted < fit.eceBefore ? fit.fitted : .none))
        #expect(report.eceAfter <= report.eceBefore)
    }

    @Test func foldsZeroCarvesOneValidationSet() throws {
        let (features, labels) = try TrainerTests.blobs(count: 150)
        var recipe = ClassifierRecipe(inverseRegularizations: [0.01, 1])
        recipe.folds = 0
        let report = try recipe.train(features: features, labels: labels).report
        #expect(report.validationCount == 15 && report.validationWasCarved && report.folds == nil)
        #expect(report.crossValidation.foldCount == 1 && report.crossValidation.threshold == nil)
        #expect(report.crossValidatedAccuracy == nil)
    }

    @Test func refusesValidationLabelsTheTrainingDataLacks() throws {
        let (features, labels) = try TrainerTests.blobs(count: 30)
        let validation = (try features.rows(0..<2), ["alpha", "omega"])
        #expect(throws: TrainingError.unknownLabel("omega", known: ["alpha", "beta", "gamma"])) {
            try ClassifierRecipe(inverseRegularizations: [1]).train(
                features: features, labels: labels, validation: validation)
        }
    }

    /// A label with one example cannot be both trained on and scored: with something to
    /// choose that is an error saying what to do; with nothing to choose, it trains.
    @Test func aLabelWithOneExampleStopsAChoiceButNotAFixedC() throws {
        let (features, labels) = try TrainerTests.blobs(count: 60)
        let oneOff = labels.enumerated().map { $0.offset == 7 ? "omega" : $0.element }
        #expect(throws: TrainingError.tooFewExamplesToCrossValidate(label: "omega", examples: 1)) {
            try ClassifierRecipe(inverseRegularizations: [1, 10]).train(features: features, labels: oneOff)
        }
        let report = try ClassifierRecipe(inverseRegularizations: [1]).train(features: features, labels: oneOff).report
        #expect(report.crossValidation.thinLabels == ["omega": 1])
        #expect(
            TrainingError.tooFewExamplesToCrossValidate(label: "omega", examples: 1).description.contains(
                "--validation"))
    }

    /// A label with fewer examples than folds is spread over as many folds as it has and
    /// named in the report and the progress.
    @Test func aRareLabelIsSpreadAndNamed() throws {
        let (features, labels) = try TrainerTests.blobs(count: 60)
        let rare = labels.enumerated().map { [3, 11, 29].contains($0.offset) ? "rare" : $0.element }
        var lines: [String] = []
        let report = try ClassifierRecipe(inverseRegularizations: [1, 10]).train(features: features, labels: rare) {
            lines.append($0)
        }.report
        #expect(report.crossValidation.thinLabels == ["rare": 3])
        #expect(lines.first?.hasSuffix("spread over fewer folds: rare (3)") == true)
    }

    @Test func identicalRowsShareAFold() throws {
        let (features, labels) = try TrainerTests.blobs(count: 60)
        // Rows 0–9 again at the end: identical texts embed identically.
        let repeated = try Tensor.concatenating([features, features.rows(0..<10)])
        let report = try ClassifierRecipe(inverseRegularizations: [1]).train(
            features: repeated, labels: labels + labels.prefix(10)
        ).report
        for assignment in try #require(report.folds).assignments {
            for row in 0..<10 { #expect(assignment[row] == assignment[60 + row]) }
        }
    }

    /// Every epoch of every MLP run is a candidate; a setting whose training diverges is
    /// dropped and reported, and when all do, the error says so.
    @Test func mlpDropsDivergingSettingsAndChoosesAnEpoch() throws {
        let (features, labels) = try TrainerTests.blobs(count: 60)
        var recipe = ClassifierRecipe(head: .mlp, weightDecays: [0.01, 1e7], mlp: Self.small)
        recipe.folds = 3
        recipe.repeats = 1
        let (head, _, report) = try recipe.train(features: features, labels: labels)
        let results = report.crossValidation
        let dropped: [String] = results.dropped.map(\.setting).sorted()
        let expectedDropped = [
            "weight_decay=10000000.0, label_smoothing=0.0", "weight_decay=10000000.0, label_smoothing=0.1",
        ]
        #expect(dropped == expectedDropped)
        #expect(results.candidates.count == 2 * 3)
        let first: [String] = results.candidates.prefix(2).map(\.setting)
        let expectedFirst = [
            "weight_decay=0.01, label_smoothing=0.1, epochs=1", "weight_decay=0.01, label_smoothing=0.0, epochs=1",
        ]
        #expect(first == expectedFirst)
        #expect(head is MLPHead)
        let epochs = Int(try #require(report.chosen.split(separator: "=").last))!
        #expect(report.summary.epochs == epochs && report.summary.stopReason == "epoch_limit")

        recipe.weightDecays = [0.01]
        recipe.mlp.training.learningRate = 1e30
        recipe.mlp.training.maximumGradientNorm = nil
        #expect {
            try recipe.train(features: features, labels: labels)
        } throws: { error in
            guard case TrainingError.everyCandidateDiverged(let reasons) = error else { return false }
            return reasons.count == 2 && reasons.allSatisfy { $0.contains("the loss became") }
        }
    }

    /// The MLP's refit trains the chosen epochs of the full schedule, so on the same data it
    /// is the model whose held-out curve was read.
    @Test func mlpRefitReproducesTheScoredRun() throws {
        let (features, labels) = try TrainerTests.blobs(count: 60)
        let validation = (try features.rows(0..<30), Array(labels.prefix(30)))
        var recipe = ClassifierRecipe(head: .mlp, weightDecays: [0.1], labelSmoothings: [0.1], mlp: Self.small)
        recipe.calibrates = false
        let (head, _, report) = try recipe.train(features: features, labels: labels, validation: validation)
        let logits = try head.logits(for: validation.0)
        let score = try FoldScore(
            logits: logits, classIndices: validation.1.map { ["alpha", "beta", "gamma"].firstIndex(of: $0)! })
        #expect(score == report.crossValidation.chosen.folds[0])
    }
}
