public import SquireCore

/// A text generator behind a ``SemanticCache``: a prompt the cache can answer never reaches
/// the model; the model's other answers are stored.
///
/// It is itself a `TextGenerator`, so it drops in wherever the model was. ``answer(_:)`` gives
/// the same answer with where it came from.
///
/// The cache compares the prompts' texts; everything else that shapes the answer — the
/// instructions, the temperature, the token limit — goes into the version key
/// (``versionKey(for:)``), so a prompt with other instructions never gets this one's answer.
/// At a temperature above 0 a hit returns an earlier sample instead of a new one: that is what
/// caching a generator means.
public struct CachedGenerator<Base: TextGenerator>: TextGenerator {
    /// The model asked on a miss.
    public let base: Base
    /// Where answers are kept.
    public let cache: SemanticCache<GeneratedText>
    /// The model's version, the first part of every version key.
    public let version: String

    /// Puts `cache` in front of `base`, filing answers under `version`.
    public init(_ base: Base, cache: SemanticCache<GeneratedText>, version: String) {
        self.base = base
        self.cache = cache
        self.version = version
    }

    /// Answers the prompt, from the cache when it can; ``answer(_:)`` says where it came from.
    public func generate(_ prompt: Prompt) async throws -> GeneratedText {
        try await answer(prompt).answer
    }

    /// Answers the prompt, from the cache when it can, and says where the answer came from.
    /// An answer from the cache has no usage.
    ///
    /// - Throws: the model's error; nothing is stored then.
    public func answer(_ prompt: Prompt) async throws -> CachedAnswer<GeneratedText> {
        let lookup = try await cache.lookup(prompt.text, version: versionKey(for: prompt))
        if var stored = lookup.answer {
            stored.usage = .zero
            return CachedAnswer(
                answer: stored, outcome: lookup.outcome, similarity: lookup.similarity, matchedText: lookup.matchedText)
        }
        let fresh = try await base.generate(prompt)
        await cache.insert(contentsOf: [(fresh, lookup)])
        return CachedAnswer(answer: fresh, outcome: .miss, similarity: lookup.similarity)
    }

    /// The version key `prompt`'s answer is filed under: the model's version, the
    /// instructions, the temperature and the token limit, separated by U+001F.
    public func versionKey(for prompt: Prompt) -> String {
        [version, prompt.instructions, "\(prompt.temperature)", "\(prompt.maximumOutputTokens)"]
            .joined(separator: "\u{1F}")
    }
}
