public import Foundation
public import SquireCore

/// An Anthropic Messages model used as a `TextGenerator`.
///
/// The answer is the concatenation of its text blocks; an answer cut off by the token limit
/// (`stop_reason: "max_tokens"`) or holding no text is a `ModelError.invalidResponse`.
public struct AnthropicGenerator: TextGenerator, UsageMetered {
    let configuration: FrontierConfiguration
    let transport: FrontierTransport

    /// Creates a client; the API key is read from `apiKeyVariable` now, and kept redacted.
    public init(
        configuration: FrontierConfiguration, apiKeyVariable: String = "ANTHROPIC_API_KEY",
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws {
        let key = try APIKey(environmentVariable: apiKeyVariable, environment: environment)
        self.configuration = configuration
        transport = try FrontierTransport(
            configuration: configuration, authorization: .header("x-api-key", key),
            headers: [("anthropic-version", AnthropicClassifier.apiVersion)])
    }

    /// Every call this client has sent, failed ones included.
    public var meter: UsageMeter { transport.meter }

    public func generate(_ prompt: Prompt) async throws -> GeneratedText {
        var body: [String: Any] = [
            "model": configuration.model, "max_tokens": prompt.maximumOutputTokens,
            "temperature": min(prompt.temperature, 1),
            "messages": [["role": "user", "content": prompt.text]],
        ]
        if !prompt.instructions.isEmpty { body["system"] = prompt.instructions }
        let (data, attempts, latency) = try await transport.post(
            "messages", body: try JSONSerialization.data(withJSONObject: body))
        transport.charge(ReportedTokens.anthropic(data))
        guard let response = try? JSONDecoder().decode(MessagesResponse.self, from: data) else {
            throw ModelError.invalidResponse("not a Messages response\(FrontierTransport.excerpt(data))")
        }
        let texts = response.content.filter { $0.type == "text" }.compactMap(\.text)
        guard !texts.isEmpty else {
            throw ModelError.invalidResponse("the answer holds no text\(FrontierTransport.excerpt(data))")
        }
        if response.stopReason == "max_tokens" {
            throw ModelError.invalidResponse(
                "the answer was cut off at \(prompt.maximumOutputTokens) tokens; raise maximumOutputTokens or ask for less"
            )
        }
        let tokens = try PerTextRequests.tokens(
            input: response.usage?.inputTokens, output: response.usage?.outputTokens)
        let usage = PerTextRequests.usage(
            configuration, input: tokens.input, output: tokens.output, attempts: attempts, latency: latency)
        return GeneratedText(text: texts.joined(), usage: usage)
    }
}
