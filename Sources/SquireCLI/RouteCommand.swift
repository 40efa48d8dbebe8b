import ArgumentParser
import Foundation
import Squire

/// `squire route`: the cascade threshold that reaches a quality target at the lowest escalation rate.
struct RouteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "route",
        abstract: "Calibrate a cascade threshold from the local model's predictions and a reference.",
        discussion: """
            Reads the local model's predictions ({"label", "confidence"} per line) and the reference in the same order ({"label"} per line: correct labels, or the frontier model's answers), and prints the threshold that reaches --target-accuracy with the fewest requests escalated (or the best accuracy within --target-escalation-rate), the cost saved, RouteLLM's APGR and the cost–quality curve. Without --fallback the fallback is taken to answer the reference. Exit 0 when the target is reached, 1 when no threshold reaches it, 2 for an input error.

            Example:
              squire route --predictions local.jsonl --reference labels.jsonl --target-accuracy 0.95 --fallback-cost-per-1000 2.5
            """
    )

    @Option(name: .long, help: "The local model's predictions (.jsonl).")
    var predictions: String
    @Option(name: .long, help: "Correct labels or the frontier's answers (.jsonl), in the same order.")
    var reference: String
    @Option(name: .long, help: "The fallback's own answers (.jsonl), when it is not taken to be perfect.")
    var fallback: String?
    @Option(name: .long, help: "The accuracy to reach, in 0…1.")
    var targetAccuracy: Double?
    @Option(name: .long, help: "Instead: the largest share of requests that may escalate, in 0…1.")
    var targetEscalationRate: Double?
    @Option(name: .customLong("local-cost-per-1000"), help: "Dollars per 1,000 local calls.")
    var localCost = 0.0
    @Option(name: .customLong("fallback-cost-per-1000"), help: "Dollars per 1,000 fallback calls.")
    var fallbackCost = 0.0
    @Flag(name: .long, help: "Print the calibration as JSON.")
    var json = false

    func validate() throws {
        guard (targetAccuracy == nil) != (targetEscalationRate == nil) else {
            throw ValidationError("give exactly one of --target-accuracy and --target-escalation-rate")
        }
        guard localCost >= 0, fallbackCost >= 0 else { throw ValidationError("costs must be ≥ 0") }
    }

    func run() throws {
        let local = try RecordedLabel.read(from: predictions, requiringConfidence: true)
        let truth = try RecordedLabel.read(from: reference)
        guard local.count == truth.count else {
            throw DatasetError(
                source: reference,
                reason: "has \(truth.count) lines for \(local.count) predictions; they must be in the same order")
        }
        var fallbackCorrect: [Bool]?
        if let fallback {
            let answers = try RecordedLabel.read(from: fallback)
            guard answers.count == truth.count else {
                throw DatasetError(
                    source: fallback, reason: "has \(answers.count) lines for \(truth.count) references")
            }
            fallbackCorrect = zip(answers, truth).map { $0.label == $1.label }
        }
        let target: ThresholdCalibration.Target =
            targetAccuracy.map { .accuracy($0) } ?? .escalationRate(targetEscalationRate ?? 0)
        let calibration = try ThresholdCalibration(
            localLabels: local.map(\.label), localConfidences: local.map { $0.confidence ?? 0 },
            correctLabels: truth.map(\.label),
            fallbackCorrect: fallbackCorrect, target: target, localDollarsPer1000: localCost,
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
