// A small, valid drift setup for the drift targets to run fuzzed files against: a
// reference profile over three labels with text lengths, unknown-token rates and 4-wide
// embeddings, and a stream of observations in the same space. Built once per process;
// deterministic, so a crash found with it reproduces.
import SquireDrift

enum DriftFixture {
    static let labels = ["billing", "other", "refund"]

    /// `count` observations cycling through `labels`, with confidences, lengths and
    /// embeddings (when a width is given) spread enough for every statistic to have
    /// something to measure.
    static func observations(count: Int, labels: [String] = labels, embeddingWidth: Int? = 4) -> [Observation] {
        (0..<count).map { index -> Observation in
            let spread = Double(index % 7) / 10
            let embedding = embeddingWidth.map { width in (0..<width).map { Double($0 + 1) * spread } }
            return Observation(
                id: String(index), text: String(repeating: "a", count: 3 + index % 17),
                label: labels[index % labels.count], confidence: 0.5 + Double(index % 10) / 20,
                modelVersion: "v1", trueLabel: index % 3 == 0 ? labels[(index + 1) % labels.count] : nil,
                unknownTokenRate: Double(index % 5) / 10, embedding: embedding)
        }
    }

    /// A profile of 60 observations with windows of 20.
    static let profile: ReferenceProfile = {
        do {
            return try ReferenceProfile(
                observations: observations(count: 60), labels: labels, windowSize: 20, chunks: 20)
        } catch {
            fatalError("the drift fixture's profile cannot be built: \(error)")
        }
    }()
}
