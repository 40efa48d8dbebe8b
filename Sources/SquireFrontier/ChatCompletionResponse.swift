import Foundation

/// The parts of an OpenAI-compatible chat completion the clients read.
struct ChatCompletionResponse: Decodable {
    struct Choice: Decodable {
        struct Message: Decodable {
            var content: String?
            var refusal: String?
        }
        var message: Message
        var finishReason: String?
        enum CodingKeys: String, CodingKey {
            case message
            case finishReason = "finish_reason"
        }
    }
    struct Tokens: Decodable {
        var promptTokens: Int?
        var completionTokens: Int?
        enum CodingKeys: String, CodingKey {
            case promptTokens = "prompt_tokens"
            case completionTokens = "completion_tokens"
        }
    }
    var choices: [Choice]
    var usage: Tokens?
}

/// The parts of an Anthropic Messages response the clients read: text blocks for the
/// generator, the forced tool call for the classifier.
struct MessagesResponse: Decodable {
    struct Block: Decodable {
        struct Input: Decodable { var label: String? }
        var type: String
        var text: String?
        var name: String?
        var input: Input?
    }
    struct Tokens: Decodable {
        var inputTokens: Int?
        var outputTokens: Int?
        enum CodingKeys: String, CodingKey {
            case inputTokens = "input_tokens"
            case outputTokens = "output_tokens"
        }
    }
    var content: [Block]
    var stopReason: String?
    var usage: Tokens?
    enum CodingKeys: String, CodingKey {
        case content, usage
        case stopReason = "stop_reason"
    }
}

/// The token counts of a response body, read on their own so an answer that is then refused
/// (free text, an unknown label, a refusal) is still charged on the client's meter.
enum ReportedTokens {
    private struct OpenAIBody: Decodable { var usage: ChatCompletionResponse.Tokens? }
    private struct AnthropicBody: Decodable { var usage: MessagesResponse.Tokens? }

    /// An OpenAI-compatible body's `usage` (chat completions and embeddings alike); nil when it has none.
    static func openAI(_ data: Data) -> (input: Int, output: Int)? {
        guard let usage = try? JSONDecoder().decode(OpenAIBody.self, from: data).usage else { return nil }
        return try? PerTextRequests.tokens(input: usage.promptTokens, output: usage.completionTokens)
    }

    /// An Anthropic Messages body's `usage`; nil when it has none.
    static func anthropic(_ data: Data) -> (input: Int, output: Int)? {
        guard let usage = try? JSONDecoder().decode(AnthropicBody.self, from: data).usage else { return nil }
        return try? PerTextRequests.tokens(input: usage.inputTokens, output: usage.outputTokens)
    }
}
