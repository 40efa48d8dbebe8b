/// One text with the label it should get, as a dataset holds it.
public struct LabeledExample: Sendable, Hashable, Codable {
    /// A stable identifier; reports pair a candidate's and a baseline's answers by it.
    public var id: String
    /// The input text.
    public var text: String
    /// The expected label.
    public var label: String
    /// Slices this example belongs to (`"billing"`, `"long"`, `"adversarial"`); metrics are
    /// also reported per tag.
    public var tags: [String]

    /// Creates an example from its parts.
    public init(id: String, text: String, label: String, tags: [String] = []) {
        self.id = id
        self.text = text
        self.label = label
        self.tags = tags
    }
}
