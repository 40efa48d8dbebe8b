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
    /// Requests in flight at once per client.
    public var maximumConcurrency: Int
    /// What tokens cost; `nil` leaves `Usage.cost` at zero.
    public var price: Price?

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
        baseURL: String, model: String, timeout: Duration = .seconds(30), maximumRetries: Int = 3,
        initialBackoff: Duration = .milliseconds(500), maximumBackoff: Duration = .seconds(20),
        maximumConcurrency: Int = 8,
        price: Price? = nil, connectTimeout: Duration = .seconds(10)
    ) {
        self.baseURL = baseURL
        self.model = model
        self.timeout = timeout
        self.connectTimeout = connectTimeout
        self.maximumRetries = maximumRetries
        self.initialBackoff = initialBackoff
        self.maximumBackoff = maximumBackoff
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
            maximumBackoff >= initialBackoff
        else {
            throw FrontierError.invalidConfiguration(
                "timeouts and backoffs must be positive, retries ≥ 0, concurrency ≥ 1")
        }
    }

    /// `baseURL` joined with `path`.
    func url(_ path: String) -> String {
        (baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL) + "/" + path
    }
}
