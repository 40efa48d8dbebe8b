public import SquireCore

/// Who answered one request in a cascade, why, and what it cost.
public struct RoutingTrace: Sendable, Hashable, Codable {
    /// Who answered.
    public enum Route: String, Sendable, Hashable, Codable {
        /// The local model, confident enough.
        case local
        /// The fallback (usually the frontier model).
        case fallback
        /// The local model's answer, because the fallback could not be used; marked so
        /// callers can treat it with care.
        case degraded
    }

    /// Why the request went the way it did.
    public enum Reason: String, Sendable, Hashable, Codable {
        /// The local confidence cleared the threshold.
        case confident = "confident"
        /// The local confidence was below the threshold.
        case belowThreshold = "below_threshold"
        /// The local model failed or timed out.
        case localFailed = "local_failed"
        /// The fallback failed; the local answer stands.
        case fallbackFailed = "fallback_failed"
        /// The fallback's call budget was spent; the local answer stands.
        case budgetExhausted = "budget_exhausted"
    }

    /// Who answered.
    public var route: Route
    /// Why.
    public var reason: Reason
    /// The local model's label, when it answered.
    public var localLabel: String?
    /// The local model's confidence, when it answered.
    public var localConfidence: Double?
    /// The threshold the local confidence was held to.
    public var threshold: Double
    /// The fallback's label, when it answered.
    public var fallbackLabel: String?
    /// The fallback's confidence, when it answered.
    public var fallbackConfidence: Double?
    /// Wall time of the local call (shared by the batch).
    public var localLatency: Duration
    /// Wall time of the fallback call, when one was made.
    public var fallbackLatency: Duration?
    /// What answering this request consumed, local and fallback together.
    public var usage: Usage
    /// The error behind a failed or degraded route.
    public var error: String?

    private enum CodingKeys: String, CodingKey {
        case route, reason, threshold, usage, error
        case localLabel = "local_label"
        case localConfidence = "local_confidence"
        case fallbackLabel = "fallback_label"
        case fallbackConfidence = "fallback_confidence"
        case localLatency = "local_latency_seconds"
        case fallbackLatency = "fallback_latency_seconds"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        route = try container.decode(Route.self, forKey: .route)
        reason = try container.decode(Reason.self, forKey: .reason)
        threshold = try container.decode(Double.self, forKey: .threshold)
        usage = try container.decode(Usage.self, forKey: .usage)
        error = try container.decodeIfPresent(String.self, forKey: .error)
        localLabel = try container.decodeIfPresent(String.self, forKey: .localLabel)
        localConfidence = try container.decodeIfPresent(Double.self, forKey: .localConfidence)
        fallbackLabel = try container.decodeIfPresent(String.self, forKey: .fallbackLabel)
        fallbackConfidence = try container.decodeIfPresent(Double.self, forKey: .fallbackConfidence)
        localLatency = .seconds(try container.decode(Double.self, forKey: .localLatency))
        fallbackLatency = try container.decodeIfPresent(Double.self, forKey: .fallbackLatency).map { .seconds($0) }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(route, forKey: .route)
        try container.encode(reason, forKey: .reason)
        try container.encode(threshold, forKey: .threshold)
        try container.encode(usage, forKey: .usage)
        try container.encodeIfPresent(error, forKey: .error)
        try container.encodeIfPresent(localLabel, forKey: .localLabel)
        try container.encodeIfPresent(localConfidence, forKey: .localConfidence)
        try container.encodeIfPresent(fallbackLabel, forKey: .fallbackLabel)
        try container.encodeIfPresent(fallbackConfidence, forKey: .fallbackConfidence)
        try container.encode(localLatency.seconds, forKey: .localLatency)
        try container.encodeIfPresent(fallbackLatency?.seconds, forKey: .fallbackLatency)
    }

    init(
        route: Route, reason: Reason, local: Classification?, threshold: Double, fallback: Classification?,
        localLatency: Duration, fallbackLatency: Duration?, error: String?
    ) {
        self.route = route
        self.reason = reason
        localLabel = local?.label
        localConfidence = local?.confidence
        self.threshold = threshold
        fallbackLabel = fallback?.label
        fallbackConfidence = fallback?.confidence
        self.localLatency = localLatency
        self.fallbackLatency = fallbackLatency
        usage = (local?.usage ?? .zero) + (fallback?.usage ?? .zero)
        self.error = error
    }
}

extension Duration {
    /// The duration in seconds.
    var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) * 1e-18
    }
}
