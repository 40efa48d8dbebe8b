/// A headline figure that gates and comparisons refer to by name.
public enum Metric: String, Sendable, Hashable, Codable, CaseIterable {
    /// Correct answers over answered examples.
    case accuracy
    /// F1 averaged over labels, unweighted.
    case macroF1 = "macro_f1"
    /// F1 from pooled counts (equals accuracy for single-label answers).
    case microF1 = "micro_f1"
    /// F1 averaged over labels, weighted by support.
    case weightedF1 = "weighted_f1"
    /// Precision averaged over labels.
    case macroPrecision = "macro_precision"
    /// Recall averaged over labels.
    case macroRecall = "macro_recall"
    /// Mean negative log-probability of the expected label (lower is better).
    case logLoss = "log_loss"
    /// Mean squared probability error over labels (lower is better).
    case brierScore = "brier_score"
    /// Expected calibration error over 15 bins (lower is better).
    case expectedCalibrationError = "expected_calibration_error"
    /// Area under the risk–coverage curve (lower is better).
    case areaUnderRiskCoverage = "aurc"
    /// How well confidence separates out-of-scope requests (AUROC).
    case outOfScopeAUROC = "oos_auroc"
    /// In-scope requests flagged when 95% of out-of-scope ones are (lower is better).
    case outOfScopeFPRAt95TPR = "oos_fpr_at_95_tpr"
    /// The share of calls that failed (lower is better).
    case failureRate = "failure_rate"

    /// Whether a larger value is better (accuracy) rather than worse (log loss).
    public var higherIsBetter: Bool {
        switch self {
        case .accuracy, .macroF1, .microF1, .weightedF1, .macroPrecision, .macroRecall, .outOfScopeAUROC: true
        default: false
        }
    }

    /// The figure in `metrics`, or `nil` when they cannot give it.
    public func value(in metrics: ClassificationMetrics) -> Double? {
        switch self {
        case .accuracy: metrics.accuracy
        case .macroF1: metrics.macro.f1
        case .microF1: metrics.micro.f1
        case .weightedF1: metrics.weighted.f1
        case .macroPrecision: metrics.macro.precision
        case .macroRecall: metrics.macro.recall
        case .logLoss: metrics.logLoss
        case .brierScore: metrics.brierScore
        case .expectedCalibrationError: metrics.expectedCalibrationError
        case .areaUnderRiskCoverage: metrics.areaUnderRiskCoverage
        case .outOfScopeAUROC: metrics.outOfScope?.auroc
        case .outOfScopeFPRAt95TPR: metrics.outOfScope?.falsePositiveRateAt95Recall
        case .failureRate: metrics.count == 0 ? nil : Double(metrics.failures) / Double(metrics.count)
        }
    }
}
