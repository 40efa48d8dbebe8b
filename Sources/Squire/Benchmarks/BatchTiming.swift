public import SquireEval

/// Calls of one batch size, timed: what `squire bench` reports per batch size.
public struct BatchTiming: Sendable, Hashable, Codable {
    /// Latency percentiles of one call, in milliseconds.
    public struct Latency: Sendable, Hashable, Codable {
        /// Median.
        public var p50: Double
        /// 95th percentile.
        public var p95: Double
        /// 99th percentile.
        public var p99: Double
        /// Mean.
        public var mean: Double

        /// The figures of `summary` (which interpolates percentiles as numpy does).
        public init(_ summary: LatencySummary) {
            p50 = summary.p50
            p95 = summary.p95
            p99 = summary.p99
            mean = summary.mean
        }
    }

    /// Texts per call.
    public var batchSize: Int
    /// Latency of one call.
    public var latency: Latency
    /// Texts per second over all timed calls.
    public var sentencesPerSecond: Double
    /// Texts per pass.
    public var sentences: Int
    /// Passes over the texts.
    public var passes: Int
    /// What was timed: `embed`, `tokenize`, `train-step`, `classify`.
    public var stage: String
    /// How the encoder's weights were stored, when it matters.
    public var weights: String?

    /// Creates a timing from its parts.
    public init(
        batchSize: Int, latency: Latency, sentencesPerSecond: Double, sentences: Int, passes: Int, stage: String,
        weights: String? = nil
    ) {
        self.batchSize = batchSize
        self.latency = latency
        self.sentencesPerSecond = sentencesPerSecond
        self.sentences = sentences
        self.passes = passes
        self.stage = stage
        self.weights = weights
    }

    enum CodingKeys: String, CodingKey {
        case passes, sentences, stage, weights
        case batchSize = "batch_size"
        case latency = "latency_ms"
        case sentencesPerSecond = "sentences_per_second"
    }
}
