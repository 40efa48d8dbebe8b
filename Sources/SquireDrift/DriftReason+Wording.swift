import Foundation

// The sentences `squire drift` and `squire demo` print, one per reason; the decision itself
// never reads them, so rewording here cannot change what the monitor decides.
extension DriftReason: CustomStringConvertible {
    /// The reason as a sentence a reader can act on.
    public var description: String {
        switch self {
        case .suddenDrop(let drop, let version, let previousVersionAccuracy, let accuracy):
            "accuracy fell by \(percent(drop)) right after the switch to \(version ?? "a new version"), and the previous version scores \(percent(previousVersionAccuracy)) on this window against \(percent(accuracy)): roll back"
        case .budgetSpent(let alarming, let windows, let allowed, let inARow):
            "drift budget spent: \(alarming) of the last \(windows) windows alarmed (\(allowed) allowed), the last \(inARow) in a row: retrain"
        case .severeAccuracyDrop(let drop, let threshold):
            "severe: accuracy fell \(percent(drop)) below the shipped figure, at least the severe \(percent(threshold)): retrain now, without waiting for the budget"
        case .severeDrift(let signals, let multiple):
            "severe: all \(signals) signals are at least \(String(format: "%g", multiple))× beyond their bands and allowances: the traffic has changed wholesale; retrain now, without waiting for the budget"
        case .awaitingRollback(let version):
            "still waiting for the rollback: the window was answered by \(version ?? "an unknown version")"
        case .withinBudget(let alarming, let windows, let allowed):
            "within budget: \(alarming) of the last \(windows) windows alarmed (\(allowed) allowed)"
        case .recovered(let clean):
            "\(clean) clean windows in a row: back to hold"
        case .retrainStands(let clean, let needed):
            "retrain stands until \(needed) clean windows in a row (\(clean) so far)"
        case .suddenDropUnconfirmed(let drop):
            "accuracy fell by \(percent(drop)) after a version change, but no predictions of the previous version on this window were given, so a rollback cannot be confirmed"
        case .signalExceeded(let name, let value, let band, let allowed):
            "\(name) drifted: \(decimal(value)) beyond the reference band \(decimal(band))\(allowed.map { " and the allowed \(decimal($0))" } ?? "")"
        case .accuracyDrop(let accuracy, let basis, let shipped, let drop, let allowed):
            "accuracy \(percent(accuracy)) (\(basis)) vs shipped \(percent(shipped)): a drop of \(percent(drop)), \(drop > allowed ? "beyond" : "within") the allowed \(percent(allowed))"
        case .signalsOverruledByLabels(let labels):
            "the realized accuracy on \(labels) delayed labels is within its band, so the drifted signals do not spend the budget"
        case .newLabel(let label, let count):
            "new label: \"\(label)\" arrived as the true label \(count == 1 ? "once" : "\(count) times"), and the model does not know it; retrain with examples of it"
        }
    }
}

extension DriftReason.AccuracyBasis: CustomStringConvertible {
    /// Where the figure comes from, as the parenthesis after it.
    public var description: String {
        switch self {
        case .realized(let labels): "realized on \(labels) labels"
        case .estimated(let lower, let upper): "estimated, 95% interval \(percent(lower))–\(percent(upper))"
        }
    }
}

/// A share as a percentage with one decimal, as every drift sentence prints it.
private func percent(_ value: Double) -> String { String(format: "%.1f%%", value * 100) }

/// A distance with four decimals, as every drift sentence prints it.
private func decimal(_ value: Double) -> String { String(format: "%.4f", value) }
