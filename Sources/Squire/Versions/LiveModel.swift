public import SquireCore
import Synchronization

/// The model an agent serves, swappable while it serves: a `TextClassifier` that answers with
/// the current version, so a `Cascade` or a handler keeps one reference across promotions and
/// rollbacks.
///
/// A swap takes effect for calls that start after it; a call in flight finishes on the version
/// it started with, so no call is dropped or answered half by one version and half by another.
/// The version before the current one is kept for ``rollBack()``. A version whose label set
/// differs from the current one is refused unless the swap says to accept it, because the code
/// behind the classifier routes by label.
///
/// It is a class with a lock rather than an actor because `TextClassifier.labels` is read
/// synchronously; the lock guards only the reference swap, never a model call.
public final class LiveModel: TextClassifier {
    /// A model with the name of its version.
    public struct Version: Sendable {
        /// The version's name, such as a bundle's version.
        public var name: String
        /// The model.
        public var model: any TextClassifier

        /// Names `model` as `name`.
        public init(_ name: String, _ model: any TextClassifier) {
            self.name = name
            self.model = model
        }
    }

    /// Why a swap or rollback was refused; the current version keeps serving.
    public enum SwapError: Error, Sendable, Hashable, CustomStringConvertible {
        /// The new version answers other labels than the current one.
        case labelsDiffer(current: [String], new: [String])
        /// There is no previous version to roll back to.
        case nothingToRollBackTo(current: String)

        public var description: String {
            switch self {
            case .labelsDiffer(let current, let new):
                let added = Set(new).subtracting(current).sorted()
                let removed = Set(current).subtracting(new).sorted()
                return
                    "the new version's labels differ (added: \(added.isEmpty ? "none" : added.joined(separator: ", ")); removed: \(removed.isEmpty ? "none" : removed.joined(separator: ", "))); swap with acceptingNewLabels: true if the code behind it handles them"
            case .nothingToRollBackTo(let current):
                return "\(current) is the only version this slot has served; nothing to roll back to"
            }
        }
    }

    private struct Slot {
        var current: Version
        var previous: Version?
    }

    private let slot: Mutex<Slot>

    /// Serves `version`.
    public init(_ version: Version) {
        slot = Mutex(Slot(current: version, previous: nil))
    }

    /// Serves the bundle's model under the bundle's version.
    public convenience init(_ bundle: ModelBundle) {
        self.init(Version(bundle.version, bundle))
    }

    /// The version serving now.
    public var current: Version { slot.withLock { $0.current } }

    /// The version a rollback returns to, if any.
    public var previous: Version? { slot.withLock { $0.previous } }

    /// The current version's labels.
    public var labels: [String] { current.model.labels }

    /// Answers with the version current when the call starts.
    public func classify(_ texts: [String]) async throws -> [Classification] {
        try await current.model.classify(texts)
    }

    /// Makes `version` current; the current one becomes the rollback target.
    ///
    /// - Throws: ``SwapError/labelsDiffer(current:new:)`` unless `acceptingNewLabels`; the
    ///   current version keeps serving.
    public func swap(to version: Version, acceptingNewLabels: Bool = false) throws {
        // Labels are read outside the lock: a model's `labels` may itself read a slot.
        let newLabels = version.model.labels
        while true {
            let current = self.current
            let currentLabels = current.model.labels
            guard acceptingNewLabels || Set(newLabels) == Set(currentLabels) else {
                throw SwapError.labelsDiffer(current: currentLabels, new: newLabels)
            }
            // Swap only if nobody swapped meanwhile; otherwise check against the newer version.
            let swapped = slot.withLock { slot in
                guard slot.current.name == current.name else { return false }
                // Serving the same version again keeps the real rollback target.
                if slot.current.name != version.name { slot = Slot(current: version, previous: current) }
                return true
            }
            if swapped { return }
        }
    }

    /// Makes the previous version current again, and returns it; the version it replaces
    /// becomes the previous one, so a second rollback undoes the first.
    ///
    /// - Throws: ``SwapError/nothingToRollBackTo(current:)``.
    @discardableResult
    public func rollBack() throws -> Version {
        try slot.withLock { slot in
            guard let previous = slot.previous else { throw SwapError.nothingToRollBackTo(current: slot.current.name) }
            slot = Slot(current: previous, previous: slot.current)
            return previous
        }
    }
}
