public import Foundation
public import SquireCore
import SquireEval

/// The datasheet every dataset Squire writes carries beside it: where the data came from,
/// how it was made, what each filter removed, the label distribution, and known gaps —
/// after Gebru et al., "Datasheets for Datasets".
///
/// It is written next to the data as `<name>.DATASHEET.md` (`train.jsonl` →
/// `train.DATASHEET.md`), so several datasets can share a folder.
public struct Datasheet: Sendable {
    /// The dataset's name.
    public var title: String
    /// Where the texts came from ("traffic export 2026-11", "synthetic from seeds in …").
    public var source: String
    /// How it was made, one step per entry (teacher, prompt schedule, seed, commands).
    public var method: [String]
    /// What each verification check did, in order.
    public var filters: [FilterReport]
    /// Examples per label in the written dataset.
    public var labelCounts: [String: Int]
    /// Examples per label before filtering, when filters ran.
    public var labelCountsBefore: [String: Int]?
    /// Diversity per label, when measured.
    public var diversity: [String: LabelDiversity]
    /// What model calls cost to make it.
    public var usage: Usage?
    /// Gaps the maker knows of; ``knownGaps`` adds the ones the numbers show.
    public var notes: [String]

    /// Creates a datasheet.
    public init(
        title: String, source: String, method: [String], filters: [FilterReport] = [], labelCounts: [String: Int],
        labelCountsBefore: [String: Int]? = nil, diversity: [String: LabelDiversity] = [:], usage: Usage? = nil,
        notes: [String] = []
    ) {
        self.title = title
        self.source = source
        self.method = method
        self.filters = filters
        self.labelCounts = labelCounts
        self.labelCountsBefore = labelCountsBefore
        self.diversity = diversity
        self.usage = usage
        self.notes = notes
    }

    /// The datasheet of a verified dataset.
    public init(
        title: String, source: String, method: [String], verified: VerifiedDataset, usage: Usage? = nil,
        notes: [String] = []
    ) {
        self.init(
            title: title, source: source, method: method, filters: verified.filters,
            labelCounts: verified.dataset.labelCounts,
            labelCountsBefore: verified.labelCountsBefore, diversity: verified.diversity, usage: usage, notes: notes)
    }

    /// The maker's notes, then what the numbers show: labels with few examples, imbalance,
    /// labels much less varied than the rest, examples waiting in review.
    public var knownGaps: [String] {
        var gaps = notes
        let counts = labelCounts.filter { $0.value > 0 }
        if labelCounts.isEmpty { gaps.append("The dataset is empty.") }
        let few = labelCounts.filter { $0.value < 10 }.keys.sorted()
        if !few.isEmpty { gaps.append("Labels with fewer than 10 examples: \(few.joined(separator: ", ")).") }
        if let most = counts.values.max(), let least = counts.values.min(), least > 0, most > 3 * least {
            gaps.append(
                "Imbalanced: the largest label has \(most) examples, the smallest \(least) (\(String(format: "%.1f", Double(most) / Double(least)))×)."
            )
        }
        if let before = labelCountsBefore {
            let emptied = before.keys.filter { (labelCounts[$0] ?? 0) == 0 }.sorted()
            if !emptied.isEmpty {
                gaps.append("Filtering removed every example of: \(emptied.joined(separator: ", ")).")
            }
        }
        let distinct = diversity.mapValues(\.distinctBigrams).filter { diversity[$0.key]!.count >= 5 }
        if distinct.count >= 2 {
            let median = distinct.values.sorted()[distinct.count / 2]
            let flat = distinct.filter { $0.value < 0.5 * median }.keys.sorted()
            if !flat.isEmpty {
                gaps.append(
                    "Labels far less varied than the median (distinct-2 under half of \(String(format: "%.2f", median))): \(flat.joined(separator: ", "))."
                )
            }
        }
        let review = filters.reduce(0) { $0 + $1.sentToReview }
        if review > 0 {
            gaps.append("\(review) examples with doubtful labels were left out and wait in the review file.")
        }
        return gaps
    }

    /// The datasheet as Markdown.
    public var markdown: String {
        var lines = ["# Datasheet: \(title)", "", "## Source", "", source, "", "## How it was made", ""]
        lines += method.isEmpty ? ["(not recorded)"] : method.map { "- \($0)" }
        if let usage, usage.calls > 0 {
            lines += [
                "",
                "Model calls: \(usage.calls), tokens in/out \(usage.inputTokens)/\(usage.outputTokens), cost \(usage.cost).",
            ]
        }
        if !filters.isEmpty {
            lines += [
                "", "## Filters", "", "| filter | checked | removed | to review | modified | reasons |",
                "| --- | ---: | ---: | ---: | ---: | --- |",
            ]
            for filter in filters {
                let reasons = filter.reasons.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(
                    separator: "; ")
                lines.append(
                    "| \(filter.name) | \(filter.checked) | \(filter.removed) | \(filter.sentToReview) | \(filter.modified) | \(reasons) |"
                )
            }
        }
        let total = labelCounts.values.reduce(0, +)
        lines += ["", "## Labels", "", "\(total) examples, \(labelCounts.count) labels.", ""]
        let showsBefore = labelCountsBefore != nil
        let showsDiversity = !diversity.isEmpty
        let showsEmbedding = diversity.values.contains { $0.meanEmbeddingDistance != nil }
        var header = "| label | examples | share"
        var rule = "| --- | ---: | ---:"
        if showsBefore {
            header += " | before filters"
            rule += " | ---:"
        }
        if showsDiversity {
            header += " | distinct-2"
            rule += " | ---:"
        }
        if showsEmbedding {
            header += " | mean embedding distance"
            rule += " | ---:"
        }
        lines += [header + " |", rule + " |"]
        for label in Set(labelCounts.keys).union(labelCountsBefore?.keys ?? [:].keys).sorted() {
            let count = labelCounts[label] ?? 0
            var row =
                "| \(label) | \(count) | \(String(format: "%.1f%%", total > 0 ? 100 * Double(count) / Double(total) : 0))"
            if showsBefore { row += " | \(labelCountsBefore?[label] ?? 0)" }
            if showsDiversity {
                row += " | " + (diversity[label].map { String(format: "%.2f", $0.distinctBigrams) } ?? "")
            }
            if showsEmbedding {
                row += " | " + (diversity[label]?.meanEmbeddingDistance.map { String(format: "%.3f", $0) } ?? "")
            }
            lines.append(row + " |")
        }
        let gaps = knownGaps
        lines += ["", "## Known gaps", ""]
        lines +=
            gaps.isEmpty
            ? ["None found by the checks that ran; checks that did not run are not evidence."] : gaps.map { "- \($0)" }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Where the datasheet of the dataset at `dataset` goes: `<name>.DATASHEET.md` beside it.
    public static func location(for dataset: URL) -> URL {
        dataset.deletingPathExtension().appendingPathExtension("DATASHEET.md")
    }

    /// Writes the datasheet beside `dataset`, atomically.
    public func write(beside dataset: URL) throws {
        try AtomicFile.write(Array(markdown.utf8), to: Self.location(for: dataset).path)
    }
}
