extension Dataset {
    /// Examples whose texts are the same, exactly or after normalization.
    public struct DuplicateGroup: Sendable, Hashable, Codable {
        /// The ids of the examples, in file order.
        public var ids: [String]
        /// The shared text (normalized, for normalized groups).
        public var text: String
        /// The distinct labels the group carries; more than one means the data contradicts itself.
        public var labels: [String]
        /// Whether the group's examples disagree on the label.
        public var hasConflictingLabels: Bool { labels.count > 1 }
    }

    /// How texts are compared.
    public enum Matching: String, Sendable, Hashable, Codable {
        /// Byte-for-byte equal texts.
        case exact
        /// Equal after ``Swift/String/normalizedForComparison``.
        case normalized
    }

    /// Groups of two or more examples with the same text, in order of first appearance.
    public func duplicateGroups(matching: Matching = .normalized) -> [DuplicateGroup] {
        var groups: [String: [Int]] = [:]
        var order: [String] = []
        for (index, example) in examples.enumerated() {
            let key = matching == .exact ? example.text : example.text.normalizedForComparison
            if groups[key] == nil { order.append(key) }
            groups[key, default: []].append(index)
        }
        return order.compactMap { key in
            let members = groups[key]!
            guard members.count > 1 else { return nil }
            return DuplicateGroup(
                ids: members.map { examples[$0].id }, text: key,
                labels: Set(members.map { examples[$0].label }).sorted())
        }
    }

    /// An example of this dataset whose text also appears in another.
    public struct Leak: Sendable, Hashable, Codable {
        /// The example's id in this dataset.
        public var id: String
        /// The ids in the other dataset with the same normalized text.
        public var otherIDs: [String]
        /// The normalized text they share.
        public var text: String
    }

    /// The examples whose normalized text also occurs in `other` — for example test rows
    /// that the training set already contains. Empty texts are not counted as leaks.
    public func leaks(into other: Dataset) -> [Leak] {
        var index: [String: [String]] = [:]
        for example in other.examples {
            let key = example.text.normalizedForComparison
            if !key.isEmpty { index[key, default: []].append(example.id) }
        }
        return examples.compactMap { example in
            let key = example.text.normalizedForComparison
            guard !key.isEmpty, let ids = index[key] else { return nil }
            return Leak(id: example.id, otherIDs: ids, text: key)
        }
    }
}
