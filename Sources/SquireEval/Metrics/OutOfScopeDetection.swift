/// How well confidence separates out-of-scope requests from in-scope ones.
///
/// The out-of-scope score of an answer is `1 − (highest probability of any in-scope
/// label)`; without probabilities it is `1 − confidence` for an in-scope answer and the
/// confidence itself for an out-of-scope one.
public struct OutOfScopeDetection: Sendable, Hashable, Codable {
    /// The label that marks out-of-scope examples.
    public var label: String
    /// Area under the ROC curve of the score (out-of-scope positive), as scikit-learn's `roc_auc_score`.
    public var auroc: Double
    /// The share of in-scope examples flagged when the threshold flags 95% of the
    /// out-of-scope ones (lowest such on scikit-learn's `roc_curve`).
    public var falsePositiveRateAt95Recall: Double
    /// Out-of-scope examples counted.
    public var outOfScopeCount: Int
    /// In-scope examples counted.
    public var inScopeCount: Int

    private enum CodingKeys: String, CodingKey {
        case label, auroc
        case falsePositiveRateAt95Recall = "fpr_at_95_tpr"
        case outOfScopeCount = "out_of_scope_count"
        case inScopeCount = "in_scope_count"
    }
}
