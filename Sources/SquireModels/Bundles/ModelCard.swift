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

    /// Creates a card.
    public init(
        name: String, intendedUse: String, trainingData: String, labelCounts: [String: Int], method: String,
        evaluation: [String: Double] = [:], evaluationData: String = "", limitations: [String] = []
    ) {
        self.name = name
        self.intendedUse = intendedUse
        self.trainingData = trainingData
        self.labelCounts = labelCounts
        self.method = method
        self.evaluation = evaluation
        self.evaluationData = evaluationData
        self.limitations = limitations
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
        lines += ["", "## Limitations", ""]
        lines += limitations.map { "- " + $0 }
        return lines.joined(separator: "\n") + "\n"
    }

    private enum CodingKeys: String, CodingKey {
        case name, method, evaluation, limitations
        case intendedUse = "intended_use"
        case trainingData = "training_data"
        case labelCounts = "label_counts"
        case evaluationData = "evaluation_data"
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
