/// Precision, recall and F1 of one label, or an average of them.
public struct ClassMetrics: Sendable, Hashable, Codable {
    /// The label; `"macro"`, `"micro"` or `"weighted"` for averages.
    public var label: String
    /// Of the examples predicted this label, the share that carry it (0 when none were predicted).
    public var precision: Double
    /// Of the examples carrying this label, the share predicted so (0 when none carry it).
    public var recall: Double
    /// The harmonic mean of precision and recall: `2tp / (2tp + fp + fn)`.
    public var f1: Double
    /// Examples that carry the label (for averages, all examples).
    public var support: Int

    /// Creates metrics from their parts.
    public init(label: String, precision: Double, recall: Double, f1: Double, support: Int) {
        self.label = label
        self.precision = precision
        self.recall = recall
        self.f1 = f1
        self.support = support
    }
}
