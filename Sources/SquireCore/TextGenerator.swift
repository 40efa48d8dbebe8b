/// A model that writes text for a prompt: the frontier chat model asked for new training
/// examples, or a scripted double in tests.
///
/// Semantics every conformer keeps:
/// - `generate(_:)` returns the model's whole answer as one string, unparsed; callers
///   that expect a format (one example per line, JSON) check it themselves.
/// - A refusal, an empty answer the model flags as an error, or an answer cut short by the
///   token limit the model reports throws ``ModelError/invalidResponse(_:)``.
/// - Conformers are `Sendable` and safe to call from many tasks at once.
public protocol TextGenerator: Sendable {
    /// Answers one prompt.
    func generate(_ prompt: Prompt) async throws -> GeneratedText
}

/// What a ``TextGenerator`` is asked.
public struct Prompt: Sendable, Hashable, Codable {
    /// Standing instructions (a chat API's system message); empty for none.
    public var instructions: String
    /// The request itself (the user message).
    public var text: String
    /// Sampling temperature: 0 for the most likely answer, about 1 for varied ones.
    public var temperature: Double
    /// The most tokens the answer may use.
    public var maximumOutputTokens: Int

    /// Creates a prompt.
    public init(instructions: String = "", text: String, temperature: Double = 1, maximumOutputTokens: Int = 1024) {
        self.instructions = instructions
        self.text = text
        self.temperature = temperature
        self.maximumOutputTokens = maximumOutputTokens
    }

    private enum CodingKeys: String, CodingKey {
        case instructions, text, temperature
        case maximumOutputTokens = "maximum_output_tokens"
    }
}

/// A ``TextGenerator``'s answer and what producing it consumed.
public struct GeneratedText: Sendable, Hashable, Codable {
    /// The answer, as the model wrote it.
    public var text: String
    /// Tokens, calls, wall time and cost of the answer.
    public var usage: Usage

    /// Creates an answer.
    public init(text: String, usage: Usage = .zero) {
        self.text = text
        self.usage = usage
    }
}
