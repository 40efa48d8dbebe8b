import Foundation

/// What a bundle's `MODEL_CARD.md` says about the model (Mitchell et al., 2019): what it is
/// for, what it was trained on, how well it did, and where it should not be trusted.
///
/// Stored in the bundle's `config.json` as well, so tools can read the figures back.
public struct ModelCard: Sendable, Hashable, Codable {
    /// A short name for the model.
    public var name: String
    /// What the model is for, in one or two sentences.
    public var intendedUse: String
    /// Where the training data came from (a file name or a description).
    public var trainingData: String
    /// Training examples per label.
    public var labelCounts: [String: Int]
    /// How the model was built (head, base encoder, chosen hyperparameters).
    public var method: String
    /// Named figures measured on held-out data (accuracy, macro-F1, ECE before and after
    /// calibration), each in `0...1`.
    public var evaluation: [String: Double]
    /// Where the evaluation figures were measured.
    public var evaluationData: String
    /// Known limits, one sentence each.
    public var limitations: [String]
    /// How the hyperparameters were chosen: every candidate's held-out scores and the rule,
    /// when a recipe chose them.
    public var selection: CrossValidationResults?

    /// Creates a card.
    public init(
        name: String, intendedUse: String, trainingData: String, labelCounts: [String: Int], method: String,
        evaluation: [String: Double] = [:], evaluationData: String = "", limitations: [String] = [],
        selection: CrossValidationResults? = nil
    ) {
        self.name = name
        self.intendedUse = intendedUse
        self.trainingData = trainingData
        self.labelCounts = labelCounts
        self.method = method
        self.evaluation = evaluation
        self.evaluationData = evaluationData
        self.limitations = limitations
        self.selection = selection
    }

    /// The card as Markdown.
    public var markdown: String {
        var lines = ["# Model card: \(name)", "", "## Intended use", "", intendedUse, "", "## Training data", ""]
        let total = labelCounts.values.reduce(0, +)
        lines.append("\(trainingData): \(total) examples, \(labelCounts.count) labels.")
        lines += ["", "| label | examples |", "| --- | ---: |"]
        for (label, count) in labelCounts.sorted(by: { ($0.value, $1.key) > ($1.value, $0.key) }) {
            lines.append("| \(label.replacingOccurrences(of: "|", with: "\\|")) | \(count) |")
        }
        lines += ["", "## Method", "", method, "", "## Evaluation", ""]
        if evaluation.isEmpty {
            lines.append("No held-out evaluation was run.")
        } else {
            lines.append("Measured on \(evaluationData).")
            lines += ["", "| metric | value |", "| --- | ---: |"]
            for (metric, value) in evaluation.sorted(by: { $0.key < $1.key }) {
                lines.append("| \(metric) | \(String(format4: value)) |")
            }
        }
        if let selection { lines += ["", "## Hyperparameter selection", ""] + selection.markdownLines }
        lines += ["", "## Limitations", ""]
        lines += limitations.map { "- " + $0 }
        return lines.joined(separator: "\n") + "\n"
    }

    private enum CodingKeys: String, CodingKey {
        case name, method, evaluation, limitations, selection
        case intendedUse = "intended_use"
        case trainingData = "training_data"
        case labelCounts = "label_counts"
        case evaluationData = "evaluation_data"
    }
}

extension CrossValidationResults {
    /// The card's account of the choice: the rule, and a table of the candidates (all of
    /// them up to 12; else the chosen, the best and the next-best means).
    var markdownLines: [String] {
        let folds =
            foldCount == 1 ? "one validation set" : "\(foldCount) folds" + (repeats > 1 ? " × \(repeats) repeats" : "")
        let ruleText =
            rule == .best
            ? "the best mean \(metric.rawValue)"
            : "the most regularized candidate within one standard error of the best mean \(metric.rawValue)"
        var lines = ["Chosen by \(folds): \(ruleText). Chosen: \(chosen.setting); best mean: \(best.setting)."]
        if !dropped.isEmpty {
            lines.append(
                "Dropped (training diverged): " + dropped.map { "\($0.setting) (\($0.reason))" }.joined(separator: "; ")
                    + ".")
        }
        if !thinLabels.isEmpty {
            lines.append(
                "Labels with too few examples for every fold: "
                    + thinLabels.sorted { $0.key < $1.key }.map { "\($0.key) (\($0.value) folds)" }.joined(
                        separator: ", ") + ".")
        }
        var shown = Array(candidates.indices)
        if shown.count > 12 {
            let sign = metric.higherIsBetter ? -1.0 : 1.0
            let ranked = candidates.indices.sorted {
                sign * candidates[$0].mean[metric] < sign * candidates[$1].mean[metric]
            }
            shown = Array(Set([chosenIndex, bestIndex] + ranked.prefix(10))).sorted()
        }
        lines += [
            "",
            "| candidate | mean accuracy | ± standard error | mean macro-F1 | mean log loss | folds | fit seconds (mean) |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        for index in shown {
            let candidate = candidates[index]
            let mark = index == chosenIndex ? " (chosen)" : index == bestIndex ? " (best)" : ""
            let error = candidate.standardError.map { String(format4: $0.accuracy) } ?? "–"
            let seconds = candidate.fitSeconds.reduce(0, +) / Double(candidate.fitSeconds.count)
            lines.append(
                "| \(candidate.setting)\(mark) | \(String(format4: candidate.mean.accuracy)) | \(error) | \(String(format4: candidate.mean.macroF1)) | \(String(format4: candidate.mean.logLoss)) | \(candidate.folds.count) | \(String(format4: seconds)) |"
            )
        }
        if shown.count < candidates.count {
            lines.append("")
            lines.append("\(candidates.count - shown.count) more candidates are in the training report.")
        }
        return lines
    }
}

extension String {
    /// Four decimals without Foundation's locale-dependent formatting.
    fileprivate init(format4 value: Double) {
        let scaled = (value * 10_000).rounded()
        let whole = Int(scaled / 10_000)
        let fraction = Int(abs(scaled).truncatingRemainder(dividingBy: 10_000))
        let digits = String(fraction)
        self =
            "\(value < 0 && whole == 0 ? "-" : "")\(whole).\(String(repeating: "0", count: 4 - digits.count))\(digits)"
    }
}
