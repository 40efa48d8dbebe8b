public import Foundation
import SquireCore

/// Consumes a stream of predictions in windows, judges each window against the reference
/// profile and the drift budget, and has its ``policy`` decide hold, retrain or roll back.
///
/// The monitor is a value: ``save(to:)`` writes its whole state (the open window included)
/// atomically, and ``init(profile:budget:resumingFrom:)`` continues exactly where it was
/// saved. ``State/consumed`` counts the predictions taken from the stream, so a restarted
/// reader skips that many and no window is lost or counted twice; the state also keeps a
/// digest of them, so ``consume(_:previousVersion:savingStateTo:onDecision:)`` refuses a stream
/// that does not begin with them. A rejected observation (NaN confidence, a predicted label
/// the profile does not know) throws and leaves the state untouched.
///
/// Every window is judged against alert bands for its own size: the profile's bands when it
/// has the profile's window size, otherwise bands drawn from the profile's samples for that
/// size (``ReferenceProfile/bands(forWindowSize:)``), once per size.
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
        /// Identifies the observations consumed; `nil` in a state saved before Squire kept it.
        var streamDigest: StreamDigest? = StreamDigest()

        private enum CodingKeys: String, CodingKey {
            case consumed, pending, history, action
            case windowsClosed = "windows_closed"
            case pendingShadow = "pending_shadow"
            case windowStart = "window_start"
            case previousAccuracy = "previous_accuracy"
            case previousVersion = "previous_version"
            case windowsSinceVersionChange = "windows_since_version_change"
            case profileFingerprint = "profile_fingerprint"
            case streamDigest = "stream_digest"
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
    /// The rule that turns each judged window into hold, retrain or roll back.
    public var policy: DriftPolicy { DriftPolicy(budget: budget, shippedAccuracy: profile.shippedAccuracy) }
    /// Alert bands by window size, drawn once per size.
    private var bandsBySize: [Int: AlertBands] = [:]

    /// Starts a monitor; windows default to the profile's window size.
    ///
    /// Windows of another size than the profile's are judged against bands drawn for their
    /// size; for windows of a fixed count they are drawn here, once.
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
        if case .count(let n) = windowing { bandsBySize[n] = try profile.bands(forWindowSize: n) }
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
        // The counters only grow, one at a time, from 0 (windows since a version change: from
        // Int.max / 2). A negative one, or one too large to count on from, was not written by
        // a monitor, and would trap on the next window.
        let counters = [saved.consumed, saved.windowsClosed, saved.windowsSinceVersionChange]
        guard saved.pending.count == saved.pendingShadow.count, saved.consumed >= saved.pending.count,
            counters.allSatisfy({ $0 >= 0 && $0 < Int.max / 4 * 3 })
        else {
            throw DriftFileError(
                path: url.path,
                reason: "the monitor state is inconsistent; restore it from a backup or start over without it")
        }
        // The open window was checked as it arrived; a state edited since could make every
        // later window fail to close.
        do {
            for (observation, shadow) in zip(saved.pending, saved.pendingShadow) {
                try check(observation, previousVersion: shadow)
            }
        } catch let error as DriftInputError {
            throw DriftFileError(
                path: url.path,
                reason:
                    "the monitor state's open window holds an observation the monitor refuses (\(error)); restore it from a backup or start over without it"
            )
        }
        state = saved
    }

    /// Replaces the state wholesale, for ``rebased(on:)`` and the stream's digest check.
    mutating func replaceState(_ newState: State) { state = newState }

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
        try check(observation, previousVersion: shadow)
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
        state.streamDigest?.add(observation)
        return decision
    }

    /// Throws unless the monitor can take `observation`, checked when it arrives, not when
    /// its window closes: one bad vector must not sink a whole window.
    private func check(_ observation: Observation, previousVersion shadow: Observation?) throws {
        try observation.validate(labels: Set(profile.labels))
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
    }

    private mutating func closeWindow() throws -> DriftDecision {
        let window = state.pending
        let assessment = try WindowAssessment(
            judging: window, shadows: state.pendingShadow, index: state.windowsClosed, against: profile,
            bands: try bands(forWindowOf: window.count), budget: budget, permutations: permutations)
        let version = assessment.modelVersion
        if version != nil && state.previousVersion != nil && version != state.previousVersion {
            state.windowsSinceVersionChange = 0
            // A new version (a retrained model, or the rollback itself) starts with a fresh budget.
            state.history = []
        } else {
            state.windowsSinceVersionChange += 1
        }
        state.history.append(assessment)
        if state.history.count > budget.horizon { state.history.removeFirst(state.history.count - budget.horizon) }
        let outcome = policy.decide(
            assessment,
            given: DriftPolicy.History(
                recent: state.history, standing: state.action,
                windowsSinceVersionChange: state.windowsSinceVersionChange, previousAccuracy: state.previousAccuracy))
        state.action = outcome.action
        // The least confident requests first: the ones a retrained model most needs labels for.
        let queue =
            outcome.action == .retrain
            ? Array(
                window.enumerated().sorted { ($0.element.confidence, $0.offset) < ($1.element.confidence, $1.offset) }
                    .prefix(budget.labellingQueueSize).map(\.element)) : []

        state.previousAccuracy = assessment.bestAccuracy
        state.previousVersion = version ?? state.previousVersion
        state.windowsClosed += 1
        state.pending = []
        state.pendingShadow = []
        state.windowStart = nil
        return DriftDecision(
            action: outcome.action, window: assessment, findings: outcome.reasons, budgetSpent: outcome.budgetSpent,
            budgetAllowed: budget.allowedDriftingWindows, labellingQueue: queue)
    }

    /// The bands a window of `count` predictions is judged against. Time-based windows vary in
    /// size, so their counts are rounded down to a grid of eight steps per doubling (about 9%
    /// apart): bands are drawn for a few sizes only, each a little wider than the window's own.
    private mutating func bands(forWindowOf count: Int) throws -> AlertBands {
        var size = count
        if case .duration = windowing, count != profile.windowSize {
            size = max(1, Int(exp2((log2(Double(count)) * 8).rounded(.down) / 8)))
        }
        if let bands = bandsBySize[size] { return bands }
        let bands = try profile.bands(forWindowSize: size)
        bandsBySize[size] = bands
        return bands
    }

    static func fingerprint(_ profile: ReferenceProfile) -> String {
        "\(profile.labels.count)/\(profile.confidences.count)/\(profile.windowSize)/\(profile.meanConfidence)/\(profile.modelVersion ?? "")"
    }
}
