import SquireCore
import Synchronization

/// A circuit breaker for requests the server refuses the same way every time.
///
/// A model-name typo or a wrong base path makes every request fail with the same HTTP 400 or
/// 404 ("Invalid model name"); treated as one bad answer per text, a 10,000-text run sent
/// 10,000 doomed requests. A refusal can also be about one text (too long for the context),
/// so one is not enough to stop: after `limit` identical refusals in a row — same status, same
/// message — the client stops calling and every later call fails at once with
/// `ModelError.unavailable`, which ends a labelling run instead of failing it text by text.
/// Any success in between starts the count again.
final class RepeatedRefusals: Sendable {
    private struct State {
        var last: String?
        var count = 0
        var stopped: ModelError?
    }

    /// Identical refusals in a row that stop the client.
    let limit: Int
    private let state = Mutex(State())

    init(limit: Int = 3) {
        self.limit = limit
    }

    /// Throws once the client has stopped.
    func check() throws {
        if let stopped = state.withLock({ $0.stopped }) { throw stopped }
    }

    /// A request went through.
    func succeeded() {
        state.withLock {
            $0.last = nil
            $0.count = 0
        }
    }

    /// Records a refusal (`status`, and the server's `message`) and returns the error to throw:
    /// an invalid response, or `unavailable` once `limit` identical ones came in a row.
    func refused(status: Int, message: String) -> ModelError {
        state.withLock { state in
            if let stopped = state.stopped { return stopped }
            let signature = "\(status) \(message)"
            state.count = state.last == signature ? state.count + 1 : 1
            state.last = signature
            guard state.count >= limit else { return .invalidResponse("HTTP \(status)\(message)") }
            let stopped = ModelError.unavailable(
                "the server refused \(limit) requests in a row the same way (HTTP \(status)\(message)); "
                    + "no more requests are sent: check the model name and base URL")
            state.stopped = stopped
            return stopped
        }
    }
}
