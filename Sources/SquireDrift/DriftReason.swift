/// One reason behind a ``DriftDecision``, with the numbers it rests on.
///
/// The decision is made in values; ``description`` (in `DriftReason+Wording.swift`) turns a
/// reason into the sentence the CLI prints, and ``DriftDecision/reasons`` lists those sentences.
public enum DriftReason: Sendable, Hashable, Codable {
    /// Where an accuracy figure comes from.
    public enum AccuracyBasis: Sendable, Hashable, Codable {
        /// Realized on this many delayed labels (at least 30).
        case realized(labels: Int)
        /// Estimated from the confidences, with its 95% interval.
        case estimated(lower: Double, upper: Double)
    }

    /// Accuracy fell by `drop` within ``DriftBudget/confirmationWindows`` of a switch to
    /// `version`, and the previous version scores better on the same window: roll back.
    case suddenDrop(drop: Double, version: String?, previousVersionAccuracy: Double, accuracy: Double)
    /// The budget is spent: `alarming` of the last `windows` windows alarmed, more than
    /// `allowed`, and the last `inARow` in a row: retrain.
    case budgetSpent(alarming: Int, windows: Int, allowed: Int, inARow: Int)
    /// A severe breach: the window's accuracy fell `drop` below the shipped figure, at least
    /// the budget's ``DriftBudget/severeAccuracyDrop`` (`threshold`): retrain at once.
    case severeAccuracyDrop(drop: Double, threshold: Double)
    /// A severe breach: every one of the window's `signals` signals is at least `multiple`
    /// times beyond its band and allowance (``DriftBudget/severeDriftMultiple``): retrain at once.
    case severeDrift(signals: Int, multiple: Double)
    /// A rollback stands and the window was still answered by `version` (not the previous one).
    case awaitingRollback(version: String?)
    /// `alarming` of the last `windows` windows alarmed, no more than `allowed`: hold.
    case withinBudget(alarming: Int, windows: Int, allowed: Int)
    /// `clean` non-alarming windows in a row after a retrain: back to hold.
    case recovered(clean: Int)
    /// A retrain stands until `needed` clean windows in a row; `clean` so far.
    case retrainStands(clean: Int, needed: Int)
    /// Accuracy fell by `drop` right after a version change, but without the previous
    /// version's predictions on the window a rollback cannot be confirmed.
    case suddenDropUnconfirmed(drop: Double)
    /// A signal beyond its reference band (and beyond the budget's allowance, when it sets one).
    case signalExceeded(name: String, value: Double, band: Double, allowed: Double?)
    /// The window's trusted accuracy against the shipped figure: `drop` is `shipped − accuracy`,
    /// beyond the budget's ``DriftBudget/maximumAccuracyDrop`` when `drop > allowed`.
    case accuracyDrop(accuracy: Double, basis: AccuracyBasis, shipped: Double, drop: Double, allowed: Double)
    /// Signals drifted, but the realized accuracy on `labels` delayed labels is within its band,
    /// so the window does not spend the budget.
    case signalsOverruledByLabels(labels: Int)
    /// `label` arrived `count` times as a true label in the window, and the profile does not
    /// know it: a new intent the model cannot answer until it is retrained with examples of it.
    case newLabel(label: String, count: Int)

    private enum CodingKeys: String, CodingKey {
        case suddenDrop = "sudden_drop"
        case budgetSpent = "budget_spent"
        case severeAccuracyDrop = "severe_accuracy_drop"
        case severeDrift = "severe_drift"
        case awaitingRollback = "awaiting_rollback"
        case withinBudget = "within_budget"
        case recovered
        case retrainStands = "retrain_stands"
        case suddenDropUnconfirmed = "sudden_drop_unconfirmed"
        case signalExceeded = "signal_exceeded"
        case accuracyDrop = "accuracy_drop"
        case signalsOverruledByLabels = "signals_overruled_by_labels"
        case newLabel = "new_label"
    }

    private enum SuddenDropCodingKeys: String, CodingKey {
        case drop, version
        case previousVersionAccuracy = "previous_version_accuracy"
        case accuracy
    }

    private enum BudgetSpentCodingKeys: String, CodingKey {
        case alarming, windows, allowed
        case inARow = "in_a_row"
    }

    private enum SevereAccuracyDropCodingKeys: String, CodingKey {
        case drop, threshold
    }

    private enum SevereDriftCodingKeys: String, CodingKey {
        case signals, multiple
    }

    private enum AwaitingRollbackCodingKeys: String, CodingKey {
        case version
    }

    private enum WithinBudgetCodingKeys: String, CodingKey {
        case alarming, windows, allowed
    }

    private enum RecoveredCodingKeys: String, CodingKey {
        case clean
    }

    private enum RetrainStandsCodingKeys: String, CodingKey {
        case clean, needed
    }

    private enum SuddenDropUnconfirmedCodingKeys: String, CodingKey {
        case drop
    }

    private enum SignalExceededCodingKeys: String, CodingKey {
        case name, value, band, allowed
    }

    private enum AccuracyDropCodingKeys: String, CodingKey {
        case accuracy, basis, shipped, drop, allowed
    }

    private enum SignalsOverruledByLabelsCodingKeys: String, CodingKey {
        case labels
    }

    private enum NewLabelCodingKeys: String, CodingKey {
        case label, count
    }
}
