public import Foundation
import SquireCore

/// How much degradation a model may accumulate before the monitor says retrain, and how
/// sure it must be before it changes its mind — an error budget for model quality.
///
/// As JSON: `{"maximum_accuracy_drop": 0.05, "allowed_drifting_windows": 2, "horizon": 6,
/// "confirmation_windows": 2, "sudden_drop": 0.1, "labelling_queue_size": 50,
/// "allowed_drift": {"label_js_distance": 0.1, "psi": 0.1, "embedding_mmd2": 0.015}}`;
/// a missing key keeps its default.
public struct DriftBudget: Sendable, Hashable, Codable {
    /// The largest drop of estimated accuracy below the shipped figure a window may show.
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
    /// How many of a window's least confident requests a retrain decision hands out for labelling.
    public var labellingQueueSize: Int

    /// Creates a budget; the defaults suit windows of a few hundred requests.
    public init(
        maximumAccuracyDrop: Double = 0.05, allowedDrift: AllowedDrift = AllowedDrift(),
        allowedDriftingWindows: Int = 2, horizon: Int = 6, confirmationWindows: Int = 2,
        suddenDrop: Double = 0.10, labellingQueueSize: Int = 50
    ) {
        self.maximumAccuracyDrop = maximumAccuracyDrop
        self.allowedDrift = allowedDrift
        self.allowedDriftingWindows = allowedDriftingWindows
        self.horizon = horizon
        self.confirmationWindows = confirmationWindows
        self.suddenDrop = suddenDrop
        self.labellingQueueSize = labellingQueueSize
    }

    /// Throws when a setting is out of range.
    public func validate() throws {
        guard maximumAccuracyDrop >= 0, maximumAccuracyDrop < 1 else {
            throw DriftInputError.invalidSetting("maximum_accuracy_drop must be in 0…1")
        }
        guard suddenDrop > 0, suddenDrop < 1 else { throw DriftInputError.invalidSetting("sudden_drop must be in 0…1") }
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
