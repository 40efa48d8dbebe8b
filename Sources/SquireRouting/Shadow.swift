public import SquireCore

/// Runs a candidate beside the live model on the same requests without touching the
/// answers: callers get the live model's answers at the live model's latency, and the
/// candidate's answers (or failures) land in ``log`` in the background.
public struct Shadow<Live: TextClassifier, Candidate: TextClassifier>: TextClassifier {
    /// The model whose answers are returned.
    public let live: Live
    /// The model under observation.
    public let candidate: Candidate
    /// Agreement and disagreements so far.
    public let log: ShadowLog

    /// Creates a shadow deployment writing to `log`.
    public init(live: Live, candidate: Candidate, log: ShadowLog = ShadowLog()) {
        self.live = live
        self.candidate = candidate
        self.log = log
    }

    /// The live model's labels.
    public var labels: [String] { live.labels }

    public func classify(_ texts: [String]) async throws -> [Classification] {
        let answers = try await live.classify(texts)
        guard answers.count == texts.count else { return answers }
        let candidate = self.candidate
        let log = self.log
        // Unstructured on purpose: the caller must not wait for the candidate.
        let task = Task {
            var entries: [ShadowLog.Entry] = []
            do {
                let shadow = try await candidate.classify(texts)
                for (index, text) in texts.enumerated() {
                    let other = index < shadow.count ? shadow[index] : nil
                    entries.append(
                        .init(
                            text: text, liveLabel: answers[index].label, liveConfidence: answers[index].confidence,
                            candidateLabel: other?.label, candidateConfidence: other?.confidence,
                            candidateError: other == nil
                                ? "the candidate returned \(shadow.count) answers for \(texts.count) texts" : nil))
                }
            } catch {
                for (index, text) in texts.enumerated() {
                    entries.append(
                        .init(
                            text: text, liveLabel: answers[index].label, liveConfidence: answers[index].confidence,
                            candidateLabel: nil, candidateConfidence: nil, candidateError: String(describing: error)))
                }
            }
            await log.record(entries)
        }
        await log.track(task)
        return answers
    }
}
