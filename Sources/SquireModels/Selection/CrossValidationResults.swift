/// Every hyperparameter candidate's held-out scores fold by fold, and the choice made from
/// them: scikit-learn's `cv_results_`, with the rule that chose.
///
/// Candidates are listed most regularized first (smaller C; for the MLP fewer epochs, then
/// larger weight decay, then larger label smoothing), the order the one-standard-error rule
/// walks.
public struct CrossValidationResults: Sendable, Hashable, Codable {
    /// One candidate's scores on every held-out fold.
    public struct Candidate: Sendable, Hashable, Codable {
        /// `C=10.0`, or `weight_decay=0.1, label_smoothing=0.1, epochs=12`.
        public var setting: String
        /// Each fold's score, repeat by repeat.
        public var folds: [FoldScore]
        /// Each fold's fit, in seconds (for an epoch of a longer run, the time to reach it).
        public var fitSeconds: [Double]

        /// Creates a candidate's row.
        public init(setting: String, folds: [FoldScore], fitSeconds: [Double]) {
            self.setting = setting
            self.folds = folds
            self.fitSeconds = fitSeconds
        }

        /// Each figure's mean over the folds.
        public var mean: FoldScore {
            let count = Double(folds.count)
            return FoldScore(
                accuracy: folds.reduce(0) { $0 + $1.accuracy } / count,
                macroF1: folds.reduce(0) { $0 + $1.macroF1 } / count,
                logLoss: folds.reduce(0) { $0 + $1.logLoss } / count)
        }

        /// Each figure's standard error: the folds' sample standard deviation over the square
        /// root of their count; nil for a single fold, where there is no spread to see.
        public var standardError: FoldScore? {
            guard folds.count > 1 else { return nil }
            let mean = mean
            func error(_ metric: SelectionMetric) -> Double {
                let squares = folds.reduce(0) { $0 + ($1[metric] - mean[metric]) * ($1[metric] - mean[metric]) }
                return (squares / Double(folds.count - 1)).squareRoot() / Double(folds.count).squareRoot()
            }
            return FoldScore(accuracy: error(.accuracy), macroF1: error(.macroF1), logLoss: error(.logLoss))
        }

        /// Reads a row; the mean and standard error are derived from the folds, not read.
        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            try self.init(
                setting: container.decode(String.self, forKey: .setting),
                folds: container.decode([FoldScore].self, forKey: .folds),
                fitSeconds: container.decode([Double].self, forKey: .fitSeconds))
            guard !folds.isEmpty, fitSeconds.count == folds.count else {
                throw DecodingError.dataCorruptedError(
                    forKey: .folds, in: container,
                    debugDescription: "a candidate needs one fit time per fold, and a fold")
            }
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(setting, forKey: .setting)
            try container.encode(mean, forKey: .mean)
            try container.encodeIfPresent(standardError, forKey: .standardError)
            try container.encode(folds, forKey: .folds)
            try container.encode(fitSeconds, forKey: .fitSeconds)
        }

        private enum CodingKeys: String, CodingKey {
            case setting, folds, mean
            case standardError = "standard_error"
            case fitSeconds = "fit_seconds"
        }
    }

    /// A candidate left out because its training diverged on some fold.
    public struct DroppedCandidate: Sendable, Hashable, Codable {
        /// The candidate's setting.
        public var setting: String
        /// What went wrong, in words.
        public var reason: String

        /// Creates a row.
        public init(setting: String, reason: String) {
            self.setting = setting
            self.reason = reason
        }
    }

    /// What the candidates were compared on.
    public var metric: SelectionMetric
    /// How the choice was made.
    public var rule: SelectionRule
    /// Folds per repeat; 1 for a single validation set.
    public var foldCount: Int
    /// Repeats of the folds, each with its own shuffle.
    public var repeats: Int
    /// Every candidate that trained, most regularized first.
    public var candidates: [Candidate]
    /// Candidates whose training diverged, left out of the choice.
    public var dropped: [DroppedCandidate]
    /// Labels spread over fewer folds than there are, with the number of folds they are in.
    public var thinLabels: [String: Int]
    /// The candidate with the best mean (exact ties: lower mean log loss, then more regularized).
    public private(set) var bestIndex: Int
    /// The candidate the rule chose.
    public private(set) var chosenIndex: Int
    /// The one-standard-error rule's bar: the best mean less its standard error (plus, for
    /// log loss); nil when the rule was not applied (``SelectionRule/best``, or one fold).
    public private(set) var threshold: Double?

    /// Ranks the candidates and applies `rule`.
    ///
    /// - Throws: ``TrainingError/everyCandidateDiverged(_:)`` when no candidate is left.
    public init(
        metric: SelectionMetric, rule: SelectionRule, foldCount: Int, repeats: Int, candidates: [Candidate],
        dropped: [DroppedCandidate] = [], thinLabels: [String: Int] = [:]
    ) throws {
        guard !candidates.isEmpty else {
            throw TrainingError.everyCandidateDiverged(dropped.map { "\($0.setting): \($0.reason)" })
        }
        self.metric = metric
        self.rule = rule
        self.foldCount = foldCount
        self.repeats = repeats
        self.candidates = candidates
        self.dropped = dropped
        self.thinLabels = thinLabels
        // Scores as "higher is better", so one comparison serves every metric.
        let sign = metric.higherIsBetter ? 1.0 : -1.0
        let means = candidates.map { sign * $0.mean[metric] }
        let losses = candidates.map { $0.mean.logLoss }
        var best = 0
        for index in candidates.indices.dropFirst()
        where means[index] > means[best] || (means[index] == means[best] && losses[index] < losses[best]) {
            best = index
        }
        bestIndex = best
        guard rule == .oneStandardError, let error = candidates[best].standardError?[metric] else {
            chosenIndex = best
            threshold = nil
            return
        }
        let bar = means[best] - error
        threshold = sign * bar
        // The first (most regularized) candidate at or above the bar; the best itself is.
        chosenIndex = candidates.indices.first { means[$0] >= bar }!
    }

    /// The chosen candidate.
    public var chosen: Candidate { candidates[chosenIndex] }

    /// The best candidate by mean score.
    public var best: Candidate { candidates[bestIndex] }

    /// Reads results written by `encode(to:)`, re-applying the rule to the scores.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(
            metric: container.decode(SelectionMetric.self, forKey: .metric),
            rule: container.decode(SelectionRule.self, forKey: .rule),
            foldCount: container.decode(Int.self, forKey: .foldCount),
            repeats: container.decode(Int.self, forKey: .repeats),
            candidates: container.decode([Candidate].self, forKey: .candidates),
            dropped: container.decode([DroppedCandidate].self, forKey: .dropped),
            thinLabels: container.decode([String: Int].self, forKey: .thinLabels))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(metric, forKey: .metric)
        try container.encode(rule, forKey: .rule)
        try container.encode(foldCount, forKey: .foldCount)
        try container.encode(repeats, forKey: .repeats)
        try container.encode(candidates, forKey: .candidates)
        try container.encode(dropped, forKey: .dropped)
        try container.encode(thinLabels, forKey: .thinLabels)
        try container.encode(candidates[bestIndex].setting, forKey: .best)
        try container.encode(chosen.setting, forKey: .chosen)
        try container.encodeIfPresent(threshold, forKey: .threshold)
    }

    private enum CodingKeys: String, CodingKey {
        case metric, rule, repeats, candidates, dropped, best, chosen, threshold
        case foldCount = "fold_count"
        case thinLabels = "thin_labels"
    }
}
