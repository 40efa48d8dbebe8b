import Foundation
import SquireDrift
import Testing

// Keeps the example in Documentation/SquireDrift.md compiling and true; edit both together.

@Suite struct DocumentationExampleTests {
    @Test func watchDrift() throws {
        // The model's answers on validation data, with true labels.
        let validationPredictions = Traffic.make(2000, seed: 11)
        let productionStream = Traffic.make(1000, seed: 12)  // what production logs

        // At ship time: profile the model's own outputs on its validation data.
        let profile = try ReferenceProfile(
            observations: validationPredictions, labels: ["billing", "card", "refund"], modelVersion: "v1",
            windowSize: 200)

        // In production: feed predictions as they come; a decision arrives with each closed window.
        var monitor = try DriftMonitor(profile: profile, budget: DriftBudget(maximumAccuracyDrop: 0.05))
        let stateFile = FileManager.default.temporaryDirectory.appendingPathComponent("drift-state-\(UUID()).json")
        defer { try? FileManager.default.removeItem(at: stateFile) }
        var actions: [DriftDecision.Action] = []
        for prediction in productionStream {
            if let decision = try monitor.observe(prediction) {
                actions.append(decision.action)
                if decision.action == .retrain {
                    print("label these first:", decision.labellingQueue.compactMap(\.id))
                }
                try monitor.save(to: stateFile)  // a restart resumes from here
            }
        }
        #expect(actions == [.hold, .hold, .hold, .hold, .hold])
        let resumed = try DriftMonitor(
            profile: profile, budget: DriftBudget(maximumAccuracyDrop: 0.05), resumingFrom: stateFile)
        #expect(resumed.state.consumed == 1000)
    }
}
