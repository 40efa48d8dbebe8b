public import Foundation

/// The rules a report must meet to ship, as a Swift value or the same thing as JSON.
///
/// ```json
/// {"name": "router", "minimums": {"macro_f1": 0.85}, "maximums": {"expected_calibration_error": 0.05},
///  "slice_minimums": {"billing": {"accuracy": 0.9}},
///  "non_inferiority": {"metric": "macro_f1", "margin": 0.01},
///  "latency_ms": {"p95": 50}, "maximum_dollars_per_1000_requests": 0.5,
///  "maximum_failure_rate": 0.01, "required_suites": ["smoke"]}
/// ```
/// Every field is optional. ``evaluate(_:baseline:)`` never throws: whatever stops a
/// report from shipping, a missing baseline included, is a failing check with its reason.
public struct Gate: Sendable, Hashable, Codable {
    /// A name for results and logs.
    public var name: String
    /// Figures that must be at least this high (higher-is-better metrics only).
    public var minimums: [Metric: Double]
    /// Figures that must be at most this high (lower-is-better metrics only).
    public var maximums: [Metric: Double]
    /// Minimums per slice (tag).
    public var sliceMinimums: [String: [Metric: Double]]
    /// How much worse than the baseline the candidate may be.
    public var nonInferiority: NonInferiority?
    /// Latency percentiles the calls must stay within.
    public var latency: LatencyBudget?
    /// The most the model may cost per 1,000 requests.
    public var maximumDollarsPer1000Requests: Double?
    /// The largest share of failed calls allowed; `nil` leaves failures unchecked.
    public var maximumFailureRate: Double?
    /// Suites that must be in the report with every case passing.
    public var requiredSuites: [String]
    /// The fewest answered examples a report may have; at least 1.
    public var minimumExamples: Int

    /// Non-inferiority against a baseline report.
    public struct NonInferiority: Sendable, Hashable, Codable {
        /// The compared metric (label-based: accuracy, the F1 family, macro precision/recall).
        public var metric: Metric
        /// How far below the baseline the candidate may be, in the metric's units.
        public var margin: Double
        /// The bootstrap interval's level.
        public var confidenceLevel: Double
        /// Bootstrap resamples.
        public var resamples: Int
        /// The bootstrap's seed.
        public var seed: UInt64

        /// Creates the rule: the interval's lower bound for `candidate − baseline` must be ≥ `-margin`.
        public init(
            metric: Metric = .macroF1, margin: Double, confidenceLevel: Double = 0.95, resamples: Int = 2000,
            seed: UInt64 = 0
        ) {
            self.metric = metric
            self.margin = margin
            self.confidenceLevel = confidenceLevel
            self.resamples = resamples
            self.seed = seed
        }

        private enum CodingKeys: String, CodingKey {
            case metric, margin, resamples, seed
            case confidenceLevel = "confidence_level"
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            self.init(
                metric: try container.decodeIfPresent(Metric.self, forKey: .metric) ?? .macroF1,
                margin: try container.decode(Double.self, forKey: .margin),
                confidenceLevel: try container.decodeIfPresent(Double.self, forKey: .confidenceLevel) ?? 0.95,
                resamples: try container.decodeIfPresent(Int.self, forKey: .resamples) ?? 2000,
                seed: try container.decodeIfPresent(UInt64.self, forKey: .seed) ?? 0)
        }
    }

    /// Latency limits in milliseconds; unset percentiles are not checked.
    public struct LatencyBudget: Sendable, Hashable, Codable {
        /// Median limit.
        public var p50: Double?
        /// 95th-percentile limit.
        public var p95: Double?
        /// 99th-percentile limit.
        public var p99: Double?

        /// Creates a budget.
        public init(p50: Double? = nil, p95: Double? = nil, p99: Double? = nil) {
            self.p50 = p50
            self.p95 = p95
            self.p99 = p99
        }
    }

    /// Creates a gate; every rule is optional.
    public init(
        name: String = "gate", minimums: [Metric: Double] = [:], maximums: [Metric: Double] = [:],
        sliceMinimums: [String: [Metric: Double]] = [:], nonInferiority: NonInferiority? = nil,
        latency: LatencyBudget? = nil, maximumDollarsPer1000Requests: Double? = nil,
        maximumFailureRate: Double? = nil, requiredSuites: [String] = [], minimumExamples: Int = 1
    ) {
        self.name = name
        self.minimums = minimums
        self.maximums = maximums
        self.sliceMinimums = sliceMinimums
        self.nonInferiority = nonInferiority
        self.latency = latency
        self.maximumDollarsPer1000Requests = maximumDollarsPer1000Requests
        self.maximumFailureRate = maximumFailureRate
        self.requiredSuites = requiredSuites
        self.minimumExamples = minimumExamples
    }

    /// The rules that contradict themselves (a minimum on a lower-is-better metric, a
    /// negative margin, a rate outside 0…1), each as a sentence; empty for a sound gate.
    public var problems: [String] {
        var problems: [String] = []
        for metric in minimums.keys.sorted(by: { $0.rawValue < $1.rawValue }) where !metric.higherIsBetter {
            problems.append("minimums.\(metric.rawValue): lower is better for this metric; put it under \"maximums\"")
        }
        for metric in maximums.keys.sorted(by: { $0.rawValue < $1.rawValue }) where metric.higherIsBetter {
            problems.append("maximums.\(metric.rawValue): higher is better for this metric; put it under \"minimums\"")
        }
        for (slice, rules) in sliceMinimums.sorted(by: { $0.key < $1.key }) {
            for metric in rules.keys.sorted(by: { $0.rawValue < $1.rawValue }) where !metric.higherIsBetter {
                problems.append("slice_minimums.\(slice).\(metric.rawValue): lower is better for this metric")
            }
        }
        let thresholds = Array(minimums.values) + Array(maximums.values) + sliceMinimums.values.flatMap(\.values)
        if thresholds.contains(where: { !$0.isFinite }) { problems.append("every threshold must be a finite number") }
        if let rule = nonInferiority {
            if LabelMetric(rule.metric) == nil {
                problems.append("non_inferiority.metric: \(PairedComparison.Failure.unsupportedMetric(rule.metric))")
            }
            if !(rule.margin >= 0) { problems.append("non_inferiority.margin must be ≥ 0") }
            if !(rule.confidenceLevel > 0 && rule.confidenceLevel < 1) {
                problems.append("non_inferiority.confidence_level must be between 0 and 1")
            }
            if rule.resamples < 100 { problems.append("non_inferiority.resamples must be at least 100") }
        }
        if let rate = maximumFailureRate, !(0...1).contains(rate) {
            problems.append("maximum_failure_rate must be between 0 and 1")
        }
        if let budget = latency,
            [budget.p50, budget.p95, budget.p99].contains(where: { $0.map { !($0 >= 0) } ?? false })
        {
            problems.append("latency_ms limits must be ≥ 0")
        }
        if let dollars = maximumDollarsPer1000Requests, !(dollars >= 0) {
            problems.append("maximum_dollars_per_1000_requests must be ≥ 0")
        }
        // A gate that passes on no answered example judges nothing.
        if minimumExamples < 1 {
            problems.append("minimum_examples must be ≥ 1: a gate cannot judge a model on no examples")
        }
        return problems
    }

    private enum CodingKeys: String, CodingKey, CaseIterable {
        case name, minimums, maximums
        case latency = "latency_ms"
        case sliceMinimums = "slice_minimums"
        case nonInferiority = "non_inferiority"
        case maximumDollarsPer1000Requests = "maximum_dollars_per_1000_requests"
        case maximumFailureRate = "maximum_failure_rate"
        case requiredSuites = "required_suites"
        case minimumExamples = "minimum_examples"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let unknown = Set(try decoder.container(keyedBy: AnyKey.self).allKeys.map(\.stringValue)).subtracting(
            CodingKeys.allCases.map(\.rawValue))
        if let key = unknown.sorted().first {
            throw DecodingError.dataCorrupted(
                .init(
                    codingPath: [],
                    debugDescription:
                        "unknown field \"\(key)\"; known fields are \(CodingKeys.allCases.map(\.rawValue).joined(separator: ", "))"
                ))
        }
        func metrics(_ raw: [String: Double], at path: String) throws -> [Metric: Double] {
            try Dictionary(
                uniqueKeysWithValues: raw.map { key, value in
                    guard let metric = Metric(rawValue: key) else {
                        throw DecodingError.dataCorrupted(
                            .init(
                                codingPath: [],
                                debugDescription:
                                    "\(path).\(key): unknown metric; use one of \(Metric.allCases.map(\.rawValue).joined(separator: ", "))"
                            ))
                    }
                    return (metric, value)
                })
        }
        self.init(
            name: try container.decodeIfPresent(String.self, forKey: .name) ?? "gate",
            minimums: try metrics(
                container.decodeIfPresent([String: Double].self, forKey: .minimums) ?? [:], at: "minimums"),
            maximums: try metrics(
                container.decodeIfPresent([String: Double].self, forKey: .maximums) ?? [:], at: "maximums"),
            sliceMinimums: try
                (container.decodeIfPresent([String: [String: Double]].self, forKey: .sliceMinimums) ?? [:])
                .reduce(into: [:]) { result, entry in
                    result[entry.key] = try metrics(entry.value, at: "slice_minimums.\(entry.key)")
                },
            nonInferiority: try container.decodeIfPresent(NonInferiority.self, forKey: .nonInferiority),
            latency: try container.decodeIfPresent(LatencyBudget.self, forKey: .latency),
            maximumDollarsPer1000Requests: try container.decodeIfPresent(
                Double.self, forKey: .maximumDollarsPer1000Requests),
            maximumFailureRate: try container.decodeIfPresent(Double.self, forKey: .maximumFailureRate),
            requiredSuites: try container.decodeIfPresent([String].self, forKey: .requiredSuites) ?? [],
            minimumExamples: try container.decodeIfPresent(Int.self, forKey: .minimumExamples) ?? 1)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        func raw(_ metrics: [Metric: Double]) -> [String: Double] {
            Dictionary(uniqueKeysWithValues: metrics.map { ($0.key.rawValue, $0.value) })
        }
        try container.encode(name, forKey: .name)
        if !minimums.isEmpty { try container.encode(raw(minimums), forKey: .minimums) }
        if !maximums.isEmpty { try container.encode(raw(maximums), forKey: .maximums) }
        if !sliceMinimums.isEmpty { try container.encode(sliceMinimums.mapValues(raw), forKey: .sliceMinimums) }
        try container.encodeIfPresent(nonInferiority, forKey: .nonInferiority)
        try container.encodeIfPresent(latency, forKey: .latency)
        try container.encodeIfPresent(maximumDollarsPer1000Requests, forKey: .maximumDollarsPer1000Requests)
        try container.encodeIfPresent(maximumFailureRate, forKey: .maximumFailureRate)
        if !requiredSuites.isEmpty { try container.encode(requiredSuites, forKey: .requiredSuites) }
        try container.encode(minimumExamples, forKey: .minimumExamples)
    }

    private struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}

extension Gate {
    /// Reads a gate from a JSON file; a malformed or self-contradicting gate is an error
    /// naming the field.
    public init(contentsOf url: URL) throws {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw EvalFileError(path: url.path, reason: "cannot read the gate; check the path")
        }
        do { self = try JSONDecoder().decode(Self.self, from: data) } catch {
            throw EvalFileError(path: url.path, decodingError: error, data: data)
        }
        if let problem = problems.first { throw EvalFileError(path: url.path, reason: problem) }
    }
}
