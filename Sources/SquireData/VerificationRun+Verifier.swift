import SquireCore

extension VerificationRun {
    /// A second teacher's answer to every text, in order, asked `batchSize` at a time.
    ///
    /// One unusable answer must not sink the run: a batch that fails on one is asked again
    /// text by text, and a text whose answer still cannot be used gets that error in its place
    /// (the caller sends it to review). Outages and the other errors end the run.
    func verifierAnswers(for texts: [String], from verifier: any TextClassifier) async throws
        -> [Result<Classification, ModelError>]
    {
        var answers: [Result<Classification, ModelError>] = []
        for start in stride(from: 0, to: texts.count, by: batchSize) {
            let batch = Array(texts[start..<min(start + batchSize, texts.count)])
            do {
                answers += try await Self.classify(batch, with: verifier).map { .success($0) }
            } catch let error as ModelError where Self.isAboutOneAnswer(error) {
                for text in batch {
                    do {
                        answers.append(.success(try await Self.classify([text], with: verifier)[0]))
                    } catch let error as ModelError where Self.isAboutOneAnswer(error) {
                        answers.append(.failure(error))
                    }
                }
            }
        }
        return answers
    }

    /// A verifier's answers to `texts`, one per text.
    private static func classify(_ texts: [String], with verifier: any TextClassifier) async throws -> [Classification]
    {
        let got = try await verifier.classify(texts)
        guard got.count == texts.count else {
            throw ModelError.resultCountMismatch(expected: texts.count, actual: got.count)
        }
        return got
    }

    /// Errors about one answer (unreadable, a label outside the set), after which the other
    /// texts can still be checked.
    private static func isAboutOneAnswer(_ error: ModelError) -> Bool {
        switch error {
        case .invalidResponse, .unknownLabel, .emptyProbabilities, .invalidInput: true
        default: false
        }
    }
}
