/// Labelled examples to evaluate a classifier on, in a fixed order.
///
/// Identifiers are unique: reports pair a candidate's and a baseline's answers by them.
public struct Dataset: Sendable, Hashable {
    /// A name for reports: the file name, or what the creator chose.
    public var name: String
    /// The examples, in file order.
    public private(set) var examples: [LabeledExample]

    /// Creates a dataset; throws when two examples share an identifier.
    public init(name: String, examples: [LabeledExample]) throws {
        var seen: [String: Int] = [:]
        for (index, example) in examples.enumerated() {
            if let first = seen.updateValue(index, forKey: example.id) {
                throw DatasetError(
                    source: name,
                    reason: "examples \(first + 1) and \(index + 1) share the id \"\(example.id)\"; ids must be unique")
            }
        }
        self.name = name
        self.examples = examples
    }

    /// The number of examples.
    public var count: Int { examples.count }

    /// Whether the dataset has no examples.
    public var isEmpty: Bool { examples.isEmpty }

    /// The distinct expected labels, sorted.
    public var labels: [String] { Set(examples.map(\.label)).sorted() }

    /// The distinct tags, sorted.
    public var tags: [String] { Set(examples.flatMap(\.tags)).sorted() }

    /// How many examples carry each label.
    public var labelCounts: [String: Int] {
        examples.reduce(into: [:]) { $0[$1.label, default: 0] += 1 }
    }
}
