import ArgumentParser
import Foundation
import Squire

/// `squire compare`: the build vs buy vs prompt decision matrix from eval reports.
struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Compare candidates' eval reports on quality, p95 latency and monthly cost, and recommend one.",
        discussion: """
            Each report is one candidate, named by its model. Monthly cost is the fixed cost plus volume times the per-request cost measured in the report (or the price given). Without --minimum-quality a candidate is eligible when its quality is within --tolerance of the best.

            Example:
              squire compare frontier.json local.json --monthly-volume 2000000 --fixed-monthly-cost local=150 --p95-budget-ms 200
            """
    )

    @Argument(help: "Eval reports (.json), one per candidate.")
    var reports: [String]
    @Option(name: .long, help: "Requests per month.")
    var monthlyVolume: Double
    @Option(name: .long, help: "The quality metric (accuracy, macro_f1, weighted_f1, …).")
    var metric = "macro_f1"
    @Option(name: .long, help: "The quality a candidate needs.")
    var minimumQuality: Double?
    @Option(name: .long, help: "Without --minimum-quality: how far below the best a candidate may be.")
    var tolerance = 0.01
    @Option(name: .long, help: "The p95 latency budget in milliseconds.")
    var p95BudgetMs: Double?
    @Option(name: .long, help: "NAME=DOLLARS: a candidate's fixed monthly cost (hosting, upkeep); repeatable.")
    var fixedMonthlyCost: [String] = []
    @Option(
        name: .customLong("price-per-1000"),
        help: "NAME=DOLLARS: a candidate's price per 1,000 requests instead of the measured cost; repeatable.")
    var pricePer1000: [String] = []
    @Flag(name: .long, help: "Print the matrix as JSON.")
    var json = false

    func validate() throws {
        guard !reports.isEmpty else { throw ValidationError("give at least one report") }
        guard monthlyVolume >= 0, monthlyVolume.isFinite else {
            throw ValidationError("--monthly-volume must be a non-negative number")
        }
        guard Metric(rawValue: metric) != nil else {
            throw ValidationError(
                "unknown --metric \(metric); use one of \(Metric.allCases.map(\.rawValue).joined(separator: ", "))")
        }
    }

    func run() throws {
        let loaded = try reports.map { try EvalReport(contentsOf: URL(fileURLWithPath: $0)) }
        var names: [String] = []
        for (report, path) in zip(loaded, reports) {
            names.append(
                names.contains(report.model)
                    ? URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent : report.model)
        }
        let fixed = try Self.assignments(fixedMonthlyCost, option: "--fixed-monthly-cost", names: names)
        let prices = try Self.assignments(pricePer1000, option: "--price-per-1000", names: names)
        let matrix = DecisionMatrix(
            candidates: zip(names, loaded).map { name, report in
                .init(
                    name: name, report: report, fixedMonthlyDollars: fixed[name] ?? 0,
                    dollarsPer1000Requests: prices[name])
            },
            monthlyVolume: monthlyVolume, metric: Metric(rawValue: metric) ?? .macroF1, minimumQuality: minimumQuality,
            qualityTolerance: tolerance, p95Budget: p95BudgetMs)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(matrix), as: UTF8.self))
        } else {
            print(matrix.markdown)
        }
    }

    static func assignments(_ values: [String], option: String, names: [String]) throws -> [String: Double] {
        try values.reduce(into: [:]) { result, value in
            guard let equals = value.lastIndex(of: "="), let dollars = Double(value[value.index(after: equals)...]),
                dollars >= 0, dollars.isFinite
            else {
                throw ValidationError("\(option) \(value): expected NAME=DOLLARS")
            }
            let name = String(value[..<equals])
            guard names.contains(name) else {
                throw ValidationError(
                    "\(option) \(value): no candidate is named \"\(name)\"; candidates are \(names.joined(separator: ", "))"
                )
            }
            result[name] = dollars
        }
    }
}
