public import Foundation

/// One closed window judged against the reference: every signal with its band, the
/// estimated (and, with delayed labels, realized) accuracy, and whether it alarms.
public struct WindowAssessment: Sendable, Hashable, Codable {
    /// One drift signal.
    public struct Signal: Sendable, Hashable, Codable {
        /// `predicted_labels`, `confidence`, `text_length`, `unknown_token_rate`, `embedding`,
        /// `estimated_accuracy` (its value is the drop below the shipped accuracy), and with at
        /// least ``WindowAssessment/labelsToTrustRealizedAccuracy`` delayed labels
        /// `realized_accuracy` (the realized drop; its allowance is the budget's maximum drop).
        public var name: String
        /// The distance judged: JS distance, PSI, MMD², or an accuracy drop.
        public var value: Double
        /// The reference band it is judged against: the reference's own sampling noise.
        public var band: Double
        /// The drift the budget allows on top of the band (``AllowedDrift``), or for
        /// `realized_accuracy` the maximum drop; `nil` where the budget sets none (the accuracy
        /// estimate, whose allowance is the maximum drop, which alarms on its own).
        public var allowed: Double?
        /// Whether the value counts. A drift statistic of a ``DriftMonitor`` window counts beyond
        /// its band plus its allowance — what sampling noise and a harmless drift of the allowed
        /// size explain together (for the Jensen–Shannon distance √(band² + allowed²), its square
        /// being the divergence that adds up); an accuracy drop beyond the larger of the two.
        public var exceeded: Bool
        /// A test's p-value, reported as evidence (not used for the decision: on large
        /// windows p-values flag every difference).
        public var pValue: Double?

        /// Creates a signal judged elsewhere; it is exceeded when `value` is beyond `band` and
        /// beyond `allowed`.
        public init(name: String, value: Double, band: Double, allowed: Double?, pValue: Double? = nil) {
            self.name = name
            self.value = value
            self.band = band
            self.allowed = allowed
            exceeded = value > band && value > (allowed ?? -.infinity)
            self.pValue = pValue
        }

        private enum CodingKeys: String, CodingKey {
            case name, value, band, allowed, exceeded
            case pValue = "p_value"
        }
    }

    /// The window's position in the stream, from 0.
    public var index: Int
    /// Predictions in the window.
    public var count: Int
    /// The model version that answered most of the window.
    public var modelVersion: String?
    /// First and last timestamps, when given.
    public var start: Date?
    /// The last timestamp, when given.
    public var end: Date?
    /// The signals, in a fixed order.
    public var signals: [Signal]
    /// Expected accuracy from the confidences.
    public var estimatedAccuracy: Double
    /// 95% interval around it.
    public var estimateLower: Double
    /// 95% interval around it.
    public var estimateUpper: Double
    /// Accuracy on the window's delayed labels, when any arrived.
    public var realizedAccuracy: Double?
    /// How many delayed labels arrived.
    public var labelledCount: Int
    /// True labels the profile does not know, with how often each arrived in the window: a
    /// new intent in the traffic, which the model cannot answer until it is retrained with it.
    public var newLabels: [String: Int]
    /// The shipped accuracy minus the best available accuracy figure (realized when at
    /// least 30 labels arrived, otherwise estimated); `nil` without a shipped figure.
    public var accuracyDrop: Double?
    /// The previous model version's accuracy on this window (from shadow predictions).
    public var previousVersionAccuracy: Double?
    /// Whether any signal is beyond its band.
    public var drifted: Bool { signals.contains(where: \.exceeded) }
    /// Whether the window spends drift budget. With enough delayed labels to judge the realized
    /// accuracy (``judgedOnLabels``), only the realized accuracy counts — beyond its band and the
    /// budget's maximum drop — and the other signals are reported, not counted. Without them,
    /// any signal beyond its band and allowance, or an estimated drop beyond the maximum.
    public var alarming: Bool
    /// Whether the realized accuracy on the window's delayed labels decided ``alarming``.
    public var judgedOnLabels: Bool { signals.contains { $0.name == "realized_accuracy" } }

    /// Delayed labels a window needs before its realized accuracy is trusted over the estimate.
    public static let labelsToTrustRealizedAccuracy = 30

    /// Creates an assessment from its parts, to hand a ``DriftPolicy`` a window judged elsewhere;
    /// ``DriftMonitor`` builds its own.
    public init(
        index: Int, count: Int, modelVersion: String? = nil, start: Date? = nil, end: Date? = nil, signals: [Signal],
        estimatedAccuracy: Double, estimateLower: Double, estimateUpper: Double, realizedAccuracy: Double? = nil,
        labelledCount: Int = 0, newLabels: [String: Int] = [:], accuracyDrop: Double? = nil,
        previousVersionAccuracy: Double? = nil, alarming: Bool
    ) {
        self.index = index
        self.count = count
        self.modelVersion = modelVersion
        self.start = start
        self.end = end
        self.signals = signals
        self.estimatedAccuracy = estimatedAccuracy
        self.estimateLower = estimateLower
        self.estimateUpper = estimateUpper
        self.realizedAccuracy = realizedAccuracy
        self.labelledCount = labelledCount
        self.newLabels = newLabels
        self.accuracyDrop = accuracyDrop
        self.previousVersionAccuracy = previousVersionAccuracy
        self.alarming = alarming
    }

    /// The accuracy the decision trusts: realized with at least ``labelsToTrustRealizedAccuracy``
    /// labels, else estimated.
    public var bestAccuracy: Double {
        labelledCount >= Self.labelsToTrustRealizedAccuracy ? realizedAccuracy ?? estimatedAccuracy : estimatedAccuracy
    }

    private enum CodingKeys: String, CodingKey {
        case index, count, start, end, signals, alarming
        case modelVersion = "model_version"
        case estimatedAccuracy = "estimated_accuracy"
        case estimateLower = "estimate_lower"
        case estimateUpper = "estimate_upper"
        case realizedAccuracy = "realized_accuracy"
        case labelledCount = "labelled_count"
        case newLabels = "new_labels"
        case accuracyDrop = "accuracy_drop"
        case previousVersionAccuracy = "previous_version_accuracy"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            index: try container.decode(Int.self, forKey: .index),
            count: try container.decode(Int.self, forKey: .count),
            modelVersion: try container.decodeIfPresent(String.self, forKey: .modelVersion),
            start: try container.decodeIfPresent(Date.self, forKey: .start),
            end: try container.decodeIfPresent(Date.self, forKey: .end),
            signals: try container.decode([Signal].self, forKey: .signals),
            estimatedAccuracy: try container.decode(Double.self, forKey: .estimatedAccuracy),
            estimateLower: try container.decode(Double.self, forKey: .estimateLower),
            estimateUpper: try container.decode(Double.self, forKey: .estimateUpper),
            realizedAccuracy: try container.decodeIfPresent(Double.self, forKey: .realizedAccuracy),
            labelledCount: try container.decode(Int.self, forKey: .labelledCount),
            // Windows saved (in decisions and monitor states) before new labels were reported have none.
            newLabels: try container.decodeIfPresent([String: Int].self, forKey: .newLabels) ?? [:],
            accuracyDrop: try container.decodeIfPresent(Double.self, forKey: .accuracyDrop),
            previousVersionAccuracy: try container.decodeIfPresent(Double.self, forKey: .previousVersionAccuracy),
            alarming: try container.decode(Bool.self, forKey: .alarming))
    }
}
