public import Foundation
import SquireCore

/// How much degradation a model may accumulate before the monitor says retrain, and how
/// sure it must be before it changes its mind — an error budget for model quality.
///
/// Like an SRE error budget it has two burn rates: a mild breach spends the budget window by
/// window (``allowedDriftingWindows`` among the last ``horizon``, the last
/// ``confirmationWindows`` in a row), while a severe one — an accuracy drop of
/// ``severeAccuracyDrop`` or more, or every signal at least ``severeDriftMultiple`` times beyond
/// its band and allowance — spends it at once and retrains from that window.
///
/// As JSON: `{"maximum_accuracy_drop": 0.05, "allowed_drifting_windows": 2, "horizon": 6,
/// "confirmation_windows": 2, "sudden_drop": 0.1, "severe_accuracy_drop": 0.15,
/// "severe_drift_multiple": 3, "labelling_queue_size": 50,
/// "allowed_drift": {"label_js_distance": 0.1, "psi": 0.1, "embedding_mmd2": 0.015}}`;
/// a missing key keeps its default.
public struct DriftBudget: Sendable, Hashable, Codable {
    /// The largest drop of accuracy (realized on delayed labels, else estimated) below the
    /// shipped figure a window may show.
    public var maximumAccuracyDrop: Double
    /// How far a signal may drift in one window, beyond its reference band, before the
    /// window alarms.
    public var allowedDrift: AllowedDrift
    /// Windows among the last ``horizon`` that may alarm (drift beyond the reference bands
    /// and ``allowedDrift``, or an accuracy drop beyond the maximum) before the budget is spent.
    public var allowedDriftingWindows: Int
    /// How many recent windows the budget is counted over.
    public var horizon: Int
    /// Consecutive windows needed to change the decision: alarming ones to leave `hold`,
    /// clean ones to return to it. Keeps one odd window from flipping the decision.
    public var confirmationWindows: Int
    /// An accuracy drop this large right after a model version change, with the previous
    /// version doing better on the same window, means roll back.
    public var suddenDrop: Double
    /// An alarming window whose accuracy (realized on delayed labels, else estimated) fell this
    /// far below the shipped figure, beyond its band, is a severe breach: retrain at once,
    /// without waiting for the budget — as an SRE fast-burn alert pages on a burn rate many
    /// times the sustainable one. The default is three times the default
    /// ``maximumAccuracyDrop``. 1 turns the rule off.
    public var severeAccuracyDrop: Double
    /// A window without enough delayed labels to judge, whose every signal is beyond its band
    /// and at least this many times its band and its allowance (whichever is larger), is a
    /// severe breach: the traffic has changed wholesale. A large value turns the rule off.
    public var severeDriftMultiple: Double
    /// How many of a window's least confident requests a retrain decision hands out for labelling.
    public var labellingQueueSize: Int

    /// Creates a budget; the defaults suit windows of a few hundred requests.
    public init(
        maximumAccuracyDrop: Double = 0.05, allowedDrift: AllowedDrift = AllowedDrift(),
        allowedDriftingWindows: Int = 2, horizon: Int = 6, confirmationWindows: Int = 2,
        suddenDrop: Double = 0.10, severeAccuracyDrop: Double = 0.15, severeDriftMultiple: Double = 3,
        labellingQueueSize: Int = 50
    ) {
        self.maximumAccuracyDrop = maximumAccuracyDrop
        self.allowedDrift = allowedDrift
        self.allowedDriftingWindows = allowedDriftingWindows
        self.horizon = horizon
        self.confirmationWindows = confirmationWindows
        self.suddenDrop = suddenDrop
        self.severeAccuracyDrop = severeAccuracyDrop
        self.severeDriftMultiple = severeDriftMultiple
        self.labellingQueueSize = labellingQueueSize
    }

    /// Throws when a setting is out of range.
    public func validate() throws {
        guard maximumAccuracyDrop >= 0, maximumAccuracyDrop < 1 else {
            throw DriftInputError.invalidSetting("maximum_accuracy_drop must be in 0…1")
        }
        guard suddenDrop > 0, suddenDrop < 1 else { throw DriftInputError.invalidSetting("sudden_drop must be in 0…1") }
        guard severeAccuracyDrop > 0, severeAccuracyDrop <= 1 else {
            throw DriftInputError.invalidSetting("severe_accuracy_drop must be in 0…1 (1 turns the rule off)")
        }
        guard severeDriftMultiple >= 1, severeDriftMultiple.isFinite else {
            throw DriftInputError.invalidSetting("severe_drift_multiple must be a number ≥ 1")
        }
        guard horizon >= 1, allowedDriftingWindows >= 0, allowedDriftingWindows < horizon else {
            throw DriftInputError.invalidSetting("allowed_drifting_windows must be ≥ 0 and below horizon (≥ 1)")
        }
        guard confirmationWindows >= 1, confirmationWindows <= horizon else {
            throw DriftInputError.invalidSetting("confirmation_windows must be between 1 and horizon")
        }
        guard labellingQueueSize >= 0 else { throw DriftInputError.invalidSetting("labelling_queue_size must be ≥ 0") }
        try allowedDrift.validate()
    }

    private enum CodingKeys: String, CodingKey {
        case horizon
        case maximumAccuracyDrop = "maximum_accuracy_drop"
        case allowedDrift = "allowed_drift"
        case allowedDriftingWindows = "allowed_drifting_windows"
        case confirmationWindows = "confirmation_windows"
        case suddenDrop = "sudden_drop"
        case severeAccuracyDrop = "severe_accuracy_drop"
        case severeDriftMultiple = "severe_drift_multiple"
        case labellingQueueSize = "labelling_queue_size"
    }

    public init(from decoder: any Decoder) throws {
        let defaults = DriftBudget()
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            maximumAccuracyDrop: try container.decodeIfPresent(Double.self, forKey: .maximumAccuracyDrop)
                ?? defaults.maximumAccuracyDrop,
            allowedDrift: try container.decodeIfPresent(AllowedDrift.self, forKey: .allowedDrift)
                ?? defaults.allowedDrift,
            allowedDriftingWindows: try container.decodeIfPresent(Int.self, forKey: .allowedDriftingWindows)
                ?? defaults.allowedDriftingWindows,
            horizon: try container.decodeIfPresent(Int.self, forKey: .horizon) ?? defaults.horizon,
            confirmationWindows: try container.decodeIfPresent(Int.self, forKey: .confirmationWindows)
                ?? defaults.confirmationWindows,
            suddenDrop: try container.decodeIfPresent(Double.self, forKey: .suddenDrop) ?? defaults.suddenDrop,
            severeAccuracyDrop: try container.decodeIfPresent(Double.self, forKey: .severeAccuracyDrop)
                ?? defaults.severeAccuracyDrop,
            severeDriftMultiple: try container.decodeIfPresent(Double.self, forKey: .severeDriftMultiple)
                ?? defaults.severeDriftMultiple,
            labellingQueueSize: try container.decodeIfPresent(Int.self, forKey: .labellingQueueSize)
                ?? defaults.labellingQueueSize)
    }

    /// Reads and validates a budget file.
    public init(contentsOf url: URL) throws {
        do {
            self = try JSONDecoder().decode(Self.self, from: Data(contentsOf: url))
        } catch let error as DecodingError {
            throw DriftFileError(path: url.path, reason: "not a valid budget: \(error.summary)")
        } catch {
            throw DriftFileError(path: url.path, reason: "cannot read the budget; check the path")
        }
        try validate()
    }
}
