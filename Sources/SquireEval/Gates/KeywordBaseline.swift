public import SquireCore

/// The rules an agent often routes with before it has a model: a few telling words per
/// label, learned here as the words most concentrated in each label's training texts. It is
/// the baseline `squire demo` gates the trained model against.
public struct KeywordBaseline: TextClassifier {
    /// The labels it answers, sorted.
    public let labels: [String]
    /// Telling words per label.
    public let keywords: [String: Set<String>]
    /// The answer when no keyword matches: the most frequent training label.
    public let fallback: String

    /// Learns `perLabel` keywords per label: words seen at least twice in the label, ranked by
    /// the share of their occurrences that fall in it.
    public init(texts: [String], labels exampleLabels: [String], perLabel: Int = 6) {
        var counts: [String: [String: Int]] = [:]
        var totals: [String: Int] = [:]
        for (text, label) in zip(texts, exampleLabels) {
            for word in Set(Self.words(text)) {
                counts[label, default: [:]][word, default: 0] += 1
                totals[word, default: 0] += 1
            }
        }
        labels = Set(exampleLabels).sorted()
        keywords = counts.mapValues { words in
            Set(
                words.filter { $0.value >= 2 }
                    .sorted {
                        (Double($0.value) / Double(totals[$0.key, default: 1]), $0.value, $1.key) > (
                            Double($1.value) / Double(totals[$1.key, default: 1]), $1.value, $0.key
                        )
                    }
                    .prefix(perLabel).map(\.key))
        }
        let frequency = exampleLabels.reduce(into: [String: Int]()) { $0[$1, default: 0] += 1 }
        fallback = frequency.max { ($0.value, $1.key) < ($1.value, $0.key) }?.key ?? labels.first ?? ""
    }

    /// The label whose keywords the text holds most of; the fallback when none match.
    public func classify(_ texts: [String]) async throws -> [Classification] {
        texts.map { text in
            let words = Set(Self.words(text))
            let scores = labels.map { label in (label, keywords[label, default: []].intersection(words).count) }
            guard let best = scores.max(by: { ($0.1, $1.0) < ($1.1, $0.0) }), best.1 > 0 else {
                return Classification(label: fallback, confidence: 1 / Double(max(labels.count, 1)))
            }
            return Classification(label: best.0, confidence: 1)
        }
    }

    /// The lowercased words of more than two letters or digits that keywords are matched against.
    public static func words(_ text: String) -> [String] {
        text.lowercased().split { !$0.isLetter && !$0.isNumber }.map(String.init).filter { $0.count > 2 }
    }
}
