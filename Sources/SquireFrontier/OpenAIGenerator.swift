public import Foundation
public import SquireCore

/// An OpenAI-compatible chat-completions model used as a `TextGenerator`: the teacher that
/// writes synthetic examples.
///
/// A refusal, a missing message or an answer cut off by the token limit
/// (`finish_reason: "length"`) is a `ModelError.invalidResponse`, so a half-written list of
/// examples never reaches the caller as if it were whole.
public struct OpenAIGenerator: TextGenerator, UsageMetered {
    let configuration: FrontierConfiguration
    let transport: FrontierTransport

    /// Creates a client; the API key is read from `apiKeyVariable` now, and kept redacted.
    public init(
        configuration: FrontierConfiguration, apiKeyVariable: String = "OPENAI_API_KEY",
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws {
        let key = try APIKey(environmentVariable: apiKeyVariable, environment: environment)
        self.configuration = configuration
        transport = try FrontierTransport(configuration: configuration, authorization: .bearer(key))
    }

    /// Every call this client has sent, failed ones included.
    public var meter: UsageMeter { transport.meter }

    public func generate(_ prompt: Prompt) async throws -> GeneratedText {
        let model = configuration.model
        let (data, attempts, latency) = try await transport.post("chat/completions") { dialect in
            var messages: [[String: String]] = []
            if !prompt.instructions.isEmpty { messages.append(["role": "system", "content": prompt.instructions]) }
            messages.append(["role": "user", "content": prompt.text])
            var body: [String: Any] = ["model": model, "messages": messages]
            body[dialect.tokenLimitParameter.rawValue] = prompt.maximumOutputTokens
            if dialect.sendsTemperature { body["temperature"] = prompt.temperature }
            return try JSONSerialization.data(withJSONObject: body)
        }
        transport.charge(ReportedTokens.openAI(data))
        guard let response = try? JSONDecoder().decode(ChatCompletionResponse.self, from: data),
            let choice = response.choices.first
        else {
            throw ModelError.invalidResponse("not a chat completion\(FrontierTransport.excerpt(data))")
        }
        if let refusal = choice.message.refusal {
            throw ModelError.invalidResponse("the model refused: \(refusal.prefix(200))")
        }
        guard let content = choice.message.content else {
            throw ModelError.invalidResponse("the answer has no content")
        }
        if choice.finishReason == "length" {
            throw ModelError.invalidResponse(
                "the answer was cut off at \(prompt.maximumOutputTokens) tokens; raise maximumOutputTokens or ask for less"
            )
        }
        let tokens = try PerTextRequests.tokens(
            input: response.usage?.promptTokens, output: response.usage?.completionTokens)
        let usage = PerTextRequests.usage(
            configuration, input: tokens.input, output: tokens.output, attempts: attempts, latency: latency)
        return GeneratedText(text: content, usage: usage)
    }
}
