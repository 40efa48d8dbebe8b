public import Foundation
public import SquireCore

/// Labels texts with a teacher — usually a frontier client, any `TextClassifier` will do —
/// with batches in parallel, a journal that makes an interrupted run resumable, and the
/// cost of every call added up.
///
/// Every finished label is appended to the journal (and flushed to disk) as it arrives. A
/// run started again with the same journal skips what the journal holds, so after a crash,
/// a cancelled task or an API outage no text is labelled twice and none is lost. A text
/// whose answer cannot be used (a label outside the set, garbage) is reported in
/// ``LabelingResult/failures`` and left out of the journal, so the next run asks again.
public struct TeacherLabeling: Sendable {
    /// The model that labels.
    public var teacher: any TextClassifier
    /// Texts per `classify` call.
    public var batchSize: Int
    /// Calls in flight at once.
    public var maximumConcurrentBatches: Int
    /// What the teacher is ("openai gpt-4o-mini at https://…", a bundle's version), written at
    /// the head of a new journal: resuming a journal another teacher began is refused, so one
    /// file never mixes two teachers' labels. Nil records nothing and checks nothing.
    public var teacherIdentity: String?

    /// Creates a labelling run over `teacher`.
    public init(
        teacher: any TextClassifier, teacherIdentity: String? = nil, batchSize: Int = 16,
        maximumConcurrentBatches: Int = 4
    ) {
        self.teacher = teacher
        self.teacherIdentity = teacherIdentity
        self.batchSize = batchSize
        self.maximumConcurrentBatches = maximumConcurrentBatches
    }

    /// Labels `texts`, resuming from `journal` when it exists.
    ///
    /// Outages (`ModelError.unavailable`, `.timedOut`), cancellation and journal write
    /// failures stop the run and are rethrown; everything labelled until then stays in the
    /// journal. Throws ``DataError/journal(_:reason:)`` when the journal is corrupt, belongs
    /// to other texts, or was begun by another teacher.
    public func label(
        _ texts: [UnlabeledText], journal: URL, progress: @Sendable (LabelingProgress) -> Void = { _ in }
    ) async throws -> LabelingResult {
        guard batchSize >= 1, maximumConcurrentBatches >= 1 else {
            throw DataError.invalidConfiguration(
                "the batch size and the number of concurrent batches must be at least 1")
        }
        var position: [String: Int] = [:]
        for (index, text) in texts.enumerated() {
            guard position.updateValue(index, forKey: text.id) == nil else {
                throw DataError.invalidInput("the id \"\(text.id)\" appears twice; ids must be unique")
            }
        }
        let writer = try LabelJournal(url: journal, teacher: teacherIdentity)
        var done: [String: TeacherLabel] = [:]
        for label in writer.resumed {
            guard let index = position[label.id], texts[index].text == label.text else {
                throw DataError.journal(
                    journal.path,
                    reason:
                        "it holds \"\(label.id)\", which is not among the texts to label (or has another text); it belongs to another run — move it away or delete it"
                )
            }
            done[label.id] = label
        }
        let resumedCount = done.count
        let pending = texts.filter { done[$0.id] == nil }
        let batches = stride(from: 0, to: pending.count, by: batchSize).map {
            Array(pending[$0..<min($0 + batchSize, pending.count)])
        }
        var failures: [LabelingFailure] = []
        var usage = Usage.zero
        // A frontier teacher counts its failed calls too; they were made and may be billed.
        let meter = (teacher as? any UsageMetered)?.meter
        let start = meter?.usage ?? .zero
        progress(LabelingProgress(labeled: done.count, failed: 0, total: texts.count, usage: usage))
        try await withThrowingTaskGroup(of: BatchOutcome.self) { group in
            var next = 0
            func launch() {
                guard next < batches.count else { return }
                let batch = batches[next]
                next += 1
                group.addTask { [teacher] in await Self.label(batch, with: teacher) }
            }
            for _ in 0..<maximumConcurrentBatches { launch() }
            var stop: (any Error)?
            while let outcome = try await group.next() {
                // After an outage, batches already in flight still finish and are kept: paid-for answers are not thrown away.
                if stop == nil, let error = outcome.stop { stop = error }
                try writer.append(outcome.labels)
                for label in outcome.labels {
                    done[label.id] = label
                    usage += label.usage
                }
                failures += outcome.failures
                progress(
                    LabelingProgress(labeled: done.count, failed: failures.count, total: texts.count, usage: usage))
                if stop == nil { launch() }
            }
            if let stop { throw stop }
        }
        if let meter { usage = meter.spending(since: start, answered: usage) }
        return LabelingResult(
            labels: texts.compactMap { done[$0.id] }, failures: failures.sorted { position[$0.id]! < position[$1.id]! },
            resumedCount: resumedCount, usage: usage)
    }

    private struct BatchOutcome: Sendable {
        var labels: [TeacherLabel] = []
        var failures: [LabelingFailure] = []
        var stop: (any Error)?
    }

    /// One batch: the whole batch in one call; when that call fails on an answer rather than
    /// an outage, each text alone, so one bad answer costs only its own text.
    private static func label(_ batch: [UnlabeledText], with teacher: any TextClassifier) async -> BatchOutcome {
        do {
            return BatchOutcome(labels: try await labelChecked(batch, with: teacher))
        } catch {
            if Self.stopsTheRun(error) { return BatchOutcome(stop: error) }
            if batch.count == 1 {
                return BatchOutcome(failures: [LabelingFailure(id: batch[0].id, reason: String(describing: error))])
            }
        }
        var outcome = BatchOutcome()
        for text in batch {
            do {
                outcome.labels += try await labelChecked([text], with: teacher)
            } catch {
                if Self.stopsTheRun(error) {
                    outcome.stop = error
                    return outcome
                }
                outcome.failures.append(LabelingFailure(id: text.id, reason: String(describing: error)))
            }
        }
        return outcome
    }

    private static func labelChecked(_ batch: [UnlabeledText], with teacher: any TextClassifier) async throws
        -> [TeacherLabel]
    {
        let answers = try await teacher.classify(batch.map(\.text))
        guard answers.count == batch.count else {
            throw ModelError.resultCountMismatch(expected: batch.count, actual: answers.count)
        }
        let known = Set(teacher.labels)
        return try zip(batch, answers).map { text, answer in
            guard known.contains(answer.label) else {
                throw ModelError.unknownLabel(answer.label, known: teacher.labels)
            }
            guard answer.confidence.isFinite, (0...1).contains(answer.confidence),
                answer.probabilities.allSatisfy({ known.contains($0.key) && $0.value.isFinite && $0.value >= 0 })
            else {
                throw ModelError.invalidResponse(
                    "the confidence or probabilities for \"\(text.id)\" are not probabilities over the teacher's labels"
                )
            }
            return TeacherLabel(
                id: text.id, text: text.text, label: answer.label, confidence: answer.confidence,
                probabilities: answer.probabilities,
                usage: answer.usage)
        }
    }

    /// Outages and cancellation end the run (the next run resumes); a bad answer does not.
    private static func stopsTheRun(_ error: any Error) -> Bool {
        switch error {
        case ModelError.unknownLabel, ModelError.invalidResponse, ModelError.resultCountMismatch,
            ModelError.emptyProbabilities,
            ModelError.invalidInput, ModelError.dimensionMismatch:
            return false
        default:
            return true
        }
    }
}

/// How far a labelling run is.
public struct LabelingProgress: Sendable, Hashable {
    /// Texts labelled so far, resumed ones included.
    public var labeled: Int
    /// Texts whose answers were unusable in this run.
    public var failed: Int
    /// Texts in the run.
    public var total: Int
    /// What this run's calls have cost so far.
    public var usage: Usage
}

/// A text the teacher could not label usefully, and why.
public struct LabelingFailure: Sendable, Hashable, Codable {
    /// The text's identifier.
    public var id: String
    /// What went wrong.
    public var reason: String
}

/// What a labelling run produced.
public struct LabelingResult: Sendable {
    /// The labels, in the order of the input texts; failed texts are missing.
    public var labels: [TeacherLabel]
    /// Texts without a usable answer; run again to retry them.
    public var failures: [LabelingFailure]
    /// Labels taken from the journal instead of asked for.
    public var resumedCount: Int
    /// What this run's calls cost (resumed labels excluded). Calls that ended in an error are
    /// counted when the teacher keeps a ``UsageMeter`` (frontier clients do); otherwise only
    /// answered calls are, since errors carry no usage through the `TextClassifier` protocol.
    public var usage: Usage
}
