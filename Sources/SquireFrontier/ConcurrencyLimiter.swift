/// At most `maximum` operations at once; the rest wait in order.
actor ConcurrencyLimiter {
    private let maximum: Int
    private var running = 0
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(maximum: Int) { self.maximum = maximum }

    func run<T: Sendable>(_ operation: @Sendable () async throws -> T) async throws -> T {
        await acquire()
        defer { release() }
        return try await operation()
    }

    private func acquire() async {
        if running < maximum {
            running += 1
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    private func release() {
        if waiting.isEmpty {
            running -= 1
        } else {
            // The slot passes straight to the next waiter.
            waiting.removeFirst().resume()
        }
    }
}
