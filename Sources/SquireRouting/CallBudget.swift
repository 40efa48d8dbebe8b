/// Caps how many calls may go to an expensive model per time window — a guard against a
/// traffic spike or a confidence collapse turning into a frontier bill.
///
/// When the budget is spent, a cascade keeps the local answers (marked degraded) instead
/// of escalating. Safe to share between tasks and cascades.
public actor CallBudget {
    /// Calls allowed per window.
    public let maximumCalls: Int
    /// The window length.
    public let window: Duration
    private let now: @Sendable () -> Duration
    private var recent: [(time: Duration, count: Int)] = []

    /// A budget of `maximumCalls` per `window` (default one minute), on the continuous clock.
    public init(maximumCalls: Int, per window: Duration = .seconds(60)) {
        let clock = ContinuousClock()
        let start = clock.now
        self.init(maximumCalls: maximumCalls, per: window) { clock.now - start }
    }

    /// A budget on a custom time source (elapsed time since any fixed point), for tests.
    public init(maximumCalls: Int, per window: Duration, now: @escaping @Sendable () -> Duration) {
        self.maximumCalls = max(0, maximumCalls)
        self.window = window
        self.now = now
    }

    /// Takes up to `count` calls from the budget; returns how many it granted.
    public func reserve(upTo count: Int) -> Int {
        let time = now()
        recent.removeAll { time - $0.time >= window }
        let used = recent.reduce(0) { $0 + $1.count }
        let granted = max(0, min(count, maximumCalls - used))
        if granted > 0 { recent.append((time, granted)) }
        return granted
    }

    /// Calls still available in the current window.
    public var remaining: Int {
        let time = now()
        return maximumCalls - recent.filter { time - $0.time < window }.reduce(0) { $0 + $1.count }
    }
}
