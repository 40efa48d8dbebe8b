/// How cross-validation turns candidates' fold scores into a choice.
public enum SelectionRule: String, Sendable, Hashable, Codable, CaseIterable {
    /// The most regularized candidate whose mean score is within one standard error of the
    /// best mean (Breiman et al., 1984; Hastie, Tibshirani and Friedman, §7.10): a candidate
    /// that wins by less than the folds' own spread has not shown that it is better, and the
    /// simpler model is the safer bet. The default.
    case oneStandardError = "one-standard-error"
    /// The best mean score, as scikit-learn's `GridSearchCV` chooses.
    case best
}
