import Foundation

/// The parts of an OpenAI-compatible chat completion the clients read.
struct ChatCompletionResponse: Decodable {
    struct Choice: Decodable {
        struct Message: Decodable {
            var content: String?
            var refusal: String?
        }
        var message: Message
        var finish_reason: String?
    }
    struct Tokens: Decodable {
        var prompt_tokens: Int?
        var completion_tokens: Int?
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
        var input_tokens: Int?
        var output_tokens: Int?
    }
    var content: [Block]
    var stop_reason: String?
    var usage: Tokens?
}
