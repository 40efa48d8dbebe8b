import ArgumentParser
import Foundation
import Squire

/// `squire drift`: hold, retrain or roll back, from production predictions and a reference profile.
struct DriftCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "drift",
        abstract: "Judge production predictions against a reference profile: hold, retrain or roll back.",
        discussion: """
            Reads predictions as JSON Lines ({"label", "confidence"} and optionally "id", "text", "model_version", "timestamp", "true_label"), cuts them into windows, and prints each closed window's decision with its evidence. With --state the monitor's state is saved after every window and at the end, and a rerun skips the predictions already consumed, so appending to the file and rerunning continues the stream; a file that does not begin with the predictions the state consumed (replaced, rewritten or truncated) is refused. Windows of another --window-size than the profile's are judged against alert bands drawn for their size. A true label the profile does not know is reported as a new label, not refused. Exit 0 when the last decision is hold, 1 for retrain or rollback, 2 for an input error.

            Example:
              squire drift --reference profile.json --current predictions.jsonl --budget budget.json --state drift-state.json --queue to-label.jsonl
            """
    )

    @Option(name: .long, help: "The reference profile (from `squire profile`).")
    var reference: String
    @Option(name: .long, help: "Production predictions (.jsonl), oldest first.")
    var current: String
    @Option(name: .long, help: "The drift budget (.json); defaults are documented.")
    var budget: String?
    @Option(name: .long, help: "Monitor state to resume from and save to (.json).")
    var state: String?
    @Option(name: .long, help: "Predictions per window (default: the profile's window size).")
    var windowSize: Int?
    @Option(name: .long, help: "Cut windows by time instead: seconds per window (predictions need timestamps).")
    var windowSeconds: Double?
    @Option(
        name: .long,
        help: "The previous model version's predictions for the same requests, line by line, for rollback checks.")
    var previousVersion: String?
    @Option(name: .long, help: "Write the last retrain decision's labelling queue here (.jsonl).")
    var queue: String?
    @Flag(name: .long, help: "Print the decisions as JSON.")
    var json = false
    @OptionGroup var force: ForceOption

    func validate() throws {
        if windowSize != nil && windowSeconds != nil {
            throw ValidationError("give --window-size or --window-seconds, not both")
        }
        if let size = windowSize, size < 1 { throw ValidationError("--window-size must be positive") }
    }

    func run() throws {
        let inputs = [reference, current] + [budget, previousVersion].compactMap { $0 }
        if let state { _ = try OutputDestination(state, kind: .driftState, inputs: inputs) }
        let profile = try ReferenceProfile(contentsOf: URL(fileURLWithPath: reference))
        let rules = try budget.map { try DriftBudget(contentsOf: URL(fileURLWithPath: $0)) } ?? DriftBudget()
        let queueDestination = try queue.map {
            try OutputDestination(
                $0, kind: .labellingQueue(holdingAtMost: rules.labellingQueueSize),
                inputs: inputs + [state].compactMap { $0 }, force: force.force)
        }
        let windowing: DriftMonitor.Windowing? =
            windowSeconds.map { .duration(seconds: $0) } ?? windowSize.map { .count($0) }
        var monitor: DriftMonitor
        if let state, FileManager.default.fileExists(atPath: state) {
            monitor = try DriftMonitor(
                profile: profile, budget: rules, windowing: windowing, resumingFrom: URL(fileURLWithPath: state))
        } else {
            monitor = try DriftMonitor(profile: profile, budget: rules, windowing: windowing)
        }
        let lines = try Self.read(current)
        let observations = lines.map(\.value)
        let shadows = try previousVersion.map { try Self.read($0).map(\.value) }
        if let previousVersion, let shadows, shadows.count != observations.count {
            throw DatasetError(
                source: previousVersion,
                reason:
                    "has \(shadows.count) predictions for \(observations.count) in \(current); they must answer the same requests in the same order"
            )
        }
        let decisions: [DriftDecision]
        do {
            decisions = try monitor.consume(
                observations, previousVersion: shadows, savingStateTo: state.map { URL(fileURLWithPath: $0) }
            ) { if !json { Self.printDecision($0) } }
        } catch let error as DriftMonitor.StreamError {
            // Blank lines are skipped, so the stream's index is not the file's line.
            throw DatasetError(source: current, line: lines[error.index].line, reason: String(describing: error.error))
        } catch let error as DriftInputError {
            // The file is not the one the state was saved on; the state is left as it was.
            throw DatasetError(source: current, reason: String(describing: error))
        }
        if let queue, let queueDestination, let last = decisions.last(where: { $0.action == .retrain }) {
            try queueDestination.write { try JSONLines.write(last.labellingQueue, to: queue) }
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            encoder.dateEncodingStrategy = .iso8601
            print(String(decoding: try encoder.encode(decisions), as: UTF8.self))
        } else if decisions.isEmpty {
            print("no window closed: \(monitor.state.consumed) predictions consumed, the open window holds the rest")
        }
        if let last = decisions.last?.action ?? Optional(monitor.state.action), last != .hold { throw ExitCode(1) }
    }

    static func read(_ path: String) throws -> [(line: Int, value: Observation)] {
        try JSONLines.read(Observation.self, from: path, expecting: "not a prediction")
    }

    static func printDecision(_ decision: DriftDecision) {
        let window = decision.window
        print(
            "window \(window.index) (\(window.count) predictions\(window.modelVersion.map { ", \($0)" } ?? "")): \(decision.action.rawValue) — budget \(decision.budgetSpent)/\(decision.budgetAllowed) spent"
        )
        for reason in decision.reasons { print("  \(reason)") }
    }
}
