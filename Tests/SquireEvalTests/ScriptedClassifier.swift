import SquireCore

/// A classifier for tests: answers from a table, fails on marked texts, optionally slow.
struct ScriptedClassifier: TextClassifier {
    let labels: [String]
    var answers: [String: Classification]
    var failOn: Set<String> = []
    var delay: Duration = .zero

    struct Failure: Error, CustomStringConvertible {
        var description: String { "scripted failure" }
    }

    func classify(_ texts: [String]) async throws -> [Classification] {
        if delay > .zero { try await Task.sleep(for: delay) }
        if texts.contains(where: failOn.contains) { throw Failure() }
        return texts.map { answers[$0] ?? Classification(label: labels[0], confidence: 0.5) }
    }
}
