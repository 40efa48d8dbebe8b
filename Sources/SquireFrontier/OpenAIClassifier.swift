public import Foundation
public import SquireCore

/// An OpenAI-compatible chat-completions model used as a `TextClassifier`.
///
/// The answer is constrained by a JSON schema (structured output) to one of ``labels``, and
/// checked again on arrival: anything else — a label outside the set, free text, a refusal —
/// is a `ModelError`, so no request text can widen the label set. The model gives no
/// probabilities, so `confidence` is 1 and `probabilities` is empty. Each text is one
/// request; `Usage` carries its tokens, attempts, latency and cost.
public struct OpenAIClassifier: TextClassifier, UsageMetered {
    public let labels: [String]
    /// What the model is asked to do, before the label list.
    public let instructions: String
    let configuration: FrontierConfiguration
    let transport: FrontierTransport

    /// Creates a client; the API key is read from `apiKeyVariable` now, and kept redacted.
    public init(
        configuration: FrontierConfiguration, labels: [String], instructions: String = "Classify the user's request.",
        apiKeyVariable: String = "OPENAI_API_KEY", environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws {
        try PerTextRequests.validate(labels: labels)
        let key = try APIKey(environmentVariable: apiKeyVariable, environment: environment)
        self.labels = labels
        self.instructions = instructions
        self.configuration = configuration
        transport = try FrontierTransport(configuration: configuration, authorization: .bearer(key))
    }

    /// Every call this client has sent, failed ones included.
    public var meter: UsageMeter { transport.meter }

    public func classify(_ texts: [String]) async throws -> [Classification] {
        try await PerTextRequests.classify(texts, classifyOne)
    }

    private func classifyOne(_ text: String) async throws -> Classification {
        let (model, instructions, labels) = (configuration.model, instructions, labels)
        let (data, attempts, latency) = try await transport.post("chat/completions") { dialect in
            var body: [String: Any] = [
                "model": model,
                "messages": [
                    ["role": "system", "content": LabelPrompt.system(instructions, labels: labels)],
                    ["role": "user", "content": text],
                ],
                "response_format": [
                    "type": "json_schema",
                    "json_schema": ["name": "classification", "strict": true, "schema": LabelPrompt.schema(labels)],
                ],
            ]
            if dialect.sendsTemperature { body["temperature"] = 0 }
            return try JSONSerialization.data(withJSONObject: body)
        }
        transport.charge(ReportedTokens.openAI(data))
        let answer = try Self.answer(in: data, labels: labels)
        let usage = PerTextRequests.usage(
            configuration, input: answer.inputTokens, output: answer.outputTokens, attempts: attempts,
            latency: latency)
        return Classification(label: answer.label, confidence: 1, usage: usage)
    }

    /// The label and token counts of a chat completion's body, apart from the call so the
    /// reading of untrusted server bytes can be fuzzed: one of `labels`, or a `ModelError`.
    package static func answer(in data: Data, labels: [String]) throws -> (
        label: String, inputTokens: Int, outputTokens: Int
    ) {
        guard let response = try? JSONDecoder().decode(ChatCompletionResponse.self, from: data),
            let message = response.choices.first?.message
        else {
            throw ModelError.invalidResponse("not a chat completion\(FrontierTransport.excerpt(data))")
        }
        if let refusal = message.refusal {
            throw ModelError.invalidResponse("the model refused: \(refusal.prefix(200))")
        }
        let label = try LabelAnswer.label(in: message.content ?? "", allowed: labels)
        let tokens = try PerTextRequests.tokens(
            input: response.usage?.promptTokens, output: response.usage?.completionTokens)
        return (label, tokens.input, tokens.output)
    }
}
