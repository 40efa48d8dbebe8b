public import Foundation
public import SquireCore

/// An Anthropic Messages model used as a `TextClassifier`.
///
/// The model is made to call one tool whose input schema allows only ``labels``; the
/// answer is checked again on arrival, so anything else is a `ModelError`. Like
/// ``OpenAIClassifier`` it reports `confidence` 1 and no probabilities.
public struct AnthropicClassifier: TextClassifier, UsageMetered {
    public let labels: [String]
    /// What the model is asked to do, before the label list.
    public let instructions: String
    let configuration: FrontierConfiguration
    let transport: FrontierTransport

    /// The API version header this client speaks.
    public static let apiVersion = "2023-06-01"

    /// Creates a client; the API key is read from `apiKeyVariable` now, and kept redacted.
    public init(
        configuration: FrontierConfiguration, labels: [String], instructions: String = "Classify the user's request.",
        apiKeyVariable: String = "ANTHROPIC_API_KEY",
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws {
        try PerTextRequests.validate(labels: labels)
        let key = try APIKey(environmentVariable: apiKeyVariable, environment: environment)
        self.labels = labels
        self.instructions = instructions
        self.configuration = configuration
        transport = try FrontierTransport(
            configuration: configuration, authorization: .header("x-api-key", key),
            headers: [("anthropic-version", Self.apiVersion)])
    }

    /// Every call this client has sent, failed ones included.
    public var meter: UsageMeter { transport.meter }

    public func classify(_ texts: [String]) async throws -> [Classification] {
        try await PerTextRequests.classify(texts, classifyOne)
    }

    private func classifyOne(_ text: String) async throws -> Classification {
        let body: [String: Any] = [
            "model": configuration.model,
            "max_tokens": 64,
            "temperature": 0,
            "system": LabelPrompt.system(instructions, labels: labels),
            "messages": [["role": "user", "content": text]],
            "tools": [
                [
                    "name": "classify", "description": "Record the label of the user's text.",
                    "input_schema": LabelPrompt.schema(labels),
                ]
            ],
            "tool_choice": ["type": "tool", "name": "classify"],
        ]
        let (data, attempts, latency) = try await transport.post(
            "messages", body: try JSONSerialization.data(withJSONObject: body))
        transport.charge(ReportedTokens.anthropic(data))
        let answer = try Self.answer(in: data, labels: labels)
        let usage = PerTextRequests.usage(
            configuration, input: answer.inputTokens, output: answer.outputTokens, attempts: attempts,
            latency: latency)
        return Classification(label: answer.label, confidence: 1, usage: usage)
    }

    /// The label and token counts of a Messages response's body, apart from the call so the
    /// reading of untrusted server bytes can be fuzzed: one of `labels`, or a `ModelError`.
    package static func answer(in data: Data, labels: [String]) throws -> (
        label: String, inputTokens: Int, outputTokens: Int
    ) {
        guard let response = try? JSONDecoder().decode(MessagesResponse.self, from: data) else {
            throw ModelError.invalidResponse("not a Messages response\(FrontierTransport.excerpt(data))")
        }
        guard let call = response.content.first(where: { $0.type == "tool_use" && $0.name == "classify" }),
            let label = call.input?.label
        else {
            throw ModelError.invalidResponse(
                "the model did not call the classify tool\(FrontierTransport.excerpt(data))")
        }
        guard labels.contains(label) else { throw ModelError.unknownLabel(label, known: labels) }
        let tokens = try PerTextRequests.tokens(
            input: response.usage?.inputTokens, output: response.usage?.outputTokens)
        return (label, tokens.input, tokens.output)
    }
}
