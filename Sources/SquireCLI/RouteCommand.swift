import ArgumentParser
import Foundation
import Squire

/// `squire route`: the cascade threshold that reaches a quality target at the lowest escalation
/// rate, or with several local tiers one threshold each, at the lowest cost.
struct RouteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "route",
        abstract: "Calibrate cascade thresholds from local models' predictions and a reference.",
        discussion: """
            Reads the local model's predictions ({"label", "confidence"} per line) and the reference in the same order ({"label"} per line: correct labels, or the frontier model's answers), and prints the threshold that reaches --target-accuracy with the fewest requests escalated (or the best accuracy within --target-escalation-rate), the cost saved, RouteLLM's APGR and the cost–quality curve. Without --fallback the fallback is taken to answer the reference. Exit 0 when the target is reached, 1 when no threshold reaches it, 2 for an input error.

            With --predictions more than once — several local tiers, cheapest first — it chooses one threshold per tier: a request goes to the first tier, which answers at or above its threshold and passes the rest on to the next; what no tier takes goes to the fallback, and every request pays each tier it reached. It prints, per tier, the threshold, the share of requests answered and the accuracy on them, then the fallback's share, the cascade's accuracy and its cost. Give --local-cost-per-1000 once for every tier or once per tier, in the same order.

            Examples:
              squire route --predictions local.jsonl --reference labels.jsonl --target-accuracy 0.95 --fallback-cost-per-1000 2.5
              squire route --predictions static.jsonl --predictions encoder.jsonl --reference labels.jsonl --target-accuracy 0.95
            """
    )

    @Option(
        name: .long,
        help: "The local model's predictions (.jsonl); repeat for a cascade of several local tiers, cheapest first.")
    var predictions: [String]
    @Option(name: .long, help: "Correct labels or the frontier's answers (.jsonl), in the same order.")
    var reference: String
    @Option(name: .long, help: "The fallback's own answers (.jsonl), when it is not taken to be perfect.")
    var fallback: String?
    @Option(name: .long, help: "The accuracy to reach, in 0…1.")
    var targetAccuracy: Double?
    @Option(name: .long, help: "Instead: the largest share of requests that may escalate, in 0…1.")
    var targetEscalationRate: Double?
    @Option(
        name: .customLong("local-cost-per-1000"),
        help: "Dollars per 1,000 local calls: once for every tier, or once per --predictions in the same order.")
    var localCost: [Double] = []
    @Option(name: .customLong("fallback-cost-per-1000"), help: "Dollars per 1,000 fallback calls.")
    var fallbackCost = 0.0
    @Flag(name: .long, help: "Print the calibration as JSON.")
    var json = false

    func validate() throws {
        guard (targetAccuracy == nil) != (targetEscalationRate == nil) else {
            throw ValidationError("give exactly one of --target-accuracy and --target-escalation-rate")
        }
        guard !predictions.isEmpty else { throw ValidationError("give --predictions at least once") }
        guard localCost.count <= 1 || localCost.count == predictions.count else {
            throw ValidationError(
                "give --local-cost-per-1000 once for every tier, or once per --predictions (\(predictions.count))")
        }
        guard localCost.allSatisfy({ $0 >= 0 }), fallbackCost >= 0 else { throw ValidationError("costs must be ≥ 0") }
    }

    func run() throws {
        if predictions.count > 1 { return try runTiers() }
        let local = try RecordedLabel.read(from: predictions[0], requiringConfidence: true)
        let truth = try RecordedLabel.read(from: reference)
        guard local.count == truth.count else {
            throw DatasetError(
                source: reference,
                reason: "has \(truth.count) lines for \(local.count) predictions; they must be in the same order")
        }
        let fallbackCorrect = try fallbackAnswers(for: truth).map { zip($0, truth).map { $0.label == $1.label } }
        let calibration = try ThresholdCalibration(
            localLabels: local.map(\.label), localConfidences: local.map { $0.confidence ?? 0 },
            correctLabels: truth.map(\.label),
            fallbackCorrect: fallbackCorrect, target: target, localDollarsPer1000: localCost.first ?? 0,
            fallbackDollarsPer1000: fallbackCost)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(calibration), as: UTF8.self))
        } else {
            print(Self.describe(calibration, target: target))
        }
        if calibration.chosen == nil { throw ExitCode(1) }
    }

    /// The target the options ask for; `validate()` made sure there is exactly one.
    var target: ThresholdCalibration.Target {
        targetAccuracy.map { .accuracy($0) } ?? .escalationRate(targetEscalationRate ?? 0)
    }

    /// The fallback's own answers, one per reference line; `nil` without `--fallback`.
    func fallbackAnswers(for truth: [RecordedLabel]) throws -> [RecordedLabel]? {
        guard let fallback else { return nil }
        let answers = try RecordedLabel.read(from: fallback)
        guard answers.count == truth.count else {
            throw DatasetError(source: fallback, reason: "has \(answers.count) lines for \(truth.count) references")
        }
        return answers
    }

    static func describe(_ c: ThresholdCalibration, target: ThresholdCalibration.Target) -> String {
        func f(_ value: Double, _ digits: Int = 4) -> String { String(format: "%.\(digits)f", value) }
        func pct(_ value: Double) -> String { String(format: "%.1f%%", value * 100) }
        var lines = [
            "\(c.count) requests: local accuracy \(f(c.localAccuracy)), fallback accuracy \(f(c.fallbackAccuracy))"
        ]
        switch target {
        case .accuracy(let goal): lines.append("target: accuracy ≥ \(f(goal)) with the fewest escalations")
        case .escalationRate(let limit): lines.append("target: the best accuracy escalating at most \(pct(limit))")
        }
        if let chosen = c.chosen {
            lines.append(
                // The threshold exactly: it was chosen to read back as printed.
                "threshold \(chosen.threshold): escalate \(pct(chosen.escalationRate)) of requests, accuracy \(f(chosen.accuracy))"
            )
            lines.append(
                "cost $\(f(chosen.dollarsPer1000Requests)) per 1,000 requests against $\(f(c.fallbackOnlyDollarsPer1000Requests)) all-fallback: $\(f(c.savedDollarsPer1000Requests ?? 0)) saved"
            )
            lines.append(
                "a random router escalating \(pct(chosen.escalationRate)) reaches \(f(c.randomRouterAccuracy(escalationRate: chosen.escalationRate)))"
            )
        } else {
            lines.append("no threshold reaches the target")
        }
        if let apgr = c.averageGapRecovered {
            let cpt50 = c.escalationRate(recoveringGap: 0.5).map(pct) ?? "—"
            let cpt80 = c.escalationRate(recoveringGap: 0.8).map(pct) ?? "—"
            lines.append(
                "APGR \(f(apgr, 3)) (random router 0.500); escalations for 50% / 80% of the gap: \(cpt50) / \(cpt80)")
        }
        lines.append("")
        lines.append("threshold   escalated   accuracy   $/1,000")
        // About twenty rows, evenly spread over the escalation rate.
        var lastShown = -1.0
        for (index, point) in c.points.enumerated()
        where point.escalationRate - lastShown >= 0.05 || index == c.points.count - 1 {
            lastShown = point.escalationRate
            lines.append(
                "\("\(point.threshold)".padding(toLength: 12, withPad: " ", startingAt: 0))\(pct(point.escalationRate).padding(toLength: 12, withPad: " ", startingAt: 0))\(f(point.accuracy).padding(toLength: 11, withPad: " ", startingAt: 0))\(f(point.dollarsPer1000Requests))"
            )
        }
        return lines.joined(separator: "\n")
    }
}
