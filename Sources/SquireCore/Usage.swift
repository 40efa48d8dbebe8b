/// What one or more model calls consumed: tokens, calls, wall time and money.
///
/// Usages add up, so a run's total is the sum of its answers' usages.
public struct Usage: Sendable, Hashable, Codable {
    /// Tokens sent to the model.
    public var inputTokens: Int
    /// Tokens the model produced.
    public var outputTokens: Int
    /// Requests made, retries included.
    public var calls: Int
    /// Wall time spent waiting for the model.
    public var latency: Duration
    /// What the calls cost.
    public var cost: Cost

    /// Creates a usage from its parts.
    public init(
        inputTokens: Int = 0, outputTokens: Int = 0, calls: Int = 0, latency: Duration = .zero, cost: Cost = .zero
    ) {
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.calls = calls
        self.latency = latency
        self.cost = cost
    }

    /// Nothing consumed.
    public static let zero = Usage()

    /// Input and output tokens together.
    public var totalTokens: Int { inputTokens + outputTokens }

    /// The latency in seconds, for reports.
    public var latencySeconds: Double {
        let (seconds, attoseconds) = latency.components
        return Double(seconds) + Double(attoseconds) * 1e-18
    }

    private enum CodingKeys: String, CodingKey {
        case inputTokens = "input_tokens"
        case outputTokens = "output_tokens"
        case calls
        case latencySeconds = "latency_seconds"
        case cost = "cost_dollars"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        inputTokens = try container.decodeIfPresent(Int.self, forKey: .inputTokens) ?? 0
        outputTokens = try container.decodeIfPresent(Int.self, forKey: .outputTokens) ?? 0
        calls = try container.decodeIfPresent(Int.self, forKey: .calls) ?? 0
        let seconds = try container.decodeIfPresent(Double.self, forKey: .latencySeconds) ?? 0
        guard seconds.isFinite, seconds >= 0 else {
            throw DecodingError.dataCorruptedError(
                forKey: .latencySeconds, in: container,
                debugDescription: "latency_seconds must be a finite, non-negative number")
        }
        latency = .nanoseconds(Int64((seconds * 1e9).rounded()))
        cost = Cost(dollars: try container.decodeIfPresent(Double.self, forKey: .cost) ?? 0)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(inputTokens, forKey: .inputTokens)
        try container.encode(outputTokens, forKey: .outputTokens)
        try container.encode(calls, forKey: .calls)
        try container.encode(latencySeconds, forKey: .latencySeconds)
        try container.encode(cost.dollars, forKey: .cost)
    }
}

extension Usage: AdditiveArithmetic {
    public static func + (lhs: Usage, rhs: Usage) -> Usage {
        Usage(
            inputTokens: lhs.inputTokens + rhs.inputTokens,
            outputTokens: lhs.outputTokens + rhs.outputTokens,
            calls: lhs.calls + rhs.calls,
            latency: lhs.latency + rhs.latency,
            cost: lhs.cost + rhs.cost)
    }

    public static func - (lhs: Usage, rhs: Usage) -> Usage {
        Usage(
            inputTokens: lhs.inputTokens - rhs.inputTokens,
            outputTokens: lhs.outputTokens - rhs.outputTokens,
            calls: lhs.calls - rhs.calls,
            latency: lhs.latency - rhs.latency,
            cost: lhs.cost - rhs.cost)
    }
}
