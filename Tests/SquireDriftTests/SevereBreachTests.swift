import Foundation
import SquireDrift
import Testing

/// The fast burn: a severe breach retrains in the window it appears, a mild one waits out the
/// budget's allowed windows.
@Suite struct SevereBreachTests {
    @Test func aSevereAccuracyDropRetrainsInTheFirstWindow() throws {
        var monitor = try DriftMonitor(profile: Traffic.profile)
        // The model's confidence admits it: estimated accuracy about 0.55 against 0.9 shipped.
        let collapse = Traffic.make(200, seed: 60, accuracy: 0.55, confidence: 0.55, labelled: false)
        let decisions = try monitor.consume(collapse)
        #expect(decisions.map(\.action) == [.retrain])
        let first = try #require(decisions.first)
        guard case .severeAccuracyDrop(let drop, let threshold) = first.findings.first else {
            Issue.record("expected a severe accuracy drop first, got \(first.reasons)")
            return
        }
        #expect(drop > 0.3 && threshold == 0.15)
        #expect(first.labellingQueue.count == 50)

        // Realized on delayed labels just the same.
        var labelled = try DriftMonitor(profile: Traffic.profile)
        let wrong = try labelled.consume(Traffic.make(200, seed: 61, accuracy: 0.5))
        #expect(wrong.map(\.action) == [.retrain])
        #expect(wrong.first?.window.judgedOnLabels == true)
    }

    @Test func aMildBreachWaitsForTheBudget() throws {
        var monitor = try DriftMonitor(profile: Traffic.profile)
        // Longer texts only: beyond band and allowance, nowhere near severe.
        let longer = (0..<4).flatMap { Traffic.make(200, seed: 70 + UInt64($0), length: 80...200, labelled: false) }
        let decisions = try monitor.consume(longer)
        #expect(decisions.map(\.window.alarming) == [true, true, true, true])
        #expect(decisions.map(\.action) == [.hold, .hold, .retrain, .retrain])
        #expect(decisions[2].findings.first == .budgetSpent(alarming: 3, windows: 3, allowed: 2, inARow: 3))
    }

    @Test func everySignalFarBeyondItsAllowanceIsSevere() {
        let policy = DriftPolicy(budget: DriftBudget(), shippedAccuracy: nil)
        func window(_ values: [Double]) -> WindowAssessment {
            WindowAssessment(
                index: 0, count: 500,
                signals: values.enumerated().map { i, value in
                    WindowAssessment.Signal(name: "signal_\(i)", value: value, band: 0.05, allowed: 0.1)
                },
                estimatedAccuracy: 0.9, estimateLower: 0.88, estimateUpper: 0.92, alarming: true)
        }
        let far = window([0.5, 0.31, 0.9])
        #expect(policy.severeBreach(far) == .severeDrift(signals: 3, multiple: 3))
        #expect(policy.decide(far, given: DriftPolicy.History(recent: [far])).action == .retrain)
        // One signal only just beyond its allowance: a mild breach, spent window by window.
        let mild = window([0.5, 0.12, 0.9])
        #expect(policy.severeBreach(mild) == nil)
        #expect(policy.decide(mild, given: DriftPolicy.History(recent: [mild])).action == .hold)
    }

    @Test func theBudgetReadsAndChecksItsSeverityThresholds() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("severity-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("budget.json")
        try Data(#"{"severe_accuracy_drop": 0.25, "severe_drift_multiple": 5}"#.utf8).write(to: url)
        let budget = try DriftBudget(contentsOf: url)
        #expect(budget.severeAccuracyDrop == 0.25 && budget.severeDriftMultiple == 5)
        #expect(DriftBudget().severeAccuracyDrop == 0.15 && DriftBudget().severeDriftMultiple == 3)
        try Data(#"{"severe_drift_multiple": 0.5}"#.utf8).write(to: url)
        #expect { try DriftBudget(contentsOf: url) } throws: { "\($0)".contains("severe_drift_multiple") }
    }
}
