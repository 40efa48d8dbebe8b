/// The figure cross-validation compares hyperparameter candidates on, averaged over folds.
public enum SelectionMetric: String, Sendable, Hashable, Codable, CaseIterable {
    /// Held-out accuracy: the default, as scikit-learn's `GridSearchCV` scores classifiers.
    case accuracy
    /// Held-out macro-F1, for labels of very different sizes.
    case macroF1 = "macro-f1"
    /// Held-out log loss, lower being better: rewards honest confidences, not only right answers.
    case logLoss = "log-loss"

    /// Whether a higher value is better (all but log loss).
    public var higherIsBetter: Bool { self != .logLoss }
}
