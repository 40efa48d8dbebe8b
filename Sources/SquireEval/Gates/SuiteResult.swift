/// How a model did on a regression suite, case by case.
public struct SuiteResult: Sendable, Hashable, Codable {
    /// One case's verdict.
    public struct Outcome: Sendable, Hashable, Codable {
        /// The case's id.
        public var id: String
        /// Whether the answer met the expectation (and the minimum confidence).
        public var passed: Bool
        /// The answered label; `nil` when the call failed.
        public var predicted: String?
        /// The answer's confidence.
        public var confidence: Double?
        /// Why it failed; `nil` when it passed.
        public var reason: String?

        /// Creates an outcome from its parts.
        public init(id: String, passed: Bool, predicted: String?, confidence: Double?, reason: String?) {
            self.id = id
            self.passed = passed
            self.predicted = predicted
            self.confidence = confidence
            self.reason = reason
        }
    }

    /// The suite's name.
    public var name: String
    /// One per case, in suite order.
    public var outcomes: [Outcome]

    /// Creates a result from its parts.
    public init(name: String, outcomes: [Outcome]) {
        self.name = name
        self.outcomes = outcomes
    }

    /// Whether every case passed.
    public var passed: Bool { outcomes.allSatisfy(\.passed) }

    /// The ids of the failing cases.
    public var failingIDs: [String] { outcomes.filter { !$0.passed }.map(\.id) }

    /// What changed since an earlier run of the same suite.
    public struct Changes: Sendable, Hashable, Codable {
        /// Cases that passed before and fail now — regressions.
        public var newlyFailing: [String]
        /// Cases that failed before and pass now.
        public var newlyFixed: [String]
        /// Cases that were not in the earlier run.
        public var added: [String]

        private enum CodingKeys: String, CodingKey {
            case added
            case newlyFailing = "newly_failing"
            case newlyFixed = "newly_fixed"
        }
    }

    /// Compares this run with `previous`, case by case.
    public func changes(since previous: SuiteResult) -> Changes {
        let before = Dictionary(previous.outcomes.map { ($0.id, $0.passed) }, uniquingKeysWith: { first, _ in first })
        var changes = Changes(newlyFailing: [], newlyFixed: [], added: [])
        for outcome in outcomes {
            switch (before[outcome.id], outcome.passed) {
            case (nil, _): changes.added.append(outcome.id)
            case (true?, false): changes.newlyFailing.append(outcome.id)
            case (false?, true): changes.newlyFixed.append(outcome.id)
            default: break
            }
        }
        return changes
    }
}
