import Foundation
import SquireCore
public import SquireEval

/// The cost–quality curve of a cascade, computed from evaluated answers, and the threshold
/// that reaches a target.
///
/// Each point escalates the requests whose local confidence is below its threshold: they
/// are answered as the fallback answered them (or correctly, when the fallback is taken to
/// be perfect — labels standing in for the frontier model). RouteLLM's metrics come with
/// it: the performance gap recovered (PGR) at each call share, its average over call shares
/// (APGR; a random router scores 0.5), and the call share needed to recover a given part of
/// the gap (CPT).
public struct ThresholdCalibration: Sendable, Hashable, Codable {
    /// One threshold's outcome.
    public struct Point: Sendable, Hashable, Codable {
        /// Local answers at or above this confidence stand.
        public var threshold: Double
        /// The share of requests sent to the fallback.
        public var escalationRate: Double
        /// The cascade's accuracy.
        public var accuracy: Double
        /// The share of the local-to-fallback accuracy gap recovered; `nil` when there is no gap.
        public var gapRecovered: Double?
        /// Dollars per 1,000 requests: every request pays the local call, escalated ones the fallback too.
        public var dollarsPer1000Requests: Double

        private enum CodingKeys: String, CodingKey {
            case threshold, accuracy
            case escalationRate = "escalation_rate"
            case gapRecovered = "gap_recovered"
            case dollarsPer1000Requests = "dollars_per_1000_requests"
        }
    }

    /// Requests the curve is computed over.
    public var count: Int
    /// Accuracy of the local model alone.
    public var localAccuracy: Double
    /// Accuracy of the fallback alone.
    public var fallbackAccuracy: Double
    /// Every distinct threshold, from escalating nothing to escalating everything.
    public var points: [Point]
    /// The point chosen for the target; `nil` when no point reaches it.
    public var chosen: Point?
    /// Dollars per 1,000 requests when every request goes to the fallback.
    public var fallbackOnlyDollarsPer1000Requests: Double
    /// The area under gap recovered against escalation rate; a random router scores 0.5.
    public var averageGapRecovered: Double?

    /// What the calibration aims for.
    public enum Target: Sendable, Hashable {
        /// The lowest escalation rate whose accuracy is at least this.
        case accuracy(Double)
        /// The best accuracy whose escalation rate is at most this.
        case escalationRate(Double)
    }

    /// Computes the curve from parallel arrays: the local model's answers (label and
    /// confidence), the correct labels, and whether the fallback was right on each request
    /// (`nil`: always right).
    public init(
        localLabels: [String], localConfidences: [Double], correctLabels: [String], fallbackCorrect: [Bool]? = nil,
        target: Target, localDollarsPer1000: Double = 0, fallbackDollarsPer1000: Double = 0
    ) throws {
        let n = localLabels.count
        guard n > 0 else {
            throw RoutingError.invalidSetting("threshold calibration needs at least one evaluated request")
        }
        guard localConfidences.count == n, correctLabels.count == n, fallbackCorrect.map({ $0.count == n }) ?? true
        else {
            throw RoutingError.invalidSetting(
                "local answers, confidences, correct labels and fallback outcomes must be parallel lists")
        }
        guard localConfidences.allSatisfy({ $0.isFinite }) else {
            throw RoutingError.invalidSetting("local confidences must be finite numbers")
        }
        switch target {
        case .accuracy(let value), .escalationRate(let value):
            guard (0...1).contains(value) else {
                throw RoutingError.invalidSetting("the target must be between 0 and 1")
            }
        }
        let localRight = zip(localLabels, correctLabels).map { $0 == $1 }
        let fallbackRight = fallbackCorrect ?? Array(repeating: true, count: n)
        let localAccuracy = Double(localRight.filter { $0 }.count) / Double(n)
        let fallbackAccuracy = Double(fallbackRight.filter { $0 }.count) / Double(n)
        let gap = fallbackAccuracy - localAccuracy

        // Escalate the k least confident; ties move together, since one threshold cannot split them.
        let order = (0..<n).sorted { localConfidences[$0] < localConfidences[$1] }
        var correct = localRight.filter { $0 }.count
        var points: [Point] = []
        func add(threshold: Double, escalated: Int) {
            let accuracy = Double(correct) / Double(n)
            let rate = Double(escalated) / Double(n)
            points.append(
                Point(
                    threshold: threshold, escalationRate: rate, accuracy: accuracy,
                    gapRecovered: gap > 0 ? (accuracy - localAccuracy) / gap : nil,
                    dollarsPer1000Requests: localDollarsPer1000 + rate * fallbackDollarsPer1000))
        }
        var k = 0
        add(threshold: Self.shortestDecimal(above: nil, atMost: localConfidences[order[0]]), escalated: 0)
        while k < n {
            let value = localConfidences[order[k]]
            while k < n && localConfidences[order[k]] == value {
                let i = order[k]
                correct += (fallbackRight[i] ? 1 : 0) - (localRight[i] ? 1 : 0)
                k += 1
            }
            let threshold = Self.shortestDecimal(above: value, atMost: k < n ? localConfidences[order[k]] : nil)
            add(threshold: threshold, escalated: k)
        }
        count = n
        self.localAccuracy = localAccuracy
        self.fallbackAccuracy = fallbackAccuracy
        fallbackOnlyDollarsPer1000Requests = fallbackDollarsPer1000
        self.points = points
        if gap > 0 {
            // Trapezoids over escalation rate; the curve starts at (0, 0) and ends at (1, 1).
            averageGapRecovered = zip(points, points.dropFirst()).reduce(0) { sum, pair in
                sum + (pair.1.escalationRate - pair.0.escalationRate)
                    * ((pair.0.gapRecovered ?? 0) + (pair.1.gapRecovered ?? 0)) / 2
            }
        } else {
            averageGapRecovered = nil
        }
        switch target {
        case .accuracy(let goal):
            chosen = points.first { $0.accuracy >= goal - 1e-12 }
        case .escalationRate(let limit):
            chosen = points.filter { $0.escalationRate <= limit + 1e-12 }.max {
                ($0.accuracy, -$0.escalationRate) < ($1.accuracy, -$1.escalationRate)
            }
        }
    }

    /// Calibrates from the local model's eval report and, when the fallback is not taken
    /// to be perfect, the fallback's report on the same examples (paired by id).
    public init(local: EvalReport, fallback: EvalReport? = nil, target: Target) throws {
        let fallbackByID = fallback.map {
            Dictionary($0.predictions.map { ($0.id, $0.isCorrect) }, uniquingKeysWith: { first, _ in first })
        }
        // Each local answer with its expected label and, when there is a fallback report, whether
        // the fallback got the same example right; examples either side lacks are left out.
        let answered = local.predictions.compactMap { prediction -> (Classification, String, Bool?)? in
            guard let classification = prediction.classification else { return nil }
            guard let fallbackByID else { return (classification, prediction.expected, nil) }
            return fallbackByID[prediction.id].map { (classification, prediction.expected, $0) }
        }
        guard !answered.isEmpty else { throw RoutingError.invalidSetting("the reports share no answered example") }
        try self.init(
            localLabels: answered.map(\.0.label),
            localConfidences: answered.map(\.0.confidence),
            correctLabels: answered.map(\.1),
            fallbackCorrect: fallbackByID == nil ? nil : answered.map { $0.2 ?? false },
            target: target,
            localDollarsPer1000: local.cost.dollarsPer1000Requests,
            fallbackDollarsPer1000: fallback?.cost.dollarsPer1000Requests ?? 0)
    }

    /// The decimal with the fewest digits in `(low, high]` (an absent bound is unbounded):
    /// every threshold there escalates the same requests (those with confidence below it),
    /// and the shortest one reads back exactly as printed — a threshold rounded for display
    /// could fall on the other side of a confidence and route the opposite way.
    package static func shortestDecimal(above low: Double?, atMost high: Double?) -> Double {
        for digits in 0...17 {
            let scale = pow(10, Double(digits))
            // Rounding to nearest first: 0.69 × 100 is 68.99999999999999, which rounds down to 68.
            let candidates =
                if let high { [(high * scale).rounded() / scale, (high * scale).rounded(.down) / scale] } else {
                    [((low! * scale).rounded(.down) + 1) / scale]
                }
            if let candidate = candidates.first(where: { $0 > (low ?? -.infinity) && $0 <= (high ?? .infinity) }) {
                return candidate
            }
        }
        return high ?? low!.nextUp
    }

    /// The smallest escalation rate that recovers at least `fraction` of the gap (RouteLLM's CPT).
    public func escalationRate(recoveringGap fraction: Double) -> Double? {
        points.first { ($0.gapRecovered ?? -1) >= fraction - 1e-12 }?.escalationRate
    }

    /// Accuracy a random router reaches when it escalates `rate` of the requests.
    public func randomRouterAccuracy(escalationRate rate: Double) -> Double {
        (1 - rate) * localAccuracy + rate * fallbackAccuracy
    }

    /// Dollars per 1,000 requests the chosen point saves against sending everything to the fallback.
    public var savedDollarsPer1000Requests: Double? {
        chosen.map { fallbackOnlyDollarsPer1000Requests - $0.dollarsPer1000Requests }
    }

    private enum CodingKeys: String, CodingKey {
        case count, points, chosen
        case localAccuracy = "local_accuracy"
        case fallbackAccuracy = "fallback_accuracy"
        case fallbackOnlyDollarsPer1000Requests = "fallback_only_dollars_per_1000_requests"
        case averageGapRecovered = "apgr"
    }
}
