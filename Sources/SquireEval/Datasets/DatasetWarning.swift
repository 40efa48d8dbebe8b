/// Something in a training set that will not stop training but quietly costs accuracy or
/// trust, found before any work: worth a line on standard error.
public enum DatasetWarning: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Labels with a single example: nothing to validate them on, little to learn from.
    case singleExampleLabels([String])
    /// Texts that appear with different labels: the data contradicts itself.
    case conflictingDuplicates(count: Int, example: String, labels: [String])

    public var description: String {
        switch self {
        case .singleExampleLabels(let labels):
            let shown = labels.prefix(5).joined(separator: ", ") + (labels.count > 5 ? ", …" : "")
            return
                "\(labels.count) label\(labels.count == 1 ? " has" : "s have") a single example (\(shown)); the model can barely learn \(labels.count == 1 ? "it" : "them") and no validation can check \(labels.count == 1 ? "it" : "them")"
        case .conflictingDuplicates(let count, let example, let labels):
            let text = example.count > 60 ? String(example.prefix(57)) + "…" : example
            return
                "\(count) text\(count == 1 ? " appears" : "s appear") with different labels, e.g. \"\(text)\" as \(labels.joined(separator: " and ")); the data contradicts itself (`squire verify` lists them)"
        }
    }
}

extension Dataset {
    /// What in this dataset deserves a warning before training on it.
    public var warnings: [DatasetWarning] {
        var result: [DatasetWarning] = []
        let single = labelCounts.filter { $0.value == 1 }.keys.sorted()
        if !single.isEmpty { result.append(.singleExampleLabels(single)) }
        let conflicting = duplicateGroups(matching: .normalized).filter(\.hasConflictingLabels)
        if let first = conflicting.first {
            result.append(.conflictingDuplicates(count: conflicting.count, example: first.text, labels: first.labels))
        }
        return result
    }
}
