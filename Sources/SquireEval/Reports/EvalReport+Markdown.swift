import Foundation

extension EvalReport {
    /// The first line of every Markdown summary: invisible when rendered, it tells Squire the
    /// file is one it wrote and may replace.
    public static let markdownMark = "<!-- written by Squire -->"

    /// A summary for a pull request: headline figures, the weakest labels, slices, suites
    /// and, when given, the gate's verdict with every check.
    public func markdown(gate result: GateResult? = nil) -> String {
        var lines: [String] = []
        func figure(_ value: Double?) -> String { value.map { $0.formatted(digits: 4) } ?? "—" }
        lines.append(Self.markdownMark)
        lines.append("## \(model) on \(dataset)")
        lines.append("")
        if let result {
            lines.append("**Gate \(result.gate): \(result.shipped ? "ship ✅" : "do not ship ❌")**")
            lines.append("")
            for check in result.checks {
                lines.append("- \(check.passed ? "✅" : "❌") `\(check.rule)`: \(check.detail)")
            }
            lines.append("")
        }
        let m = metrics
        lines += [
            "| figure | value |", "| --- | --- |",
            "| examples | \(m.count) (\(m.failures) failed) |",
            "| accuracy | \(figure(m.accuracy)) |",
            "| macro F1 | \(figure(m.macro.f1)) |",
            "| weighted F1 | \(figure(m.weighted.f1)) |",
            "| log loss | \(figure(m.logLoss)) |",
            "| expected calibration error | \(figure(m.expectedCalibrationError)) |",
            "| area under risk–coverage | \(figure(m.areaUnderRiskCoverage)) |",
        ]
        if let oos = m.outOfScope {
            lines.append(
                "| out-of-scope AUROC / FPR@95 | \(figure(oos.auroc)) / \(figure(oos.falsePositiveRateAt95Recall)) |")
        }
        lines += [
            "| latency p50 / p95 / p99 | \(latency.p50.formatted(digits: 1)) / \(latency.p95.formatted(digits: 1)) / \(latency.p99.formatted(digits: 1)) ms |",
            "| cost per 1,000 requests | $\(cost.dollarsPer1000Requests.formatted(digits: 4)) |",
            "",
        ]
        let weakest = m.perClass.filter { $0.support > 0 }.sorted { ($0.f1, $0.label) < ($1.f1, $1.label) }.prefix(10)
        if !weakest.isEmpty {
            lines += [
                "### Weakest labels", "", "| label | precision | recall | F1 | support |",
                "| --- | --- | --- | --- | --- |",
            ]
            for row in weakest {
                lines.append(
                    "| \(Self.escapeMarkdown(row.label)) | \(figure(row.precision)) | \(figure(row.recall)) | \(figure(row.f1)) | \(row.support) |"
                )
            }
            lines.append("")
        }
        if !slices.isEmpty {
            lines += ["### Slices", "", "| slice | examples | accuracy | macro F1 |", "| --- | --- | --- | --- |"]
            for (name, slice) in slices.sorted(by: { $0.key < $1.key }) {
                lines.append(
                    "| \(Self.escapeMarkdown(name)) | \(slice.count) | \(figure(slice.accuracy)) | \(figure(slice.macro.f1)) |"
                )
            }
            lines.append("")
        }
        for suite in suites {
            let failing = suite.failingIDs
            lines.append(
                "### Suite \(suite.name): \(suite.outcomes.count - failing.count)/\(suite.outcomes.count) pass")
            lines.append("")
            for outcome in suite.outcomes where !outcome.passed {
                lines.append("- ❌ `\(outcome.id)`: \(outcome.reason ?? "failed")")
            }
            if !failing.isEmpty { lines.append("") }
        }
        return lines.joined(separator: "\n")
    }

    static func escapeMarkdown(_ text: String) -> String {
        text.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ")
    }
}
