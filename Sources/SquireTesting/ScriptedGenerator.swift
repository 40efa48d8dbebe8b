public import SquireCore

/// A text generator that answers from a script: deterministic, instant, no network.
///
/// The script sees the prompt and how many calls came before, so a test can return
/// duplicates, leaked texts, wrong labels or PII on purpose:
///
/// ```swift
/// let writer = ScriptedGenerator { prompt, call in
///     .init(text: "refund my order \(call)\nwhere is my refund")
/// }
/// ```
public struct ScriptedGenerator: TextGenerator {
    private let answer: @Sendable (Prompt, Int) throws -> GeneratedText
    private let counter = Mutex(0)
    /// Every prompt received, in the order the calls started.
    public let log = PromptLog()

    /// Answers each prompt with `answer(prompt, call)`, `call` counting from 0; what it
    /// throws, `generate` throws.
    public init(answer: @escaping @Sendable (Prompt, Int) throws -> GeneratedText) {
        self.answer = answer
    }

    /// Answers with `answers` in turn, then throws `ModelError.unavailable` when they run out.
    public init(answers: [String]) {
        self.init { _, call in
            guard call < answers.count else {
                throw ModelError.unavailable("the script has only \(answers.count) answers")
            }
            return GeneratedText(text: answers[call])
        }
    }

    public func generate(_ prompt: Prompt) async throws -> GeneratedText {
        let call = counter.withLock { count -> Int in
            defer { count += 1 }
            return count
        }
        log.record(prompt)
        return try answer(prompt, call)
    }
}

/// A thread-safe list of the prompts a generator received.
public final class PromptLog: Sendable {
    private let storage = Mutex<[Prompt]>([])

    /// Creates an empty log.
    public init() {}

    /// Every prompt, in the order the calls started.
    public var prompts: [Prompt] { storage.withLock { $0 } }

    func record(_ prompt: Prompt) { storage.withLock { $0.append(prompt) } }
}
