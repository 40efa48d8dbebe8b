/// The hold / retrain / rollback rule of a ``DriftMonitor``, apart from the windowing: a pure
/// function of the judged window, the recent windows and the standing decision.
///
/// The monitor cuts the stream into windows, judges each one (``WindowAssessment``) and keeps
/// the history; the policy only decides. Call ``decide(_:given:)`` directly to see what a
/// budget would do with windows you build by hand.
public struct DriftPolicy: Sendable, Hashable {
    /// What the monitor knows besides the window when it closes one.
    public struct History: Sendable, Hashable {
        /// The windows the budget counts, oldest first, ending with the window being decided:
        /// at most ``DriftBudget/horizon`` of them, none from before the last version change.
        public var recent: [WindowAssessment]
        /// The decision that stood before this window.
        public var standing: DriftDecision.Action
        /// Windows closed since the model version last changed before this one; 0 when this
        /// window's version differs from the previous window's, `nil` when it never changed.
        public var windowsSinceVersionChange: Int?
        /// The previous window's trusted accuracy (``WindowAssessment/bestAccuracy``), whatever its version.
        public var previousAccuracy: Double?

        /// Creates a history; the defaults describe a monitor's first window.
        public init(
            recent: [WindowAssessment], standing: DriftDecision.Action = .hold, windowsSinceVersionChange: Int? = nil,
            previousAccuracy: Double? = nil
        ) {
            self.recent = recent
            self.standing = standing
            self.windowsSinceVersionChange = windowsSinceVersionChange
            self.previousAccuracy = previousAccuracy
        }

        /// Whether this window's model version differs from the previous window's.
        public var versionChanged: Bool { windowsSinceVersionChange == 0 }
    }

    /// What the policy decided and why.
    public struct Outcome: Sendable, Hashable {
        /// The decision.
        public var action: DriftDecision.Action
        /// The reasons, most important first: the decision's own, then each signal beyond its
        /// band, then the accuracy against the shipped figure.
        public var reasons: [DriftReason]
        /// Alarming windows among ``History/recent``.
        public var budgetSpent: Int
    }

    /// The budget the windows are held to.
    public var budget: DriftBudget
    /// The accuracy the model shipped with, when known (``ReferenceProfile/shippedAccuracy``).
    public var shippedAccuracy: Double?

    /// Creates a policy.
    public init(budget: DriftBudget, shippedAccuracy: Double?) {
        self.budget = budget
        self.shippedAccuracy = shippedAccuracy
    }

    /// Decides what to do after `window`.
    ///
    /// Roll back when accuracy fell by ``DriftBudget/suddenDrop`` within
    /// ``DriftBudget/confirmationWindows`` of a version change and the previous version does
    /// better on the same window. Otherwise leave `hold` for `retrain` at once on a severe
    /// breach (``severeBreach(_:)``), or once more than ``DriftBudget/allowedDriftingWindows``
    /// of the recent windows alarmed, the last `confirmationWindows` in a row; return to `hold`
    /// after as many clean windows in a row. A version change starts from `hold`: the new
    /// version (a retrained model, or the rollback itself) is judged on its own windows.
    public func decide(_ window: WindowAssessment, given history: History) -> Outcome {
        let standing = history.versionChanged ? .hold : history.standing
        let spent = history.recent.filter(\.alarming).count
        let trailingAlarms = history.recent.reversed().prefix { $0.alarming }.count
        let trailingClean = history.recent.reversed().prefix { !$0.alarming }.count
        // A fall since the previous window or a shortfall below the shipped figure, whichever is
        // larger: either can reveal a bad deploy, and the first needs no shipped figure.
        let fromPrevious = history.previousAccuracy.map { $0 - window.bestAccuracy } ?? 0
        let suddenDrop = max(fromPrevious, window.accuracyDrop ?? 0)
        let justChanged = history.windowsSinceVersionChange.map { $0 < budget.confirmationWindows } ?? false

        var action = standing
        var reasons: [DriftReason] = []
        if justChanged, suddenDrop >= budget.suddenDrop, let previous = window.previousVersionAccuracy,
            previous > window.bestAccuracy
        {
            action = .rollback
            reasons.append(
                .suddenDrop(
                    drop: suddenDrop, version: window.modelVersion, previousVersionAccuracy: previous,
                    accuracy: window.bestAccuracy))
        } else {
            switch standing {
            case .hold, .rollback:
                if let severe = severeBreach(window) {
                    action = .retrain
                    reasons.append(severe)
                } else if spent > budget.allowedDriftingWindows && trailingAlarms >= budget.confirmationWindows {
                    action = .retrain
                    reasons.append(
                        .budgetSpent(
                            alarming: spent, windows: history.recent.count, allowed: budget.allowedDriftingWindows,
                            inARow: trailingAlarms))
                } else if standing == .rollback {
                    reasons.append(.awaitingRollback(version: window.modelVersion))
                } else {
                    reasons.append(
                        .withinBudget(
                            alarming: spent, windows: history.recent.count, allowed: budget.allowedDriftingWindows))
                }
            case .retrain:
                if trailingClean >= budget.confirmationWindows {
                    action = .hold
                    reasons.append(.recovered(clean: trailingClean))
                } else {
                    reasons.append(.retrainStands(clean: trailingClean, needed: budget.confirmationWindows))
                }
            }
            if history.versionChanged, suddenDrop >= budget.suddenDrop, window.previousVersionAccuracy == nil {
                reasons.append(.suddenDropUnconfirmed(drop: suddenDrop))
            }
        }
        for signal in window.signals where signal.exceeded {
            reasons.append(
                .signalExceeded(name: signal.name, value: signal.value, band: signal.band, allowed: signal.allowed))
        }
        if window.judgedOnLabels, !window.alarming, window.drifted {
            reasons.append(.signalsOverruledByLabels(labels: window.labelledCount))
        }
        for (label, count) in window.newLabels.sorted(by: { ($1.value, $0.key) < ($0.value, $1.key) }) {
            reasons.append(.newLabel(label: label, count: count))
        }
        if let drop = window.accuracyDrop, let shipped = shippedAccuracy {
            let basis: DriftReason.AccuracyBasis =
                window.labelledCount >= WindowAssessment.labelsToTrustRealizedAccuracy
                ? .realized(labels: window.labelledCount)
                : .estimated(lower: window.estimateLower, upper: window.estimateUpper)
            reasons.append(
                .accuracyDrop(
                    accuracy: window.bestAccuracy, basis: basis, shipped: shipped, drop: drop,
                    allowed: budget.maximumAccuracyDrop))
        }
        return Outcome(action: action, reasons: reasons, budgetSpent: spent)
    }

    /// The reason `window` is a severe breach that retrains at once, or `nil` for a mild one
    /// (or none): the fast burn of the budget.
    ///
    /// Severe is an alarming window whose accuracy — realized when it decided, else estimated
    /// — is beyond its band and at least ``DriftBudget/severeAccuracyDrop`` below the shipped
    /// figure; or, when no realized accuracy decided, a window whose every signal (two at
    /// least) is beyond its band and at least ``DriftBudget/severeDriftMultiple`` times its
    /// band and its allowance, whichever is larger. Drift that large is not sampling noise, and
    /// waiting out the budget's windows would only serve more wrong answers.
    public func severeBreach(_ window: WindowAssessment) -> DriftReason? {
        guard window.alarming else { return nil }
        let accuracy = window.judgedOnLabels ? "realized_accuracy" : "estimated_accuracy"
        if let drop = window.accuracyDrop, drop >= budget.severeAccuracyDrop,
            window.signals.contains(where: { $0.name == accuracy && $0.value > $0.band })
        {
            return .severeAccuracyDrop(drop: drop, threshold: budget.severeAccuracyDrop)
        }
        let far = window.signals.allSatisfy {
            $0.exceeded && $0.value >= budget.severeDriftMultiple * max($0.band, $0.allowed ?? 0)
        }
        guard !window.judgedOnLabels, window.signals.count >= 2, far else { return nil }
        return .severeDrift(signals: window.signals.count, multiple: budget.severeDriftMultiple)
    }
}
