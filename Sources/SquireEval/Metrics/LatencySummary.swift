/// Percentiles of call latency, in milliseconds.
public struct LatencySummary: Sendable, Hashable, Codable {
    /// Calls measured.
    public var calls: Int
    /// Median.
    public var p50: Double
    /// 95th percentile.
    public var p95: Double
    /// 99th percentile.
    public var p99: Double
    /// Mean.
    public var mean: Double
    /// Slowest call.
    public var maximum: Double

    /// Summarizes latencies given in seconds; percentiles interpolate linearly between
    /// order statistics, as numpy's default. All zeros when there are none.
    public init(seconds: [Double]) {
        let sorted = seconds.map { $0 * 1000 }.sorted()
        calls = sorted.count
        p50 = Self.percentile(sorted, 0.50)
        p95 = Self.percentile(sorted, 0.95)
        p99 = Self.percentile(sorted, 0.99)
        mean = sorted.isEmpty ? 0 : sorted.reduce(0, +) / Double(sorted.count)
        maximum = sorted.last ?? 0
    }

    /// The `q`-quantile of ascending `sorted` values by linear interpolation.
    static func percentile(_ sorted: [Double], _ q: Double) -> Double {
        guard !sorted.isEmpty else { return 0 }
        let position = Double(sorted.count - 1) * q
        let lower = Int(position.rounded(.down))
        let upper = min(lower + 1, sorted.count - 1)
        return sorted[lower] + (position - Double(lower)) * (sorted[upper] - sorted[lower])
    }

    private enum CodingKeys: String, CodingKey {
        case calls, mean
        case p50 = "p50_ms"
        case p95 = "p95_ms"
        case p99 = "p99_ms"
        case maximum = "max_ms"
    }
}
