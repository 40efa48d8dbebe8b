/// At most `limit` operations at once, the rest waiting in order; the limit adapts to rate
/// limits.
///
/// A rate-limited server answers 429 to every request over its budget, so keeping `maximum`
/// requests in flight after one turns each later request into another 429 and a run that
/// only ends when retries run out. On a 429 the limit halves (never below one) and no new
/// attempt starts until the server's `Retry-After` (or the backoff) has passed; each run of
/// `limit` successes raises it by one again, back to `maximum` (additive increase,
/// multiplicative decrease, as TCP's congestion control does).
actor ConcurrencyLimiter {
    private let maximum: Int
    private(set) var limit: Int
    private var running = 0
    private var waiting: [CheckedContinuation<Void, Never>] = []
    private var successesSinceChange = 0
    private var pausedUntil: ContinuousClock.Instant?
    /// How many times a rate limit lowered the limit or paused the client.
    private(set) var throttles = 0

    init(maximum: Int) {
        self.maximum = maximum
        limit = maximum
    }

    /// Waits until a rate limit's pause is over; every attempt calls it before it is sent.
    func waitOutPause() async throws {
        while let until = pausedUntil, until > .now {
            try await Task.sleep(until: until, clock: .continuous)
        }
    }

    /// The server said it is over its rate limit: fewer requests at once, none before `wait`.
    func throttle(for wait: Duration) {
        throttles += 1
        limit = max(1, limit / 2)
        successesSinceChange = 0
        let until = ContinuousClock.now + wait
        if pausedUntil.map({ $0 < until }) ?? true { pausedUntil = until }
    }

    /// A request went through: after `limit` of them in a row, one more may run at once.
    func succeeded() {
        guard limit < maximum else { return }
        successesSinceChange += 1
        if successesSinceChange >= limit {
            limit += 1
            successesSinceChange = 0
            admit()
        }
    }

    /// Takes a slot, waiting in order for one; every ``acquire()`` is followed by one ``release()``.
    func acquire() async {
        if running < limit {
            running += 1
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    /// Gives a slot back.
    func release() {
        running -= 1
        admit()
    }

    /// Hands free slots to waiters, in order; the slot is counted for them here.
    private func admit() {
        while running < limit, !waiting.isEmpty {
            running += 1
            waiting.removeFirst().resume()
        }
    }
}
