public import SquireEval

/// What a generator is told about one label: what it means and a few real examples.
public struct LabelBrief: Sendable, Hashable, Codable {
    /// The label the generated examples get.
    public var label: String
    /// What the label covers, in a sentence; empty when the seeds say enough.
    public var description: String
    /// Real examples of the label, shown to the generator (a few at a time).
    public var seeds: [String]

    /// Creates a brief.
    public init(label: String, description: String = "", seeds: [String]) {
        self.label = label
        self.description = description
        self.seeds = seeds
    }
}

extension LabelBrief {
    /// One brief per label of `seeds`, in label order, each with that label's seed texts and
    /// its description from `descriptions` (empty when it has none).
    public static func briefs(for seeds: Dataset, descriptions: [String: String] = [:]) -> [LabelBrief] {
        var byLabel: [String: [String]] = [:]
        for example in seeds.examples { byLabel[example.label, default: []].append(example.text) }
        return seeds.labels.map {
            LabelBrief(label: $0, description: descriptions[$0] ?? "", seeds: byLabel[$0] ?? [])
        }
    }
}
