public import SquireCore

/// What an evaluation's calls consumed, and what that means per 1,000 requests.
public struct CostSummary: Sendable, Hashable, Codable {
    /// Everything the answers reported, summed.
    public var total: Usage
    /// Examples classified (each one request a production system would make).
    public var requests: Int
    /// Dollars per 1,000 requests.
    public var dollarsPer1000Requests: Double

    /// Sums the usage of every answered prediction.
    public init(predictions: [Prediction]) {
        total = predictions.reduce(Usage.zero) { $0 + ($1.classification?.usage ?? .zero) }
        requests = predictions.count
        dollarsPer1000Requests = requests == 0 ? 0 : total.cost.dollars / Double(requests) * 1000
    }

    private enum CodingKeys: String, CodingKey {
        case total, requests
        case dollarsPer1000Requests = "dollars_per_1000_requests"
    }
}
