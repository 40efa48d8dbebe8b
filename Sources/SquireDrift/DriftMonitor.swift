public import Foundation
import SquireCore

/// Consumes a stream of predictions in windows, judges each window against the reference
/// profile and the drift budget, and decides hold, retrain or roll back.
///
/// The monitor is a value: ``save(to:)`` writes its whole state (the open window included)
/// atomically, and ``init(profile:budget:resumingFrom:)`` continues exactly where it was
/// saved. ``State/consumed`` counts the predictions taken from the stream, so a restarted
/// reader skips that many and no window is lost or counted twice. A rejected observation
/// (NaN confidence, unknown label) throws and leaves the state untouched.
public struct DriftMonitor: Sendable {
    /// How the stream is cut into windows.
    public enum Windowing: Sendable, Hashable, Codable {
        /// A window every `n` predictions.
        case count(Int)
        /// A window per time span (predictions need timestamps).
        case duration(seconds: Double)
    }

    /// Everything needed to resume.
    public struct State: Sendable, Hashable, Codable {
        /// Predictions taken from the stream so far.
        public var consumed: Int = 0
        /// Windows closed so far.
        public var windowsClosed: Int = 0
        /// The open window.
        var pending: [Observation] = []
        /// The previous version's predictions for the open window, where given.
        var pendingShadow: [Observation?] = []
        /// Start of the open window (time-based windows).
        var windowStart: Date?
        /// Recent windows, newest last, since the last version change.
        var history: [WindowAssessment] = []
        /// The last window's trusted accuracy and version, across version changes.
        var previousAccuracy: Double?
        var previousVersion: String?
        /// Windows since the model version last changed.
        var windowsSinceVersionChange = Int.max / 2
        /// The standing decision.
        public var action: DriftDecision.Action = .hold
        /// Identifies the profile the state belongs to.
        var profileFingerprint = ""

        private enum CodingKeys: String, CodingKey {
            case consumed, pending, history, action
            case windowsClosed = "windows_closed"
            case pendingShadow = "pending_shadow"
            case windowStart = "window_start"
            case previousAccuracy = "previous_accuracy"
            case previousVersion = "previous_version"
            case windowsSinceVersionChange = "windows_since_version_change"
            case profileFingerprint = "profile_fingerprint"
        }
    }

    /// The reference the windows are judged against.
    public let profile: ReferenceProfile
    /// The budget.
    public let budget: DriftBudget
    /// How windows are cut.
    public let windowing: Windowing
    /// Permutations for the embedding test's p-value (evidence only).
    public var permutations = 200
    /// The state, to inspect or persist.
    public private(set) var state: State

    /// Starts a monitor; windows default to the profile's window size.
    public init(profile: ReferenceProfile, budget: DriftBudget = DriftBudget(), windowing: Windowing? = nil) throws {
        try budget.validate()
        let windowing = windowing ?? .count(profile.windowSize)
        switch windowing {
        case .count(let n):
            guard n >= 1 else { throw DriftInputError.invalidSetting("windows need at least one prediction") }
        case .duration(let seconds):
            guard seconds > 0, seconds.isFinite else {
                throw DriftInputError.invalidSetting("window durations must be positive")
            }
        }
        self.profile = profile
        self.budget = budget
        self.windowing = windowing
        state = State()
        state.profileFingerprint = Self.fingerprint(profile)
    }

    /// Resumes from a state written by ``save(to:)`` for the same profile.
    public init(
        profile: ReferenceProfile, budget: DriftBudget = DriftBudget(), windowing: Windowing? = nil,
        resumingFrom url: URL
    ) throws {
        try self.init(profile: profile, budget: budget, windowing: windowing)
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw DriftFileError(path: url.path, reason: "cannot read the monitor state; check the path")
        }
        let saved: State
        do { saved = try JSONDecoder().decode(State.self, from: data) } catch let error as DecodingError {
            throw DriftFileError(
                path: url.path,
                reason:
                    "the monitor state is corrupt (\(error.summary)); restore it from a backup or start over without it"
            )
        }
        guard saved.profileFingerprint == state.profileFingerprint else {
            throw DriftFileError(
                path: url.path,
                reason: "the monitor state belongs to another reference profile; start a new state for this profile")
        }
        guard saved.pending.count == saved.pendingShadow.count, saved.consumed >= saved.pending.count else {
            throw DriftFileError(
                path: url.path,
                reason: "the monitor state is inconsistent; restore it from a backup or start over without it")
        }
        state = saved
    }

    /// Writes the state atomically: readers and restarts see the old state or the new one.
    public func save(to url: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try AtomicFile.write(Array(try encoder.encode(state)), to: url.path)
    }

    /// Takes one prediction (and, for rollback checks, the previous version's prediction
    /// for the same request); returns a decision when it closes a window.
    public mutating func observe(_ observation: Observation, previousVersion shadow: Observation? = nil) throws
        -> DriftDecision?
    {
        try observation.validate(labels: Set(profile.labels))
        // Checked now, not when the window closes: one bad vector must not sink a whole window.
        if let embedding = observation.embedding, let sketch = profile.embeddingSketch,
            embedding.count != sketch.inputDimension
        {
            throw DriftInputError.dimensionMismatch(expected: sketch.inputDimension, actual: embedding.count)
        }
        if let shadow {
            guard shadow.confidence.isFinite, (0...1).contains(shadow.confidence) else {
                throw DriftInputError.nonFinite("previous version's confidence")
            }
        }
        var decision: DriftDecision?
        switch windowing {
        case .count(let size):
            state.pending.append(observation)
            state.pendingShadow.append(shadow)
            if state.pending.count >= size { decision = try closeWindow() }
        case .duration(let seconds):
            guard let time = observation.timestamp else {
                throw DriftInputError.invalidSetting("time-based windows need a timestamp on every prediction")
            }
            if let start = state.windowStart, time.timeIntervalSince(start) >= seconds, !state.pending.isEmpty {
                decision = try closeWindow()
            }
            if state.pending.isEmpty { state.windowStart = time }
            state.pending.append(observation)
            state.pendingShadow.append(shadow)
        }
        state.consumed += 1
        return decision
    }

    private mutating func closeWindow() throws -> DriftDecision {
        let window = state.pending
        let shadows = state.pendingShadow
        let signals = try WindowSignals(
            window, against: profile, permutations: permutations, seed: UInt64(state.windowsClosed), detailed: true)
        let bands = profile.bands
        let allowed = budget.allowedDrift
        func signal(_ name: String, _ value: Double, band: Double, allowed: Double?, pValue: Double? = nil)
            -> WindowAssessment.Signal
        {
            .init(
                name: name, value: value, band: band, allowed: allowed,
                exceeded: value > band && value > (allowed ?? -.infinity), pValue: pValue)
        }
        var list = [
            signal(
                "predicted_labels", signals.labelDistance, band: bands.labelDistance, allowed: allowed.labelDistance,
                pValue: signals.labelTest?.pValue),
            signal(
                "confidence", signals.confidenceStability, band: bands.confidenceStability,
                allowed: allowed.populationStability, pValue: signals.confidenceTest?.pValue),
        ]
        if let value = signals.textLengthStability, let band = bands.textLengthStability {
            list.append(signal("text_length", value, band: band, allowed: allowed.populationStability))
        }
        if let value = signals.unknownTokenStability, let band = bands.unknownTokenStability {
            list.append(signal("unknown_token_rate", value, band: band, allowed: allowed.populationStability))
        }
        if let test = signals.embedding, let band = bands.embeddingDiscrepancy {
            list.append(
                signal(
                    "embedding", test.statistic, band: band, allowed: allowed.embeddingDiscrepancy, pValue: test.pValue)
            )
        }
        // The label-free estimate is a signal too: a drop below the shipped figure larger than
        // reference windows show is drift the model's own confidence admits to. Its practical
        // allowance is the budget's maximum drop, which alarms on its own below.
        if let shipped = profile.shippedAccuracy {
            list.append(
                signal(
                    "estimated_accuracy", shipped - signals.estimatedAccuracy, band: bands.accuracyEstimateSpread,
                    allowed: nil))
        }
        let versions = CategoricalDistribution(window.compactMap(\.modelVersion))
        let version = versions.counts.max { $0.value < $1.value || ($0.value == $1.value && $0.key > $1.key) }?.key
        var assessment = WindowAssessment(
            index: state.windowsClosed, count: window.count, modelVersion: version,
            start: window.compactMap(\.timestamp).min(), end: window.compactMap(\.timestamp).max(), signals: list,
            estimatedAccuracy: signals.estimatedAccuracy,
            estimateLower: max(0, signals.estimatedAccuracy - signals.estimateHalfWidth),
            estimateUpper: min(1, signals.estimatedAccuracy + signals.estimateHalfWidth),
            realizedAccuracy: signals.realizedAccuracy, labelledCount: signals.labelledCount, accuracyDrop: nil,
            previousVersionAccuracy: Self.previousVersionAccuracy(window, shadows), alarming: false)
        assessment.accuracyDrop = profile.shippedAccuracy.map { $0 - assessment.bestAccuracy }
        let dropTooLarge = (assessment.accuracyDrop ?? 0) > budget.maximumAccuracyDrop
        assessment.alarming = assessment.drifted || dropTooLarge

        var reasons: [String] = []
        let versionChanged = version != nil && state.previousVersion != nil && version != state.previousVersion
        if versionChanged {
            state.windowsSinceVersionChange = 0
            // A new version (a retrained model, or the rollback itself) starts with a fresh budget.
            state.history = []
            state.action = .hold
        } else {
            state.windowsSinceVersionChange += 1
        }
        state.history.append(assessment)
        if state.history.count > budget.horizon { state.history.removeFirst(state.history.count - budget.horizon) }
        let spent = state.history.filter(\.alarming).count
        let trailingAlarms = state.history.reversed().prefix { $0.alarming }.count
        let trailingClean = state.history.reversed().prefix { !$0.alarming }.count

        func percent(_ value: Double) -> String { String(format: "%.1f%%", value * 100) }
        let fromPrevious = state.previousAccuracy.map { $0 - assessment.bestAccuracy } ?? 0
        let suddenDrop = max(fromPrevious, assessment.accuracyDrop ?? 0)
        var queue: [Observation] = []
        if state.windowsSinceVersionChange < budget.confirmationWindows, suddenDrop >= budget.suddenDrop,
            let previous = assessment.previousVersionAccuracy, previous > assessment.bestAccuracy
        {
            state.action = .rollback
            reasons.append(
                "accuracy fell by \(percent(suddenDrop)) right after the switch to \(version ?? "a new version"), and the previous version scores \(percent(previous)) on this window against \(percent(assessment.bestAccuracy)): roll back"
            )
        } else {
            switch state.action {
            case .hold, .rollback:
                if spent > budget.allowedDriftingWindows && trailingAlarms >= budget.confirmationWindows {
                    state.action = .retrain
                    reasons.append(
                        "drift budget spent: \(spent) of the last \(state.history.count) windows alarmed (\(budget.allowedDriftingWindows) allowed), the last \(trailingAlarms) in a row: retrain"
                    )
                } else if state.action == .rollback {
                    reasons.append(
                        "still waiting for the rollback: the window was answered by \(version ?? "an unknown version")")
                } else {
                    reasons.append(
                        "within budget: \(spent) of the last \(state.history.count) windows alarmed (\(budget.allowedDriftingWindows) allowed)"
                    )
                }
            case .retrain:
                if trailingClean >= budget.confirmationWindows {
                    state.action = .hold
                    reasons.append("\(trailingClean) clean windows in a row: back to hold")
                } else {
                    reasons.append(
                        "retrain stands until \(budget.confirmationWindows) clean windows in a row (\(trailingClean) so far)"
                    )
                }
            }
            if versionChanged, suddenDrop >= budget.suddenDrop, assessment.previousVersionAccuracy == nil {
                reasons.append(
                    "accuracy fell by \(percent(suddenDrop)) after a version change, but no predictions of the previous version on this window were given, so a rollback cannot be confirmed"
                )
            }
        }
        if state.action == .retrain {
            queue = Array(
                window.enumerated().sorted { ($0.element.confidence, $0.offset) < ($1.element.confidence, $1.offset) }
                    .prefix(budget.labellingQueueSize).map(\.element))
        }
        for signal in list where signal.exceeded {
            let allowance = signal.allowed.map { " and the allowed \(String(format: "%.4f", $0))" } ?? ""
            reasons.append(
                "\(signal.name) drifted: \(String(format: "%.4f", signal.value)) beyond the reference band \(String(format: "%.4f", signal.band))\(allowance)"
            )
        }
        if let drop = assessment.accuracyDrop {
            reasons.append(
                "accuracy \(percent(assessment.bestAccuracy)) (\(assessment.labelledCount >= 30 ? "realized on \(assessment.labelledCount) labels" : "estimated, 95% interval \(percent(assessment.estimateLower))–\(percent(assessment.estimateUpper))")) vs shipped \(percent(profile.shippedAccuracy!)): a drop of \(percent(drop)), \(dropTooLarge ? "beyond" : "within") the allowed \(percent(budget.maximumAccuracyDrop))"
            )
        }

        state.previousAccuracy = assessment.bestAccuracy
        state.previousVersion = version ?? state.previousVersion
        state.windowsClosed += 1
        state.pending = []
        state.pendingShadow = []
        state.windowStart = nil
        return DriftDecision(
            action: state.action, window: assessment, reasons: reasons, budgetSpent: spent,
            budgetAllowed: budget.allowedDriftingWindows, labellingQueue: queue)
    }

    /// The previous version's accuracy on the window: realized on delayed labels when at
    /// least 30 arrived, else its mean confidence; `nil` unless half the window has shadow answers.
    static func previousVersionAccuracy(_ window: [Observation], _ shadows: [Observation?]) -> Double? {
        let pairs = zip(window, shadows).compactMap { main, shadow in shadow.map { (main, $0) } }
        guard pairs.count * 2 >= window.count, !pairs.isEmpty else { return nil }
        let labelled = pairs.filter { $0.0.trueLabel != nil }
        if labelled.count >= 30 {
            return Double(labelled.filter { $0.1.label == $0.0.trueLabel }.count) / Double(labelled.count)
        }
        return pairs.reduce(0) { $0 + $1.1.confidence } / Double(pairs.count)
    }

    static func fingerprint(_ profile: ReferenceProfile) -> String {
        "\(profile.labels.count)/\(profile.confidences.count)/\(profile.windowSize)/\(profile.meanConfidence)/\(profile.modelVersion ?? "")"
    }
}
