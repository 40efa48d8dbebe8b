import Foundation
import Squire
import Testing

// Keeps the example in Documentation/AMicrosecondFirstTier.md ("Serve the three tiers")
// compiling; edit both together.

enum MicrosecondTierGuide {
    static func threeTierRouter(
        staticRouter: String, encoderRouter: String, frontier: some TextClassifier, calibration: TierCalibration
    ) throws -> some TextClassifier {
        guard let chosen = calibration.chosen else { throw ModelError.unavailable("no thresholds reach the target") }
        let staticTier = try ModelBundle(folder: staticRouter)  // microseconds a request
        let encoderTier = try ModelBundle(folder: encoderRouter)  // milliseconds
        return Cascade(
            local: staticTier,
            fallback: Cascade(
                local: encoderTier, fallback: frontier, threshold: chosen.thresholds[1],
                fallbackBudget: CallBudget(maximumCalls: 10_000, per: .seconds(3600))),
            threshold: chosen.thresholds[0])
    }
}

/// The guide's steps in Swift on the fixtures: two bundles (static and encoder), their answers
/// calibrated into three tiers, and the router answering each text as its tier should.
@Suite(.enabled(if: Fixtures.hasModel, "needs all-MiniLM-L6-v2: run Scripts/setup/fetch-model.sh"))
struct MicrosecondTierGuideTests {
    @Test func theThreeTiersAnswerAsCalibrated() async throws {
        let folder = try Fixtures.scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = try Fixtures.dataset()
        let staticRouter = folder.appendingPathComponent("static-router").path
        let encoderRouter = folder.appendingPathComponent("encoder-router").path
        let recipe = ClassifierRecipe(head: .logistic, inverseRegularizations: [1])
        _ = try ClassifierTraining.frozenHead(
            recipe, on: data, options: TrainingOptions(base: try Fixtures.staticModel(), bundleFolder: staticRouter))
        _ = try ClassifierTraining.frozenHead(recipe, on: data, options: TrainingOptions(bundleFolder: encoderRouter))

        // Requests to calibrate on, none of them trained on: the static head is unsure of some.
        let requests = [
            ("my card has been stolen", "card"), ("money back please", "refund"), ("I have a new address", "address"),
            ("my bank card has vanished", "card"), ("the ATM ate it", "card"), ("I need the money returned", "refund"),
            ("when will the reimbursement arrive", "refund"), ("I relocated last month", "address"),
            ("please update where I live", "address"), ("stolen wallet", "card"), ("charge it back", "refund"),
            ("new street and postcode", "address"), ("I am owed for the order I sent back", "refund"),
            ("moving to another city", "address"), ("lost it on the bus", "card"),
        ]
        let texts = requests.map(\.0)
        let correct = requests.map(\.1)
        let fast = try await ModelBundle(folder: staticRouter).classify(texts)
        let slow = try await ModelBundle(folder: encoderRouter).classify(texts)
        let calibration = try TierCalibration(
            tiers: [
                TierCalibration.Tier(labels: fast.map(\.label), confidences: fast.map(\.confidence)),
                TierCalibration.Tier(labels: slow.map(\.label), confidences: slow.map(\.confidence)),
            ], correctLabels: correct, target: .accuracy(1), fallbackDollarsPer1000: 2.5)
        let chosen = try #require(calibration.chosen)
        #expect(chosen.accuracy == 1)
        // Each local tier takes a share, so each branch of the router is exercised.
        #expect(chosen.tiers[0].answeredShare > 0 && chosen.tiers[1].answeredShare > 0, "\(chosen)")

        let frontier = ScriptedClassifier(labels: ["address", "card", "refund"]) { text in
            Classification(label: correct[texts.firstIndex(of: text)!], confidence: 1)
        }
        let router = try MicrosecondTierGuide.threeTierRouter(
            staticRouter: staticRouter, encoderRouter: encoderRouter, frontier: frontier, calibration: calibration)
        let answers = try await router.classify(texts)
        for index in texts.indices {
            let expected =
                fast[index].confidence >= chosen.thresholds[0]
                ? fast[index].label
                : slow[index].confidence >= chosen.thresholds[1] ? slow[index].label : correct[index]
            #expect(answers[index].label == expected, "\(texts[index])")
        }
        #expect(zip(answers, correct).allSatisfy { $0.label == $1 })
    }
}
