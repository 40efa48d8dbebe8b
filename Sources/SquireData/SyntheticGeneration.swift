public import SquireCore
public import SquireEval

/// Asks a `TextGenerator` for new examples of each label from a brief, varying persona,
/// length and style by a seeded ``DiversitySchedule`` and dropping duplicates as it goes.
///
/// Each request asks for ``examplesPerRequest`` messages, one per line; numbering, bullets
/// and quotes are stripped, and a line whose normalized text was seen before (a seed, an
/// existing example, an earlier answer) is dropped and counted. A label gets requests until
/// it has enough new examples or ``maximumRequestsPerLabel`` is spent; a shortfall is
/// reported, not hidden. Labels are generated in parallel; one label's requests run in turn,
/// so its result does not depend on timing.
public struct SyntheticGeneration: Sendable {
    /// The model that writes.
    public var generator: any TextGenerator
    /// Messages asked for in one request.
    public var examplesPerRequest: Int
    /// The personas, lengths and styles requests rotate through.
    public var schedule: DiversitySchedule
    /// Seeds shown to the generator per request, drawn from the brief's seeds.
    public var seedsPerRequest: Int
    /// The most requests spent on one label; nil allows three times what is needed.
    public var maximumRequestsPerLabel: Int?
    /// Labels generated at once.
    public var maximumConcurrentLabels: Int
    /// Sampling temperature.
    public var temperature: Double
    /// Seeds the schedule and the choice of seeds shown.
    public var seed: UInt64

    /// Creates a generation run over `generator`.
    public init(
        generator: any TextGenerator, examplesPerRequest: Int = 8, schedule: DiversitySchedule = .standard,
        seedsPerRequest: Int = 5,
        maximumRequestsPerLabel: Int? = nil, maximumConcurrentLabels: Int = 4, temperature: Double = 1, seed: UInt64 = 0
    ) {
        self.generator = generator
        self.examplesPerRequest = examplesPerRequest
        self.schedule = schedule
        self.seedsPerRequest = seedsPerRequest
        self.maximumRequestsPerLabel = maximumRequestsPerLabel
        self.maximumConcurrentLabels = maximumConcurrentLabels
        self.temperature = temperature
        self.seed = seed
    }

    /// Writes `count` new examples for each brief, none equal (after normalization) to a
    /// seed, to `existing` or to each other.
    ///
    /// Answers the generator cannot give (`ModelError.invalidResponse`) count as spent
    /// requests; outages and cancellation stop the run and are rethrown.
    public func generate(
        _ briefs: [LabelBrief], count: Int, avoiding existing: [String] = [],
        progress: @Sendable (GenerationProgress) -> Void = { _ in }
    ) async throws -> SyntheticDataset {
        guard count >= 1, examplesPerRequest >= 1, seedsPerRequest >= 0, maximumConcurrentLabels >= 1 else {
            throw DataError.invalidConfiguration(
                "the count, examples per request and concurrent labels must be at least 1")
        }
        try schedule.validate()
        guard Set(briefs.map(\.label)).count == briefs.count else {
            throw DataError.invalidInput("two briefs share a label")
        }
        if let brief = briefs.first(where: { $0.label.isEmpty || $0.seeds.isEmpty }) {
            throw DataError.invalidInput("the brief for \"\(brief.label)\" needs a label and at least one seed example")
        }
        let avoided = Set(existing.map(\.normalizedForComparison))
        let requests = maximumRequestsPerLabel ?? 3 * ((count + examplesPerRequest - 1) / examplesPerRequest)
        var results: [String: LabelOutcome] = [:]
        // A frontier generator counts its failed requests too; they were made and may be billed.
        let meter = (generator as? any UsageMetered)?.meter
        let start = meter?.usage ?? .zero
        try await withThrowingTaskGroup(of: LabelOutcome.self) { group in
            var next = 0
            func launch() {
                guard next < briefs.count else { return }
                let brief = briefs[next]
                next += 1
                group.addTask { try await generate(brief, count: count, requests: requests, avoiding: avoided) }
            }
            for _ in 0..<maximumConcurrentLabels { launch() }
            while let outcome = try await group.next() {
                results[outcome.label] = outcome
                progress(
                    GenerationProgress(
                        labelsDone: results.count, labelCount: briefs.count,
                        usage: results.values.reduce(.zero) { $0 + $1.usage }))
                launch()
            }
        }
        let ordered = briefs.map { results[$0.label]! }
        let answered = ordered.reduce(Usage.zero) { $0 + $1.usage }
        return SyntheticDataset(
            examples: ordered.flatMap(\.examples),
            duplicatesDropped: ordered.reduce(0) { $0 + $1.duplicates },
            failedRequests: ordered.reduce(0) { $0 + $1.failedRequests },
            failureReasons: ordered.reduce(into: [:]) { total, outcome in
                total.merge(outcome.failureReasons, uniquingKeysWith: +)
            },
            requests: ordered.reduce(0) { $0 + $1.requests },
            shortfalls: Dictionary(
                uniqueKeysWithValues: ordered.filter { $0.examples.count < count }.map {
                    ($0.label, count - $0.examples.count)
                }),
            usage: meter.map { $0.spending(since: start, answered: answered) } ?? answered)
    }

    private struct LabelOutcome: Sendable {
        var label: String
        var examples: [LabeledExample] = []
        var duplicates = 0
        var failedRequests = 0
        var failureReasons: [String: Int] = [:]
        var requests = 0
        var usage = Usage.zero
    }

    private func generate(_ brief: LabelBrief, count: Int, requests: Int, avoiding avoided: Set<String>) async throws
        -> LabelOutcome
    {
        var outcome = LabelOutcome(label: brief.label)
        var seen = avoided.union(brief.seeds.map(\.normalizedForComparison))
        var picker = SplitMix64(seed: seed ^ DiversitySchedule.fingerprint(brief.label) ^ 0x5EED)
        for draw in schedule.draws(for: brief.label, count: requests, seed: seed) where outcome.examples.count < count {
            try Task.checkCancellation()
            let shown = Array(brief.seeds.shuffled(using: &picker).prefix(seedsPerRequest))
            let wanted = min(examplesPerRequest, count - outcome.examples.count)
            outcome.requests += 1
            let answer: GeneratedText
            do {
                answer = try await generator.generate(prompt(for: brief, showing: shown, count: wanted, draw: draw))
            } catch let error as ModelError {
                guard case .invalidResponse = error else { throw error }
                outcome.failedRequests += 1
                outcome.failureReasons[String(String(describing: error).prefix(200)), default: 0] += 1
                continue
            }
            outcome.usage += answer.usage
            for line in Self.messages(in: answer.text) where outcome.examples.count < count {
                guard seen.insert(line.normalizedForComparison).inserted, !line.normalizedForComparison.isEmpty else {
                    outcome.duplicates += 1
                    continue
                }
                outcome.examples.append(
                    LabeledExample(
                        id: "synthetic-\(brief.label)-\(outcome.examples.count + 1)", text: line, label: brief.label,
                        tags: ["synthetic", "persona=\(draw.persona)", "length=\(draw.length)", "style=\(draw.style)"]))
            }
        }
        return outcome
    }

    /// The prompt for one request.
    func prompt(for brief: LabelBrief, showing seeds: [String], count: Int, draw: DiversitySchedule.Draw) -> Prompt {
        let description = brief.description.isEmpty ? "" : " (\(brief.description))"
        let examples = seeds.map { "- \($0)" }.joined(separator: "\n")
        return Prompt(
            instructions: """
                You write realistic messages that users send, to train a text classifier. Answer with the messages only, \
                one per line, without numbering, quotes or commentary.
                """,
            text: """
                Write \(count) different messages a user might send that belong to the category "\(brief.label)"\(description).

                Real examples of this category:
                \(examples)

                Write them as \(draw.persona) would, \(draw.length), \(draw.style). Vary the wording and the details; do not copy the examples.
                """,
            temperature: temperature, maximumOutputTokens: 80 * count + 100)
    }

    /// The messages in an answer: one per line, with list markers, numbering and quotes
    /// removed, and lead-in lines ("Here are five messages:") skipped.
    static func messages(in answer: String) -> [String] {
        answer.split(whereSeparator: \.isNewline).compactMap { raw in
            var line = Substring(raw).trimmingWhitespace()
            if let first = line.first, "-*•".contains(first) { line = line.dropFirst().trimmingWhitespace() }
            let digits = line.prefix { $0.isNumber }
            if !digits.isEmpty, digits.count <= 3, let marker = line.dropFirst(digits.count).first,
                marker == "." || marker == ")"
            {
                line = line.dropFirst(digits.count + 1).trimmingWhitespace()
            }
            for (open, close) in [("\"", "\""), ("“", "”"), ("'", "'")]
            where line.count >= 2 && line.hasPrefix(open) && line.hasSuffix(close) {
                line = line.dropFirst().dropLast().trimmingWhitespace()
            }
            guard !line.isEmpty, !line.hasSuffix(":") else { return nil }
            return String(line)
        }
    }
}

extension Substring {
    fileprivate func trimmingWhitespace() -> Substring {
        var line = self
        while line.first?.isWhitespace == true { line = line.dropFirst() }
        while line.last?.isWhitespace == true { line = line.dropLast() }
        return line
    }
}

/// How far a generation run is.
public struct GenerationProgress: Sendable, Hashable {
    /// Labels finished.
    public var labelsDone: Int
    /// Labels in the run.
    public var labelCount: Int
    /// What the finished labels' requests cost.
    public var usage: Usage
}

/// What a generation run wrote.
public struct SyntheticDataset: Sendable {
    /// The new examples, label by label in the order of the briefs, each tagged `synthetic`
    /// and with its persona, length and style.
    public var examples: [LabeledExample]
    /// Lines dropped because their text had been seen before.
    public var duplicatesDropped: Int
    /// Requests whose answers could not be used.
    public var failedRequests: Int
    /// Why they could not, each reason (its start) with how many requests it failed.
    public var failureReasons: [String: Int]
    /// Requests made.
    public var requests: Int
    /// Labels that got fewer examples than asked for, with how many are missing.
    public var shortfalls: [String: Int]
    /// What the requests cost: failed ones included when the generator keeps a
    /// ``UsageMeter`` (frontier clients do).
    public var usage: Usage
}
