import ArgumentParser
import Foundation
import Squire

/// `squire gate`: ship or not, from a report and a gate file; the exit code says which.
struct GateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gate",
        abstract: "Judge an eval report against a ship gate: exit 0 ship, 1 do not ship, 2 usage error.",
        discussion: """
            The gate file is JSON (see Documentation/SquireEval.md): minimums, maximums, slice minimums, non-inferiority against a baseline report, latency and cost budgets, failure rate, required suites. Every check is printed with its reason.

            Example:
              squire gate --report candidate.json --baseline production.json --gate gate.json
            """
    )

    @Option(name: .long, help: "The candidate's eval report (.json).")
    var report: String
    @Option(name: .long, help: "The baseline's eval report, for non-inferiority rules.")
    var baseline: String?
    @Option(name: .long, help: "The gate (.json).")
    var gate: String
    @Option(name: .long, help: "Also write the report's Markdown summary with the verdict here.")
    var markdown: String?
    @Option(name: .long, help: "Also write the report's HTML page with the verdict here.")
    var html: String?
    @Flag(name: .long, help: "Print the result as JSON.")
    var json = false
    @OptionGroup var force: ForceOption

    func run() throws {
        let inputs = [report, baseline, gate].compactMap { $0 }
        let markdownDestination = try markdown.map {
            try OutputDestination($0, kind: .markdownReport, inputs: inputs, force: force.force)
        }
        let htmlDestination = try html.map {
            try OutputDestination($0, kind: .htmlReport, inputs: inputs, force: force.force)
        }
        let rules = try Gate(contentsOf: URL(fileURLWithPath: gate))
        let candidate = try EvalReport(contentsOf: URL(fileURLWithPath: report))
        let reference = try baseline.map { try EvalReport(contentsOf: URL(fileURLWithPath: $0)) }
        let result = rules.evaluate(candidate, baseline: reference)
        if let markdown, let markdownDestination {
            try markdownDestination.write {
                try AtomicFile.write(Array(candidate.markdown(gate: result).utf8), to: markdown)
            }
        }
        if let html, let htmlDestination {
            try htmlDestination.write { try AtomicFile.write(Array(candidate.html(gate: result).utf8), to: html) }
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(result), as: UTF8.self))
        } else {
            print(result.description)
        }
        if !result.shipped { throw ExitCode(1) }
    }
}
