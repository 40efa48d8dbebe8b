import SquireCore

/// What the classifiers share: one request per text, sent in parallel (the transport
/// bounds how many are in flight), answers put back in input order; and the label checks.
enum PerTextRequests {
    static func classify(
        _ texts: [String], _ one: @escaping @Sendable (String) async throws -> Classification
    ) async throws -> [Classification] {
        try await withThrowingTaskGroup(of: (Int, Classification).self) { group in
            for (index, text) in texts.enumerated() {
                group.addTask { (index, try await one(text)) }
            }
            var results = [Classification?](repeating: nil, count: texts.count)
            for try await (index, answer) in group { results[index] = answer }
            return results.map { $0! }
        }
    }

    static func validate(labels: [String]) throws {
        guard !labels.isEmpty, Set(labels).count == labels.count else {
            throw FrontierError.invalidConfiguration("labels must be non-empty and distinct")
        }
    }

    /// The token counts a server reported (0 for one it left out), refused when no call can
    /// have them: a negative count would make a cost negative, and one of 2³¹ or more would
    /// overflow the sums of a cost report.
    static func tokens(input: Int?, output: Int?) throws -> (input: Int, output: Int) {
        let possible = 0...Int(Int32.max)
        let counts = (input: input ?? 0, output: output ?? 0)
        guard possible.contains(counts.input), possible.contains(counts.output) else {
            throw ModelError.invalidResponse(
                "the response reports impossible token counts (\(counts.input) in, \(counts.output) out)")
        }
        return counts
    }

    /// A call's usage: reported tokens, attempts, wall time and the configured price.
    static func usage(_ configuration: FrontierConfiguration, input: Int, output: Int, attempts: Int, latency: Duration)
        -> Usage
    {
        Usage(
            inputTokens: input, outputTokens: output, calls: attempts, latency: latency,
            cost: Cost(dollars: configuration.price?.cost(inputTokens: input, outputTokens: output) ?? 0))
    }
}
