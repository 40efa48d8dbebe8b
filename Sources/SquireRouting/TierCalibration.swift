/// One threshold per local tier of a cascade with several local models in front of the
/// fallback, cheapest first, computed from recorded answers: ``ThresholdCalibration`` for
/// more than one local tier.
///
/// A request goes to the first tier; the tier answers when its confidence is at least its
/// threshold, and otherwise passes the request on to the next tier; requests no tier takes
/// go to the fallback. Every request pays for each tier it reached, so a later tier costs
/// only on what the earlier ones passed on. At runtime the same routing is nested cascades,
/// one threshold each:
///
/// ```swift
/// let cascade = Cascade(
///     local: staticTier,
///     fallback: Cascade(local: encoderTier, fallback: frontier, threshold: chosen.thresholds[1]),
///     threshold: chosen.thresholds[0])
/// ```
///
/// What is chosen: for ``ThresholdCalibration/Target/accuracy(_:)``, of the combinations of
/// thresholds that reach the accuracy, the one with the fewest dollars per 1,000 requests;
/// ties go to fewer fallback calls, then to more answers from earlier tiers (the first
/// tier's count decides, then the second's, …) — so with free local tiers the first tier
/// answers all it can without adding a single fallback call. For
/// ``ThresholdCalibration/Target/escalationRate(_:)``, the best accuracy sending at most that
/// share of requests to the fallback, ties to fewer dollars and then as before. With one tier
/// the chosen point is ``ThresholdCalibration``'s. A tier that answers nothing at the chosen
/// point still costs its calls: a cascade without it is cheaper.
///
/// The search is exact for one and two tiers: every distinct confidence of every tier is a
/// candidate threshold, and so is answering nothing. Two tiers over N requests take O(N²)
/// steps (N = 5,000 in a fraction of a second). With three or more tiers, each tier but the
/// last tries at most 100 thresholds at quantiles of the confidences that reach it (21 with
/// four tiers, 10 with five: about 10,000 combinations in all), while the last still tries
/// every confidence; ``exhaustive`` says whether that cap left any threshold out.
public struct TierCalibration: Sendable, Hashable, Codable {
    /// One local tier's recorded answers, in request order, and its price.
    public struct Tier: Sendable, Hashable {
        /// The tier's label for each request.
        public var labels: [String]
        /// The tier's confidence in each label.
        public var confidences: [Double]
        /// Dollars per 1,000 calls to this tier.
        public var dollarsPer1000Calls: Double

        /// Creates a tier from parallel lists of answers and confidences.
        public init(labels: [String], confidences: [Double], dollarsPer1000Calls: Double = 0) {
            self.labels = labels
            self.confidences = confidences
            self.dollarsPer1000Calls = dollarsPer1000Calls
        }
    }

    /// A local tier's part in a point of the cascade.
    public struct TierOutcome: Sendable, Hashable, Codable {
        /// This tier's answers at or above this confidence stand; the others move on. It is
        /// the shortest decimal that routes this way, so it reads back exactly as printed.
        public var threshold: Double
        /// The share of all requests that reached this tier, and so paid for a call to it.
        public var reachedShare: Double
        /// The share of all requests this tier answered.
        public var answeredShare: Double
        /// The tier's accuracy on the requests it answered; `nil` when it answered none.
        public var accuracy: Double?

        /// Creates an outcome.
        public init(threshold: Double, reachedShare: Double, answeredShare: Double, accuracy: Double?) {
            self.threshold = threshold
            self.reachedShare = reachedShare
            self.answeredShare = answeredShare
            self.accuracy = accuracy
        }

        private enum CodingKeys: String, CodingKey {
            case threshold, accuracy
            case reachedShare = "reached_share"
            case answeredShare = "answered_share"
        }
    }

    /// One threshold per tier and what the cascade does with them.
    public struct Point: Sendable, Hashable, Codable {
        /// Each local tier's threshold and outcome, cheapest tier first.
        public var tiers: [TierOutcome]
        /// The share of requests sent to the fallback.
        public var escalationRate: Double
        /// The fallback's accuracy on the requests sent to it; `nil` when none were.
        public var escalatedAccuracy: Double?
        /// The cascade's accuracy.
        public var accuracy: Double
        /// Dollars per 1,000 requests: each request pays every tier it reached, escalated
        /// ones the fallback too.
        public var dollarsPer1000Requests: Double

        /// The thresholds, cheapest tier first.
        public var thresholds: [Double] { tiers.map(\.threshold) }

        /// Creates a point.
        public init(
            tiers: [TierOutcome], escalationRate: Double, escalatedAccuracy: Double?, accuracy: Double,
            dollarsPer1000Requests: Double
        ) {
            self.tiers = tiers
            self.escalationRate = escalationRate
            self.escalatedAccuracy = escalatedAccuracy
            self.accuracy = accuracy
            self.dollarsPer1000Requests = dollarsPer1000Requests
        }

        private enum CodingKeys: String, CodingKey {
            case tiers, accuracy
            case escalationRate = "escalation_rate"
            case escalatedAccuracy = "escalated_accuracy"
            case dollarsPer1000Requests = "dollars_per_1000_requests"
        }
    }

    /// Requests the calibration is computed over.
    public var count: Int
    /// Each local tier's accuracy on every request, as if it answered alone.
    public var tierAccuracies: [Double]
    /// Each local tier's dollars per 1,000 calls, as given.
    public var tierDollarsPer1000Calls: [Double]
    /// Accuracy of the fallback alone.
    public var fallbackAccuracy: Double
    /// Dollars per 1,000 requests when every request goes to the fallback.
    public var fallbackOnlyDollarsPer1000Requests: Double
    /// The point chosen for the target; `nil` when no combination of thresholds reaches it.
    public var chosen: Point?
    /// Whether every distinct confidence was tried as every tier's threshold; `false` when
    /// the cap for three or more tiers left some out.
    public var exhaustive: Bool

    /// Dollars per 1,000 requests the chosen point saves against sending everything to the fallback.
    public var savedDollarsPer1000Requests: Double? {
        chosen.map { fallbackOnlyDollarsPer1000Requests - $0.dollarsPer1000Requests }
    }

    /// Chooses the thresholds from the tiers' recorded answers, cheapest tier first, the
    /// correct labels, and the fallback's own answers (`nil`: the fallback is taken to be
    /// always right, as when labels stand in for the frontier model).
    ///
    /// - Throws: ``RoutingError/invalidSetting(_:)`` for no tier or no request, lists of
    ///   different lengths, a confidence that is not a finite number, a target outside 0…1,
    ///   or a price that is negative or not finite.
    public init(
        tiers: [Tier], correctLabels: [String], fallbackLabels: [String]? = nil, target: ThresholdCalibration.Target,
        fallbackDollarsPer1000: Double = 0
    ) throws {
        let n = correctLabels.count
        guard !tiers.isEmpty else {
            throw RoutingError.invalidSetting("tier calibration needs at least one local tier")
        }
        guard n > 0 else { throw RoutingError.invalidSetting("tier calibration needs at least one evaluated request") }
        for (index, tier) in tiers.enumerated() {
            guard tier.labels.count == n, tier.confidences.count == n else {
                throw RoutingError.invalidSetting(
                    "tier \(index + 1) has \(tier.labels.count) answers and \(tier.confidences.count) confidences for \(n) correct labels; they must be parallel lists"
                )
            }
            guard tier.confidences.allSatisfy(\.isFinite) else {
                throw RoutingError.invalidSetting("tier \(index + 1)'s confidences must be finite numbers")
            }
            guard tier.dollarsPer1000Calls.isFinite, tier.dollarsPer1000Calls >= 0 else {
                throw RoutingError.invalidSetting("tier \(index + 1)'s price must be a finite number ≥ 0")
            }
        }
        if let fallbackLabels, fallbackLabels.count != n {
            throw RoutingError.invalidSetting(
                "the fallback has \(fallbackLabels.count) answers for \(n) correct labels; they must be parallel lists")
        }
        guard fallbackDollarsPer1000.isFinite, fallbackDollarsPer1000 >= 0 else {
            throw RoutingError.invalidSetting("the fallback's price must be a finite number ≥ 0")
        }
        switch target {
        case .accuracy(let value), .escalationRate(let value):
            guard (0...1).contains(value) else {
                throw RoutingError.invalidSetting("the target must be between 0 and 1")
            }
        }

        let right = tiers.map { tier in zip(tier.labels, correctLabels).map { $0 == $1 } }
        let fallbackRight =
            fallbackLabels.map { zip($0, correctLabels).map { $0 == $1 } } ?? Array(repeating: true, count: n)
        var search = Search(
            confidences: tiers.map(\.confidences), right: right, fallbackRight: fallbackRight,
            prices: tiers.map(\.dollarsPer1000Calls), fallbackPrice: fallbackDollarsPer1000, target: target)
        search.run()

        count = n
        tierAccuracies = right.map { Double($0.filter { $0 }.count) / Double(n) }
        tierDollarsPer1000Calls = tiers.map(\.dollarsPer1000Calls)
        fallbackAccuracy = Double(fallbackRight.filter { $0 }.count) / Double(n)
        fallbackOnlyDollarsPer1000Requests = fallbackDollarsPer1000
        chosen = search.best.map(search.point(for:))
        exhaustive = !search.capped
    }

    private enum CodingKeys: String, CodingKey {
        case count, chosen, exhaustive
        case tierAccuracies = "tier_accuracies"
        case tierDollarsPer1000Calls = "tier_dollars_per_1000_calls"
        case fallbackAccuracy = "fallback_accuracy"
        case fallbackOnlyDollarsPer1000Requests = "fallback_only_dollars_per_1000_requests"
    }
}
