/// A headline figure that gates and comparisons refer to by name.
public enum Metric: String, Sendable, Hashable, Codable, CaseIterable {
    case accuracy
    case macroF1 = "macro_f1"
    case microF1 = "micro_f1"
    case weightedF1 = "weighted_f1"
    case macroPrecision = "macro_precision"
    case macroRecall = "macro_recall"
    case logLoss = "log_loss"
    case brierScore = "brier_score"
    case expectedCalibrationError = "expected_calibration_error"
    case areaUnderRiskCoverage = "aurc"
    case outOfScopeAUROC = "oos_auroc"
    case outOfScopeFPRAt95TPR = "oos_fpr_at_95_tpr"
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
