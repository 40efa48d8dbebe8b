import Foundation
import SquireDrift
import Testing

/// The hold / retrain / rollback rule on windows built by hand: no monitor, no stream.
@Suite struct DriftPolicyTests {
    let budget = DriftBudget(
        maximumAccuracyDrop: 0.05, allowedDriftingWindows: 2, horizon: 6, confirmationWindows: 2, suddenDrop: 0.1)

    /// A judged window; without a shipped figure the policy adds no accuracy reason.
    func window(
        _ alarming: Bool = false, version: String? = "v1", accuracy: Double = 0.9, drop: Double? = nil,
        previousVersion: Double? = nil, signals: [WindowAssessment.Signal] = []
    ) -> WindowAssessment {
        WindowAssessment(
            index: 0, count: 200, modelVersion: version, signals: signals, estimatedAccuracy: accuracy,
            estimateLower: accuracy - 0.04, estimateUpper: accuracy + 0.04, accuracyDrop: drop,
            previousVersionAccuracy: previousVersion, alarming: alarming)
    }

    var policy: DriftPolicy { DriftPolicy(budget: budget, shippedAccuracy: nil) }

    /// Decides the last of `recent`.
    func decide(
        _ recent: [WindowAssessment], standing: DriftDecision.Action = .hold, sinceChange: Int? = nil,
        previousAccuracy: Double? = nil, policy: DriftPolicy? = nil
    ) throws -> DriftPolicy.Outcome {
        let window = try #require(recent.last)
        return (policy ?? self.policy).decide(
            window,
            given: DriftPolicy.History(
                recent: recent, standing: standing, windowsSinceVersionChange: sinceChange,
                previousAccuracy: previousAccuracy))
    }

    @Test func holdsWithinTheBudget() throws {
        let outcome = try decide([window(), window(true), window()])
        #expect(outcome.action == .hold)
        #expect(outcome.budgetSpent == 1)
        #expect(outcome.reasons == [.withinBudget(alarming: 1, windows: 3, allowed: 2)])
    }

    @Test func retrainsWhenTheBudgetIsSpentAndConfirmed() throws {
        let outcome = try decide([window(true), window(), window(true), window(true)])
        #expect(outcome.action == .retrain)
        #expect(outcome.budgetSpent == 3)
        #expect(outcome.reasons == [.budgetSpent(alarming: 3, windows: 4, allowed: 2, inARow: 2)])
    }

    @Test func aSpentBudgetWithoutConsecutiveAlarmsStillHolds() throws {
        let outcome = try decide([window(true), window(true), window(true), window()])
        #expect(outcome.action == .hold)
        #expect(outcome.reasons == [.withinBudget(alarming: 3, windows: 4, allowed: 2)])
    }

    @Test func aRetrainStandsUntilEnoughCleanWindows() throws {
        let stands = try decide([window(true), window(true), window(true), window()], standing: .retrain)
        #expect(stands.action == .retrain)
        #expect(stands.reasons == [.retrainStands(clean: 1, needed: 2)])
        let recovered = try decide([window(true), window(true), window(), window()], standing: .retrain)
        #expect(recovered.action == .hold)
        #expect(recovered.reasons == [.recovered(clean: 2)])
    }

    @Test func rollsBackASuddenDropWhenThePreviousVersionDoesBetter() throws {
        let broken = window(version: "v2", accuracy: 0.6, drop: 0.3, previousVersion: 0.88)
        // A version change starts from hold, whatever stood before.
        let outcome = try decide([broken], standing: .retrain, sinceChange: 0, previousAccuracy: 0.85)
        #expect(outcome.action == .rollback)
        #expect(
            outcome.reasons == [.suddenDrop(drop: 0.3, version: "v2", previousVersionAccuracy: 0.88, accuracy: 0.6)])
        // Still within the confirmation windows, the drop since the previous window counts too.
        let later = window(version: "v2", accuracy: 0.7, previousVersion: 0.85)
        let next = try decide([window(version: "v2"), later], sinceChange: 1, previousAccuracy: 0.9)
        #expect(next.action == .rollback)
        #expect(
            next.reasons.first
                == .suddenDrop(drop: 0.9 - 0.7, version: "v2", previousVersionAccuracy: 0.85, accuracy: 0.7))
    }

    @Test func noRollbackWithoutEvidenceFromThePreviousVersion() throws {
        // No shadow answers: the drop is reported, the rollback not confirmed.
        let blind = try decide([window(version: "v2", accuracy: 0.6, drop: 0.3)], sinceChange: 0)
        #expect(blind.action == .hold)
        #expect(
            blind.reasons == [.withinBudget(alarming: 0, windows: 1, allowed: 2), .suddenDropUnconfirmed(drop: 0.3)])
        // The previous version does no better: hold.
        let worse = try decide([window(version: "v2", accuracy: 0.6, drop: 0.3, previousVersion: 0.5)], sinceChange: 0)
        #expect(worse.action == .hold)
        #expect(worse.reasons == [.withinBudget(alarming: 0, windows: 1, allowed: 2)])
        // Long after the change (or with no change seen), a drop is drift, not a bad deploy.
        let settled = window(version: "v2", accuracy: 0.6, drop: 0.3, previousVersion: 0.88)
        #expect(try decide([settled], sinceChange: 2).action == .hold)
        #expect(try decide([settled]).action == .hold)
    }

    @Test func aStandingRollbackWaitsForThePreviousVersion() throws {
        let outcome = try decide([window(version: "v2")], standing: .rollback, sinceChange: 3)
        #expect(outcome.action == .rollback)
        #expect(outcome.reasons == [.awaitingRollback(version: "v2")])
        // Drift while waiting still spends the budget.
        let drifting = try decide(
            [window(true, version: "v2"), window(true, version: "v2"), window(true, version: "v2")],
            standing: .rollback, sinceChange: 5)
        #expect(drifting.action == .retrain)
    }

    @Test func signalsAndAccuracyFollowTheDecisionsOwnReason() throws {
        let signals = [
            WindowAssessment.Signal(name: "predicted_labels", value: 0.05, band: 0.08, allowed: 0.1),
            WindowAssessment.Signal(name: "text_length", value: 0.5, band: 0.1, allowed: 0.1),
            WindowAssessment.Signal(name: "estimated_accuracy", value: 0.1, band: 0.03, allowed: nil),
        ]
        #expect(signals.map(\.exceeded) == [false, true, true])
        let policy = DriftPolicy(budget: budget, shippedAccuracy: 0.9)
        let drifted = window(true, accuracy: 0.8, drop: 0.1, signals: signals)
        let outcome = try decide([drifted], policy: policy)
        #expect(
            outcome.reasons == [
                .withinBudget(alarming: 1, windows: 1, allowed: 2),
                .signalExceeded(name: "text_length", value: 0.5, band: 0.1, allowed: 0.1),
                .signalExceeded(name: "estimated_accuracy", value: 0.1, band: 0.03, allowed: nil),
                .accuracyDrop(
                    accuracy: 0.8, basis: .estimated(lower: 0.8 - 0.04, upper: 0.8 + 0.04), shipped: 0.9, drop: 0.1,
                    allowed: 0.05),
            ])
        // With 30 or more delayed labels the realized accuracy is the one trusted.
        var labelled = drifted
        labelled.labelledCount = 40
        labelled.realizedAccuracy = 0.82
        labelled.accuracyDrop = 0.08
        #expect(
            try decide([labelled], policy: policy).reasons.last
                == .accuracyDrop(accuracy: 0.82, basis: .realized(labels: 40), shipped: 0.9, drop: 0.08, allowed: 0.05))
        // A drop of the severe size, beyond its band, acts at once, ahead of the budget.
        let estimate = WindowAssessment.Signal(name: "estimated_accuracy", value: 0.2, band: 0.03, allowed: nil)
        let collapsed = window(true, accuracy: 0.7, drop: 0.2, signals: [estimate])
        let severe = try decide([collapsed], policy: policy)
        #expect(severe.action == .retrain)
        #expect(severe.reasons.first == .severeAccuracyDrop(drop: 0.2, threshold: 0.15))
    }

    @Test func eachReasonReadsAsTheCLIPrintsIt() {
        let sentences: [(DriftReason, String)] = [
            (
                .suddenDrop(drop: 0.3, version: "v2", previousVersionAccuracy: 0.88, accuracy: 0.6),
                "accuracy fell by 30.0% right after the switch to v2, and the previous version scores 88.0% on this window against 60.0%: roll back"
            ),
            (
                .suddenDrop(drop: 0.3, version: nil, previousVersionAccuracy: 0.88, accuracy: 0.6),
                "accuracy fell by 30.0% right after the switch to a new version, and the previous version scores 88.0% on this window against 60.0%: roll back"
            ),
            (
                .budgetSpent(alarming: 3, windows: 4, allowed: 2, inARow: 2),
                "drift budget spent: 3 of the last 4 windows alarmed (2 allowed), the last 2 in a row: retrain"
            ),
            (
                .severeAccuracyDrop(drop: 0.21, threshold: 0.15),
                "severe: accuracy fell 21.0% below the shipped figure, at least the severe 15.0%: retrain now, without waiting for the budget"
            ),
            (
                .severeDrift(signals: 5, multiple: 3),
                "severe: all 5 signals are at least 3× beyond their bands and allowances: the traffic has changed wholesale; retrain now, without waiting for the budget"
            ),
            (
                .signalsOverruledByLabels(labels: 500),
                "the realized accuracy on 500 delayed labels is within its band, so the drifted signals do not spend the budget"
            ),
            (
                .newLabel(label: "crypto", count: 1),
                "new label: \"crypto\" arrived as the true label once, and the model does not know it; retrain with examples of it"
            ),
            (.awaitingRollback(version: "v2"), "still waiting for the rollback: the window was answered by v2"),
            (
                .awaitingRollback(version: nil),
                "still waiting for the rollback: the window was answered by an unknown version"
            ),
            (
                .withinBudget(alarming: 1, windows: 3, allowed: 2),
                "within budget: 1 of the last 3 windows alarmed (2 allowed)"
            ),
            (.recovered(clean: 2), "2 clean windows in a row: back to hold"),
            (.retrainStands(clean: 1, needed: 2), "retrain stands until 2 clean windows in a row (1 so far)"),
            (
                .suddenDropUnconfirmed(drop: 0.25),
                "accuracy fell by 25.0% after a version change, but no predictions of the previous version on this window were given, so a rollback cannot be confirmed"
            ),
            (
                .signalExceeded(name: "text_length", value: 0.512_34, band: 0.1, allowed: 0.1),
                "text_length drifted: 0.5123 beyond the reference band 0.1000 and the allowed 0.1000"
            ),
            (
                .signalExceeded(name: "estimated_accuracy", value: 0.2, band: 0.03, allowed: nil),
                "estimated_accuracy drifted: 0.2000 beyond the reference band 0.0300"
            ),
            (
                .accuracyDrop(accuracy: 0.8, basis: .realized(labels: 40), shipped: 0.9, drop: 0.1, allowed: 0.05),
                "accuracy 80.0% (realized on 40 labels) vs shipped 90.0%: a drop of 10.0%, beyond the allowed 5.0%"
            ),
            (
                .accuracyDrop(
                    accuracy: 0.88, basis: .estimated(lower: 0.84, upper: 0.92), shipped: 0.9, drop: 0.02,
                    allowed: 0.05),
                "accuracy 88.0% (estimated, 95% interval 84.0%–92.0%) vs shipped 90.0%: a drop of 2.0%, within the allowed 5.0%"
            ),
        ]
        for (reason, sentence) in sentences { #expect(reason.description == sentence) }
    }
}
