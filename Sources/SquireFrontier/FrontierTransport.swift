import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import SquireCore
import Synchronization

/// Posts JSON to a frontier API with timeouts, retries (exponential backoff with full
/// jitter, `Retry-After` honoured, a total retry budget per request), a bound on requests in
/// flight that adapts to rate limits, and a meter of every attempt sent.
struct FrontierTransport: Sendable {
    /// How the key is sent. The key stays an `APIKey` until the request is built, so
    /// printing or dumping a client never shows it.
    enum Authorization: Sendable {
        /// `Authorization: Bearer <key>` (OpenAI-compatible APIs).
        case bearer(APIKey)
        /// The key as the value of a named header (Anthropic's `x-api-key`).
        case header(String, APIKey)
    }

    let configuration: FrontierConfiguration
    let limiter: ConcurrencyLimiter
    let refusals = RepeatedRefusals()
    /// Every attempt sent, and the tokens of every answer read, usable or not.
    let meter = UsageMeter()
    /// How request bodies are written for this server.
    let dialect: RequestDialect
    let authorization: Authorization
    let headers: [(String, String)]

    init(configuration: FrontierConfiguration, authorization: Authorization, headers: [(String, String)] = []) throws {
        try configuration.validate()
        self.configuration = configuration
        self.limiter = ConcurrencyLimiter(maximum: configuration.maximumConcurrency)
        self.dialect = RequestDialect(configuration)
        self.authorization = authorization
        self.headers = headers
    }

    /// The response body of a successful call, how many attempts it took, and how long they
    /// took from the first attempt to the answer (retries' waits included): not the time spent
    /// waiting for the first slot among the requests in flight, which is the caller's queue, not
    /// the model's latency.
    ///
    /// Every attempt takes a slot of its own and gives it back before any wait: a retry waits
    /// for a slot like a new request, so when a rate limit lowers the limit, requests already
    /// retrying obey it too. (When retries kept their slots, the requests in flight all woke
    /// together after each pause and hit the server in the same order, so the same one could
    /// be refused every time until its retries ran out.)
    func post(_ path: String, body: Data) async throws -> (body: Data, attempts: Int, latency: Duration) {
        try await post(path) { _ in body }
    }

    /// Posts a body written for the server's dialect; written again if the server asks for
    /// another (see ``RequestDialect``).
    func post(_ path: String, body: @escaping @Sendable (RequestDialect.Settings) throws -> Data) async throws -> (
        body: Data, attempts: Int, latency: Duration
    ) {
        let clock = ContinuousClock()
        var start: ContinuousClock.Instant?
        var attempt = 0
        var waited = Duration.zero
        while true {
            attempt += 1
            try refusals.check()
            try await limiter.waitOutPause()
            await limiter.acquire()
            if start == nil { start = clock.now }
            let outcome: Outcome
            do {
                let settings = dialect.current
                let data = try body(settings)
                meter.record(Usage(calls: 1))
                outcome = try await send(path, body: data, settings: settings)
            } catch {
                await limiter.release()
                throw error
            }
            await limiter.release()
            let wait: Duration
            switch outcome {
            case .success(let data):
                refusals.succeeded()
                await limiter.succeeded()
                return (data, attempt, clock.now - (start ?? clock.now))
            case .fatal(let error):
                throw error
            case .rewritten:
                continue
            case .retryable(let error, let after, let rateLimited):
                guard attempt <= configuration.maximumRetries else { throw error }
                wait = after ?? backoff(attempt)
                if rateLimited { await limiter.throttle(for: wait) }
                guard waited + wait <= configuration.retryBudget else {
                    throw Self.beyondBudget(error, waited: waited, wait: wait, budget: configuration.retryBudget)
                }
            case .unreachable(let error):
                // Nothing listening, or no such host: one more try covers a server restarting,
                // more would only make a wrong base URL slow to report.
                guard attempt <= min(1, configuration.maximumRetries) else { throw error }
                wait = backoff(attempt)
            }
            try await Task.sleep(for: wait)
            waited += wait
        }
    }

    /// Records the tokens a server reported for an answer, before the answer is checked: an
    /// unusable one was still made and may be billed.
    func charge(_ tokens: (input: Int, output: Int)?) {
        guard let tokens else { return }
        meter.record(
            Usage(
                inputTokens: tokens.input, outputTokens: tokens.output,
                cost: Cost(
                    dollars: configuration.price?.cost(inputTokens: tokens.input, outputTokens: tokens.output) ?? 0)
            ))
    }

    /// The last attempt's error, saying that retrying stopped because the budget ran out.
    static func beyondBudget(_ error: ModelError, waited: Duration, wait: Duration, budget: Duration) -> ModelError {
        let seconds = { (duration: Duration) in String(format: "%.1f s", Double(milliseconds(duration)) / 1000) }
        let why =
            "; retrying stopped: waiting \(seconds(wait)) more after \(seconds(waited)) would pass the retry budget of \(seconds(budget))"
        switch error {
        case .unavailable(let reason): return .unavailable(reason + why)
        default: return error
        }
    }

    private enum Outcome {
        case success(Data)
        /// Worth another attempt, after `after` when the server said; `rateLimited` for a 429.
        case retryable(ModelError, after: Duration?, rateLimited: Bool = false)
        /// The connection could not be made: refused, unreachable, or the host not found.
        case unreachable(ModelError)
        case fatal(ModelError)
        /// The server refused a parameter the dialect now writes another way: send again at once.
        case rewritten
    }

    /// One HTTP client per connect timeout, kept for the life of the process as
    /// `HTTPClient.shared` is. Not the shared one: it retries a refused connection until the
    /// request's deadline, so a base URL where nothing listens took 82 s to report with a 20 s
    /// timeout and three retries. These fail a connection at once and let the transport decide.
    private static let clients = Mutex<[Int64: HTTPClient]>([:])

    static func client(connectTimeout: Duration) -> HTTPClient {
        let milliseconds = max(1, milliseconds(connectTimeout))
        return clients.withLock { clients in
            if let client = clients[milliseconds] { return client }
            var configuration = HTTPClient.Configuration.singletonConfiguration
            configuration.timeout.connect = .milliseconds(milliseconds)
            configuration.connectionPool.retryConnectionEstablishment = false
            let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
            clients[milliseconds] = client
            return client
        }
    }

    static func milliseconds(_ duration: Duration) -> Int64 {
        duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
    }

    /// Whether `error` means no connection could be made, as opposed to one that broke.
    static func isUnreachable(_ error: any Error) -> Bool {
        if let error = error as? HTTPClientError, error == .connectTimeout { return true }
        if error is NIOConnectionError { return true }
        if let error = error as? IOError {
            return [ECONNREFUSED, EHOSTUNREACH, ENETUNREACH, EADDRNOTAVAIL].contains(error.errnoCode)
        }
        return false
    }

    private func send(_ path: String, body: Data, settings: RequestDialect.Settings) async throws -> Outcome {
        var request = HTTPClientRequest(url: configuration.url(path))
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        switch authorization {
        case .bearer(let key): request.headers.add(name: "Authorization", value: "Bearer \(key.value)")
        case .header(let name, let key): request.headers.add(name: name, value: key.value)
        }
        request.body = .bytes(ByteBuffer(bytes: body))
        let client = Self.client(connectTimeout: min(configuration.connectTimeout, configuration.timeout))
        let response: HTTPClientResponse
        let data: Data
        do {
            response = try await client.execute(
                request, timeout: .milliseconds(Self.milliseconds(configuration.timeout)))
            let buffer = try await response.body.collect(upTo: 16 * 1024 * 1024)
            data = Data(buffer.readableBytesView)
        } catch  where Self.isUnreachable(error) {
            if Task.isCancelled { throw CancellationError() }
            return .unreachable(
                .unavailable(
                    "cannot connect to \(configuration.baseURL) (\(Self.describe(error))); is the server running?"))
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout {
            return .retryable(.timedOut(after: configuration.timeout), after: nil)
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            if Task.isCancelled { throw CancellationError() }
            // Dropped connections and resets: worth another attempt.
            return .retryable(
                .unavailable("the connection to \(configuration.baseURL) failed (\(Self.describe(error)))"), after: nil)
        }
        let status = Int(response.status.code)
        switch status {
        case 200..<300:
            return .success(data)
        case 429:
            let wait = Self.retryDelay(response.headers).map { min($0, configuration.maximumBackoff) }
            return .retryable(
                .unavailable("rate limited (HTTP 429)\(Self.excerpt(data))"), after: wait, rateLimited: true)
        case 500..<600:
            // An overloaded server (503) may say when to come back, as a rate limit does.
            let wait = Self.retryDelay(response.headers).map { min($0, configuration.maximumBackoff) }
            return .retryable(.unavailable("the server failed (HTTP \(status))\(Self.excerpt(data))"), after: wait)
        case 401, 403:
            return .fatal(
                .unavailable("authentication failed (HTTP \(status)); check the API key\(Self.excerpt(data))"))
        default:
            if dialect.adapt(status: status, body: data, sent: settings) { return .rewritten }
            return .fatal(refusals.refused(status: status, message: Self.excerpt(data)))
        }
    }

    /// Full jitter: a uniform wait between 0 and min(maximum, initial × 2^(attempt − 1)).
    private func backoff(_ attempt: Int) -> Duration {
        let cap = min(configuration.maximumBackoff, configuration.initialBackoff * (1 << min(attempt - 1, 20)))
        let nanoseconds = cap.components.seconds * 1_000_000_000 + cap.components.attoseconds / 1_000_000_000
        return .nanoseconds(nanoseconds > 0 ? Int64.random(in: 0...nanoseconds) : 0)
    }

    /// How long a rate-limited or overloaded server asks to wait, from the first of its headers
    /// that says: `retry-after-ms`; `Retry-After` (seconds or an HTTP date), also as a gateway
    /// forwards it (LiteLLM renames every upstream header `llm_provider-…`); else the later of
    /// OpenAI's `x-ratelimit-reset-requests` and `-tokens` (`1s`, `6m0s`, `20ms`). Nil when none
    /// does, and the backoff decides.
    static func retryDelay(_ headers: HTTPHeaders) -> Duration? {
        for prefix in ["", "llm_provider-"] {
            if let value = headers.first(name: prefix + "retry-after-ms"),
                let milliseconds = Double(value.trimmingCharacters(in: .whitespaces)), milliseconds >= 0,
                milliseconds < 1e12
            {
                return .milliseconds(Int64(milliseconds))
            }
            if let wait = headers.first(name: prefix + "retry-after").flatMap(retryAfter) { return wait }
        }
        let resets = ["", "llm_provider-"].flatMap { prefix in
            ["x-ratelimit-reset-requests", "x-ratelimit-reset-tokens"].compactMap {
                headers.first(name: prefix + $0).flatMap(resetDuration)
            }
        }
        return resets.max()
    }

    /// A duration as OpenAI's rate-limit headers write it: numbers with units `h`, `m`, `s`,
    /// `ms`, in that order (`1h2m3.5s`, `6m0s`, `20ms`).
    static func resetDuration(_ value: String) -> Duration? {
        var rest = Substring(value.trimmingCharacters(in: .whitespaces))
        var seconds = 0.0
        guard !rest.isEmpty else { return nil }
        while !rest.isEmpty {
            let number = rest.prefix { $0.isNumber || $0 == "." }
            guard let amount = Double(number), amount.isFinite else { return nil }
            rest = rest.dropFirst(number.count)
            let unit = rest.prefix { $0.isLetter }
            rest = rest.dropFirst(unit.count)
            switch unit {
            case "h": seconds += amount * 3600
            case "m": seconds += amount * 60
            case "s": seconds += amount
            case "ms": seconds += amount / 1000
            default: return nil
            }
        }
        return seconds < 1e9 ? .milliseconds(Int64(seconds * 1000)) : nil
    }

    /// `Retry-After` as seconds or an HTTP date.
    static func retryAfter(_ value: String) -> Duration? {
        if let seconds = Double(value.trimmingCharacters(in: .whitespaces)), seconds >= 0, seconds < 1e9 {
            return .milliseconds(Int64(seconds * 1000))
        }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = formatter.date(from: value) else { return nil }
        return .milliseconds(Int64(max(0, date.timeIntervalSinceNow) * 1000))
    }

    /// The start of a response body for an error message; API keys never appear in bodies
    /// the server sends back, and the request (which carries the key in a header) is never quoted.
    static func excerpt(_ data: Data) -> String {
        guard !data.isEmpty else { return "" }
        let text = String(decoding: data.prefix(200), as: UTF8.self).replacingOccurrences(of: "\n", with: " ")
        return ": \(text)\(data.count > 200 ? "…" : "")"
    }

    static func describe(_ error: any Error) -> String {
        String(describing: error).prefix(120).description
    }
}
