public import Foundation
public import SquireCore

/// A frontier model described in a JSON file, so command-line tools can call it:
///
/// ```json
/// {"provider": "openai", "base_url": "https://api.openai.com/v1", "model": "gpt-4.1-mini",
///  "api_key_variable": "OPENAI_API_KEY", "instructions": "Route the customer's request.",
///  "timeout_seconds": 20, "maximum_retries": 6, "retry_budget_seconds": 180, "maximum_concurrency": 8,
///  "price": {"input_dollars_per_million": 0.4, "output_dollars_per_million": 1.6}}
/// ```
///
/// `provider` is `openai` (any OpenAI-compatible server) or `anthropic`. The file names the
/// variable that holds the key, never the key itself. An `embedder` entry names the server's
/// embedding model, for `squire embed --model frontier.json`:
///
/// ```json
/// "embedder": {"model": "text-embedding-3-small", "dimension": 1536, "input_dollars_per_million": 0.02}
/// ```
public struct FrontierModelFile: Sendable, Hashable, Codable {
    /// Which wire format the server speaks.
    public enum Provider: String, Sendable, Hashable, Codable {
        /// OpenAI-compatible chat completions.
        case openai
        /// Anthropic Messages.
        case anthropic
    }

    /// Token prices.
    public struct Price: Sendable, Hashable, Codable {
        /// Dollars per million input tokens.
        public var inputDollarsPerMillion: Double
        /// Dollars per million output tokens.
        public var outputDollarsPerMillion: Double

        fileprivate enum CodingKeys: String, CodingKey, CaseIterable {
            case inputDollarsPerMillion = "input_dollars_per_million"
            case outputDollarsPerMillion = "output_dollars_per_million"
        }
    }

    /// The server's embedding model: the same base URL, key and retry settings as the chat model.
    public struct EmbedderModel: Sendable, Hashable, Codable {
        /// The embedding model's name.
        public var model: String
        /// How many numbers each of its vectors holds.
        public var dimension: Int
        /// Dollars per million input tokens, for the meter's cost.
        public var inputDollarsPerMillion: Double?

        fileprivate enum CodingKeys: String, CodingKey, CaseIterable {
            case model, dimension
            case inputDollarsPerMillion = "input_dollars_per_million"
        }
    }

    /// The wire format.
    public var provider: Provider
    /// The API's base URL.
    public var baseURL: String
    /// The model name.
    public var model: String
    /// The environment variable holding the key (default `OPENAI_API_KEY` / `ANTHROPIC_API_KEY`).
    public var apiKeyVariable: String?
    /// What the model is asked to do, before the label list.
    public var instructions: String?
    /// Seconds per attempt.
    public var timeoutSeconds: Double?
    /// Seconds to make a connection (default 10, at most `timeout_seconds`).
    public var connectTimeoutSeconds: Double?
    /// Attempts after the first (default 6).
    public var maximumRetries: Int?
    /// The first wait between attempts, doubled each retry, with jitter (default 0.5).
    public var initialBackoffSeconds: Double?
    /// The longest wait between attempts, a server's `Retry-After` included (default 60).
    public var maximumBackoffSeconds: Double?
    /// The most one request waits between attempts, all its retries together (default 180).
    public var retryBudgetSeconds: Double?
    /// Requests in flight at once.
    public var maximumConcurrency: Int?
    /// Token prices, for `Usage.cost`.
    public var price: Price?
    /// `max_tokens` (the default) or `max_completion_tokens`, which OpenAI's reasoning models
    /// require; a client told by the server switches by itself.
    public var tokenLimitParameter: FrontierConfiguration.TokenLimitParameter?
    /// `false` for a model that accepts only its default temperature; a client told by the
    /// server stops sending it by itself.
    public var sendTemperature: Bool?
    /// The embedding model, when the file describes one.
    public var embedderModel: EmbedderModel?

    private enum CodingKeys: String, CodingKey, CaseIterable {
        case provider, model, instructions, price
        case baseURL = "base_url"
        case apiKeyVariable = "api_key_variable"
        case timeoutSeconds = "timeout_seconds"
        case connectTimeoutSeconds = "connect_timeout_seconds"
        case maximumRetries = "maximum_retries"
        case initialBackoffSeconds = "initial_backoff_seconds"
        case maximumBackoffSeconds = "maximum_backoff_seconds"
        case retryBudgetSeconds = "retry_budget_seconds"
        case maximumConcurrency = "maximum_concurrency"
        case tokenLimitParameter = "token_limit_parameter"
        case sendTemperature = "send_temperature"
        case embedderModel = "embedder"
    }

    /// Reads a model file; errors name the field at fault.
    public init(contentsOf url: URL) throws {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw FrontierError.invalidConfiguration("\(url.path): cannot read the file; check the path")
        }
        do { self = try JSONDecoder().decode(Self.self, from: data) } catch let error as DecodingError {
            throw FrontierError.invalidConfiguration("\(url.path): \(error.summary)")
        }
        // A misspelt key would otherwise be ignored and its setting silently left at the default
        // (`"timeout": 1` ran with 30 s).
        if let present = try? JSONDecoder().decode(KeysPresent.self, from: data) {
            try Self.refuseUnknownKeys(present.keys, known: CodingKeys.allCases.map(\.stringValue), in: url.path)
            try Self.refuseUnknownKeys(
                present.nestedKeys["price"] ?? [], known: Price.CodingKeys.allCases.map(\.stringValue), in: url.path,
                under: "price")
            try Self.refuseUnknownKeys(
                present.nestedKeys["embedder"] ?? [], known: EmbedderModel.CodingKeys.allCases.map(\.stringValue),
                in: url.path, under: "embedder")
        }
        if let embedder = embedderModel {
            guard provider == .openai else {
                throw FrontierError.invalidConfiguration(
                    "\(url.path): an embedder needs an OpenAI-compatible server (provider \"openai\")")
            }
            guard !embedder.model.isEmpty, (1...1_000_000).contains(embedder.dimension) else {
                throw FrontierError.invalidConfiguration(
                    "\(url.path): the embedder needs a model name and a dimension from 1 to 1000000")
            }
        }
        // At most a day: the client counts durations in milliseconds, which a longer one can overflow.
        for (key, seconds) in [("timeout_seconds", timeoutSeconds), ("connect_timeout_seconds", connectTimeoutSeconds)]
        {
            if let seconds, !(seconds > 0 && seconds <= 86_400) {
                throw FrontierError.invalidConfiguration(
                    "\(url.path): \(key) must be a positive number of seconds, at most 86400 (a day)")
            }
        }
        for (key, seconds) in [
            ("initial_backoff_seconds", initialBackoffSeconds), ("maximum_backoff_seconds", maximumBackoffSeconds),
            ("retry_budget_seconds", retryBudgetSeconds),
        ] {
            if let seconds, !(seconds >= 0 && seconds <= 86_400) {
                throw FrontierError.invalidConfiguration(
                    "\(url.path): \(key) must be a number of seconds from 0 to 86400 (a day)")
            }
        }
        if let retries = maximumRetries, !(0...1000).contains(retries) {
            throw FrontierError.invalidConfiguration("\(url.path): maximum_retries must be from 0 to 1000")
        }
        if let concurrency = maximumConcurrency, !(1...10_000).contains(concurrency) {
            throw FrontierError.invalidConfiguration("\(url.path): maximum_concurrency must be from 1 to 10000")
        }
        do { try configuration.validate() } catch FrontierError.invalidConfiguration(let reason) {
            throw FrontierError.invalidConfiguration("\(url.path): \(reason)")
        }
    }

    private static func refuseUnknownKeys(
        _ keys: [String], known: [String], in path: String, under parent: String? = nil
    ) throws {
        guard let unknown = keys.filter({ !known.contains($0) }).sorted().first else { return }
        let name = parent.map { "\($0).\(unknown)" } ?? unknown
        throw FrontierError.invalidConfiguration(
            "\(path): unknown key \"\(name)\"; the keys\(parent.map { " of \($0)" } ?? "") are \(known.sorted().joined(separator: ", "))"
        )
    }

    /// The client configuration the file describes.
    public var configuration: FrontierConfiguration {
        var configuration = FrontierConfiguration(baseURL: baseURL, model: model)
        if let seconds = timeoutSeconds { configuration.timeout = .milliseconds(Int64(seconds * 1000)) }
        if let seconds = connectTimeoutSeconds { configuration.connectTimeout = .milliseconds(Int64(seconds * 1000)) }
        if let retries = maximumRetries { configuration.maximumRetries = retries }
        if let seconds = initialBackoffSeconds { configuration.initialBackoff = .milliseconds(Int64(seconds * 1000)) }
        if let seconds = maximumBackoffSeconds { configuration.maximumBackoff = .milliseconds(Int64(seconds * 1000)) }
        if let seconds = retryBudgetSeconds { configuration.retryBudget = .milliseconds(Int64(seconds * 1000)) }
        if let concurrency = maximumConcurrency { configuration.maximumConcurrency = concurrency }
        if let parameter = tokenLimitParameter { configuration.tokenLimitParameter = parameter }
        if let sends = sendTemperature { configuration.sendsTemperature = sends }
        if let price {
            configuration.price = .init(
                inputDollarsPerMillion: price.inputDollarsPerMillion,
                outputDollarsPerMillion: price.outputDollarsPerMillion)
        }
        return configuration
    }

    /// A classifier over `labels`; the key is read from the environment now.
    public func classifier(labels: [String], environment: [String: String] = ProcessInfo.processInfo.environment) throws
        -> any TextClassifier
    {
        let instructions = instructions ?? "Classify the user's request."
        switch provider {
        case .openai:
            return try OpenAIClassifier(
                configuration: configuration, labels: labels, instructions: instructions,
                apiKeyVariable: apiKeyVariable ?? "OPENAI_API_KEY", environment: environment)
        case .anthropic:
            return try AnthropicClassifier(
                configuration: configuration, labels: labels, instructions: instructions,
                apiKeyVariable: apiKeyVariable ?? "ANTHROPIC_API_KEY", environment: environment)
        }
    }

    /// The embedding model of the file's `embedder` entry; the key is read from the environment now.
    public func embedder(environment: [String: String] = ProcessInfo.processInfo.environment) throws
        -> OpenAIEmbedder
    {
        guard let entry = embedderModel else {
            throw FrontierError.invalidConfiguration(
                "the model file has no \"embedder\" entry; add {\"model\": …, \"dimension\": …}")
        }
        var configuration = configuration
        configuration.model = entry.model
        configuration.price = entry.inputDollarsPerMillion.map {
            .init(inputDollarsPerMillion: $0, outputDollarsPerMillion: 0)
        }
        return try OpenAIEmbedder(
            configuration: configuration, dimension: entry.dimension,
            apiKeyVariable: apiKeyVariable ?? "OPENAI_API_KEY", environment: environment)
    }

    /// A text generator for synthetic data; the key is read from the environment now.
    public func generator(environment: [String: String] = ProcessInfo.processInfo.environment) throws
        -> any TextGenerator
    {
        switch provider {
        case .openai:
            return try OpenAIGenerator(
                configuration: configuration, apiKeyVariable: apiKeyVariable ?? "OPENAI_API_KEY",
                environment: environment)
        case .anthropic:
            return try AnthropicGenerator(
                configuration: configuration, apiKeyVariable: apiKeyVariable ?? "ANTHROPIC_API_KEY",
                environment: environment)
        }
    }
}

/// The keys a model file holds at its top level and in its objects (`price`, `embedder`), as
/// written, so a misspelt one can be named (decoding the file itself ignores keys it does not know).
private struct KeysPresent: Decodable {
    var keys: [String]
    var nestedKeys: [String: [String]] = [:]

    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        keys = container.allKeys.map(\.stringValue)
        for key in container.allKeys {
            if let nested = try? container.nestedContainer(keyedBy: Key.self, forKey: key) {
                nestedKeys[key.stringValue] = nested.allKeys.map(\.stringValue)
            }
        }
    }
}
