import ArgumentParser
import Foundation
import Squire

extension RouteCommand {
    /// `squire route --predictions A --predictions B …`: one threshold per local tier.
    func runTiers() throws {
        let answers = try predictions.map { try RecordedLabel.read(from: $0, requiringConfidence: true) }
        let truth = try RecordedLabel.read(from: reference)
        for (path, tier) in zip(predictions, answers) where tier.count != truth.count {
            throw DatasetError(
                source: reference,
                reason:
                    "has \(truth.count) lines for \(tier.count) predictions in \(path); they must be in the same order")
        }
        // One price for every tier, one per tier, or none.
        let prices = localCost.count == 1 ? Array(repeating: localCost[0], count: predictions.count) : localCost
        let tiers = answers.enumerated().map { index, tier in
            TierCalibration.Tier(
                labels: tier.map(\.label), confidences: tier.map { $0.confidence ?? 0 },
                dollarsPer1000Calls: prices.isEmpty ? 0 : prices[index])
        }
        let calibration = try TierCalibration(
            tiers: tiers, correctLabels: truth.map(\.label),
            fallbackLabels: try fallbackAnswers(for: truth)?.map(\.label),
            target: target, fallbackDollarsPer1000: fallbackCost)
        if json {
            try JSONOutput.print(calibration)
        } else {
            print(
                Self.describe(
                    calibration, target: target, names: predictions.map { URL(fileURLWithPath: $0).lastPathComponent }))
        }
        if calibration.chosen == nil { throw ExitCode(1) }
    }

    /// The text report: each tier alone, the target, and the chosen thresholds as a table.
    static func describe(_ c: TierCalibration, target: ThresholdCalibration.Target, names: [String]) -> String {
        func f(_ value: Double, _ digits: Int = 4) -> String { String(format: "%.\(digits)f", value) }
        func pct(_ value: Double) -> String { String(format: "%.1f%%", value * 100) }
        func column(_ text: String, _ width: Int) -> String {
            text.padding(toLength: width, withPad: " ", startingAt: 0)
        }
        var lines = ["\(c.count) requests through \(c.tierAccuracies.count) local tiers, then the fallback"]
        for (index, name) in names.enumerated() {
            lines.append(
                "tier \(index + 1) (\(name)): accuracy alone \(f(c.tierAccuracies[index])), $\(f(c.tierDollarsPer1000Calls[index])) per 1,000 calls"
            )
        }
        lines.append(
            "fallback: accuracy alone \(f(c.fallbackAccuracy)), $\(f(c.fallbackOnlyDollarsPer1000Requests)) per 1,000 calls"
        )
        switch target {
        case .accuracy(let goal): lines.append("target: accuracy ≥ \(f(goal)) at the lowest cost")
        case .escalationRate(let limit): lines.append("target: the best accuracy escalating at most \(pct(limit))")
        }
        if !c.exhaustive {
            lines.append("thresholds searched at quantiles for every tier but the last, not at every confidence")
        }
        guard let chosen = c.chosen else {
            lines.append("no combination of thresholds reaches the target")
            return lines.joined(separator: "\n")
        }
        lines.append("")
        lines.append("tier       threshold   reached   answered   accuracy")
        for (index, tier) in chosen.tiers.enumerated() {
            // The threshold exactly: it was chosen to read back as printed.
            lines.append(
                column("\(index + 1)", 11) + column("\(tier.threshold)", 12) + column(pct(tier.reachedShare), 10)
                    + column(pct(tier.answeredShare), 11) + (tier.accuracy.map { f($0) } ?? "—"))
        }
        lines.append(
            column("fallback", 23) + column(pct(chosen.escalationRate), 10) + column(pct(chosen.escalationRate), 11)
                + (chosen.escalatedAccuracy.map { f($0) } ?? "—"))
        lines.append("")
        lines.append("cascade accuracy \(f(chosen.accuracy)), escalating \(pct(chosen.escalationRate)) of requests")
        lines.append(
            "cost $\(f(chosen.dollarsPer1000Requests)) per 1,000 requests against $\(f(c.fallbackOnlyDollarsPer1000Requests)) all-fallback: $\(f(c.savedDollarsPer1000Requests ?? 0)) saved"
        )
        return lines.joined(separator: "\n")
    }
}
