public import SquireCore

/// Runs a classifier over a dataset: batched, a bounded number of calls in flight, every
/// call timed, failures recorded rather than fatal, cancellable.
public struct EvalRunner: Sendable {
    /// Texts sent per `classify` call.
    public var batchSize: Int
    /// Calls allowed in flight at once; a frontier client's rate limit is the usual bound.
    public var maximumConcurrency: Int

    /// Creates a runner; sizes below 1 are raised to 1.
    public init(batchSize: Int = 32, maximumConcurrency: Int = 4) {
        self.batchSize = max(1, batchSize)
        self.maximumConcurrency = max(1, maximumConcurrency)
    }

    /// What a run produced: one prediction per example, in dataset order, and the calls made.
    public struct Run: Sendable, Hashable {
        /// One per example, in dataset order.
        public var predictions: [Prediction]
        /// The wall time of each `classify` call, in seconds, in batch order.
        public var callLatencies: [Double]
    }

    /// Classifies every example of `dataset` with `model`.
    ///
    /// A call that throws marks its batch's examples as failed with the error's
    /// description, and so does an answer that breaks the protocol (wrong count, a
    /// non-finite confidence). Cancelling the task stops issuing calls and throws
    /// `CancellationError`. `progress` gets the number of examples done after each call.
    public func run(
        _ model: some TextClassifier, on dataset: Dataset,
        progress: (@Sendable (_ completed: Int, _ total: Int) -> Void)? = nil
    ) async throws -> Run {
        let examples = dataset.examples
        let batches = stride(from: 0, to: examples.count, by: batchSize).map {
            $0..<min($0 + batchSize, examples.count)
        }
        var predictions = [Prediction?](repeating: nil, count: examples.count)
        var latencies = [Double](repeating: 0, count: batches.count)
        var completed = 0
        try await withThrowingTaskGroup(of: (Int, [Prediction], Double).self) { group in
            var next = 0
            func launch() {
                let index = next
                let range = batches[index]
                next += 1
                group.addTask { try await Self.call(model, on: Array(examples[range]), batch: index) }
            }
            while next < min(maximumConcurrency, batches.count) { launch() }
            while let (index, batch, latency) = try await group.next() {
                for (offset, prediction) in batch.enumerated() {
                    predictions[batches[index].lowerBound + offset] = prediction
                }
                latencies[index] = latency
                completed += batch.count
                progress?(completed, examples.count)
                try Task.checkCancellation()
                if next < batches.count { launch() }
            }
        }
        return Run(predictions: predictions.map { $0! }, callLatencies: latencies)
    }

    private static func call(_ model: some TextClassifier, on examples: [LabeledExample], batch: Int) async throws -> (
        Int, [Prediction], Double
    ) {
        try Task.checkCancellation()
        let clock = ContinuousClock()
        let start = clock.now
        var answers: [Classification] = []
        var failure: String?
        do {
            answers = try await model.classify(examples.map(\.text))
            if answers.count != examples.count {
                failure = String(
                    describing: ModelError.resultCountMismatch(expected: examples.count, actual: answers.count))
            } else if let bad = answers.first(where: {
                !$0.confidence.isFinite || $0.probabilities.values.contains { !$0.isFinite }
            }) {
                failure = "the model answered a non-finite confidence or probability for \"\(bad.label)\""
            }
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            if Task.isCancelled { throw CancellationError() }
            failure = String(describing: error)
        }
        let elapsed = clock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        let predictions = examples.enumerated().map { offset, example in
            Prediction(
                id: example.id, expected: example.label, tags: example.tags,
                classification: failure == nil ? answers[offset] : nil, failure: failure, latencySeconds: seconds)
        }
        return (batch, predictions, seconds)
    }
}
