/// Where a frontier model lives and how to call it.
public struct FrontierConfiguration: Sendable {
    /// The API's base URL, such as `https://api.openai.com/v1` or a local server's.
    public var baseURL: String
    /// The model name the API expects.
    public var model: String
    /// How long one attempt may take.
    public var timeout: Duration
    /// How long making a connection may take (at most ``timeout``). A connection that cannot
    /// be made — nothing listening, no such host — is tried once more, not ``maximumRetries``
    /// times.
    public var connectTimeout: Duration
    /// Attempts after the first, on timeouts, dropped connections, 429 and 5xx answers.
    public var maximumRetries: Int
    /// The first backoff; each retry doubles it, with full jitter, up to ``maximumBackoff``.
    public var initialBackoff: Duration
    /// The longest wait between attempts, `Retry-After` included.
    public var maximumBackoff: Duration
    /// The most one request may spend waiting between its attempts, all retries together: a
    /// request that would wait longer fails with the last attempt's error. Per-minute rate
    /// limits ask for waits of tens of seconds; an agent answering a user may want less.
    public var retryBudget: Duration
    /// Requests in flight at once per client. A 429 halves this for a while (never below
    /// one) and successes raise it back, so a rate-limited run slows down instead of failing.
    public var maximumConcurrency: Int
    /// What tokens cost; `nil` leaves `Usage.cost` at zero.
    public var price: Price?
    /// How an OpenAI-compatible request names its output-token limit. OpenAI's reasoning
    /// models refuse `max_tokens`; a client that is told so switches by itself, once.
    public var tokenLimitParameter: TokenLimitParameter = .maxTokens
    /// Whether an OpenAI-compatible request says its temperature. Some models accept only
    /// their default; a client told so by the server stops sending it, once.
    public var sendsTemperature = true

    /// The name of the output-token limit in an OpenAI-compatible request.
    public enum TokenLimitParameter: String, Sendable, Hashable, Codable {
        /// `max_tokens`, which most servers accept.
        case maxTokens = "max_tokens"
        /// `max_completion_tokens`, which OpenAI's newer models require.
        case maxCompletionTokens = "max_completion_tokens"
    }

    /// Dollars per million tokens.
    public struct Price: Sendable, Hashable, Codable {
        /// Per million input tokens.
        public var inputDollarsPerMillion: Double
        /// Per million output tokens.
        public var outputDollarsPerMillion: Double

        /// Creates a price.
        public init(inputDollarsPerMillion: Double, outputDollarsPerMillion: Double) {
            self.inputDollarsPerMillion = inputDollarsPerMillion
            self.outputDollarsPerMillion = outputDollarsPerMillion
        }

        /// The cost of a call's tokens.
        public func cost(inputTokens: Int, outputTokens: Int) -> Double {
            (Double(inputTokens) * inputDollarsPerMillion + Double(outputTokens) * outputDollarsPerMillion) / 1_000_000
        }
    }

    /// Creates a configuration with defaults that suit hosted APIs.
    public init(
        baseURL: String, model: String, timeout: Duration = .seconds(30), maximumRetries: Int = 6,
        initialBackoff: Duration = .milliseconds(500), maximumBackoff: Duration = .seconds(60),
        retryBudget: Duration = .seconds(180), maximumConcurrency: Int = 8,
        price: Price? = nil, connectTimeout: Duration = .seconds(10)
    ) {
        self.baseURL = baseURL
        self.model = model
        self.timeout = timeout
        self.connectTimeout = connectTimeout
        self.maximumRetries = maximumRetries
        self.initialBackoff = initialBackoff
        self.maximumBackoff = maximumBackoff
        self.retryBudget = retryBudget
        self.maximumConcurrency = maximumConcurrency
        self.price = price
    }

    func validate() throws {
        guard baseURL.hasPrefix("http://") || baseURL.hasPrefix("https://") else {
            throw FrontierError.invalidConfiguration("the base URL must start with http:// or https://")
        }
        guard !model.isEmpty else { throw FrontierError.invalidConfiguration("the model name is empty") }
        guard timeout > .zero, connectTimeout > .zero, maximumRetries >= 0, maximumConcurrency >= 1,
            initialBackoff >= .zero,
            maximumBackoff >= initialBackoff, retryBudget >= .zero
        else {
            throw FrontierError.invalidConfiguration(
                "timeouts must be positive; backoffs and the retry budget at least 0, the maximum backoff at least the initial one; retries at least 0; concurrency at least 1"
            )
        }
    }

    /// `baseURL` joined with `path`.
    func url(_ path: String) -> String {
        (baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL) + "/" + path
    }
}
