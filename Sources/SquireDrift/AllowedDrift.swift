/// How much drift a window may show before it counts, on top of the reference's sampling
/// noise: the practical-significance margin beside each ``AlertBands`` band.
///
/// A signal alarms only when it is beyond its band *plus* its allowance here (for the
/// Jensen–Shannon distance √(band² + allowance²)): beyond what sampling noise and a harmless
/// drift of the allowed size explain together. The bands alone answer "is this more than
/// chance?", and a real but harmless difference — a test split worded a little differently
/// from the training split — passes that test on large windows, and on small ones, where
/// the band is wide, adds to the noise and crosses it far more often than the band's 0.5%.
/// The defaults are the thresholds the open-source drift library Evidently
/// applies to the same statistics: PSI 0.1 (below it, "no significant change" by
/// the credit-scoring convention PSI comes from), Jensen–Shannon distance 0.1, and MMD² 0.015
/// for its RBF-kernel, median-heuristic embedding test — the kernel ``MaximumMeanDiscrepancyTest``
/// uses. Set a value to 0 to alarm on the bands alone.
///
/// As JSON: `{"label_js_distance": 0.1, "psi": 0.1, "embedding_mmd2": 0.015}`; a missing key keeps its default.
public struct AllowedDrift: Sendable, Hashable, Codable {
    /// Jensen–Shannon distance of the predicted-label distribution.
    public var labelDistance: Double
    /// PSI of the confidence, text-length and unknown-token-rate distributions.
    public var populationStability: Double
    /// MMD² of the embeddings.
    public var embeddingDiscrepancy: Double

    /// Creates allowances; the defaults are Evidently's thresholds for the same statistics.
    public init(labelDistance: Double = 0.1, populationStability: Double = 0.1, embeddingDiscrepancy: Double = 0.015) {
        self.labelDistance = labelDistance
        self.populationStability = populationStability
        self.embeddingDiscrepancy = embeddingDiscrepancy
    }

    /// No allowance: every window beyond a band alarms.
    public static let none = AllowedDrift(labelDistance: 0, populationStability: 0, embeddingDiscrepancy: 0)

    /// Throws when an allowance is negative or not a number.
    public func validate() throws {
        for (key, value) in [
            ("label_js_distance", labelDistance), ("psi", populationStability),
            ("embedding_mmd2", embeddingDiscrepancy),
        ] {
            guard value >= 0, value.isFinite else {
                throw DriftInputError.invalidSetting("allowed_drift.\(key) must be a number ≥ 0")
            }
        }
    }

    private enum CodingKeys: String, CodingKey {
        case labelDistance = "label_js_distance"
        case populationStability = "psi"
        case embeddingDiscrepancy = "embedding_mmd2"
    }

    public init(from decoder: any Decoder) throws {
        let defaults = AllowedDrift()
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            labelDistance: try container.decodeIfPresent(Double.self, forKey: .labelDistance) ?? defaults.labelDistance,
            populationStability: try container.decodeIfPresent(Double.self, forKey: .populationStability)
                ?? defaults.populationStability,
            embeddingDiscrepancy: try container.decodeIfPresent(Double.self, forKey: .embeddingDiscrepancy)
                ?? defaults.embeddingDiscrepancy)
    }
}
