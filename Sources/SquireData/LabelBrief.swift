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
