import ArgumentParser
import Foundation
import Squire

/// `squire synthesize`: new examples per label from a frontier generator.
struct SynthesizeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "synthesize",
        abstract:
            "Write new examples for each label with a frontier model, varied by a seeded schedule and deduplicated.",
        discussion: """
            Reads seed examples (a labelled .jsonl or .csv; every label in it gets new examples) and optional one-sentence descriptions of the labels (a JSON object, label → description), and asks --generator (a frontier model file; the key is read from the environment) for --per-label new examples each, rotating personas, lengths and styles from a seeded schedule. Lines equal, after normalization, to a seed, to --avoid or to an earlier answer are dropped as they arrive. Writes the examples (tagged "synthetic" and with their persona, length and style) and a datasheet; run `squire verify` on them before training. --json prints {"output", "examples", "duplicates_dropped", "requests", "failed_requests", "calls", "cost_dollars", "shortfalls"}. Exit 0 when every label got its examples, 1 when some fell short, 2 for an input error.

            Example:
              squire synthesize --seeds seeds.jsonl --descriptions routes.json --generator frontier.json --per-label 50 --output synthetic.jsonl
            """)

    @Option(name: .long, help: "Seed examples (.jsonl or .csv with text and label).")
    var seeds: String
    @Option(name: .long, help: "A JSON object giving each label a one-sentence description.")
    var descriptions: String?
    @Option(name: .long, help: "The generator: a frontier model file (.json).")
    var generator: String
    @Option(name: .long, help: "New examples per label.")
    var perLabel: Int
    @Option(name: .long, help: "Messages asked for per request.")
    var examplesPerRequest = 8
    @Option(name: .long, help: "Texts the new examples must not repeat (a labelled file, such as the training set).")
    var avoid: String?
    @Option(name: .long, help: "Seed for the persona/length/style schedule and the seeds shown.")
    var seed: UInt64 = 0
    @Option(name: .long, help: "Where to write the examples (.jsonl).")
    var output: String
    @Flag(name: .long, help: "Print the summary as JSON instead of text.")
    var json = false
    @OptionGroup var force: ForceOption

    func validate() throws {
        guard perLabel >= 1, examplesPerRequest >= 1 else {
            throw ValidationError("--per-label and --examples-per-request must be at least 1")
        }
    }

    func run() async throws {
        let destination = try OutputDestination(
            output, kind: .dataset, inputs: [seeds, descriptions, generator, avoid].compactMap { $0 },
            force: force.force)
        let seedSet = try Dataset(contentsOf: URL(fileURLWithPath: seeds))
        var described: [String: String] = [:]
        if let descriptions {
            guard let data = FileManager.default.contents(atPath: descriptions),
                let object = try? JSONDecoder().decode([String: String].self, from: data)
            else { throw ValidationError("\(descriptions) must be a JSON object mapping each label to a description") }
            described = object
        }
        let briefs = LabelBrief.briefs(for: seedSet, descriptions: described)
        let file = try FrontierModelFile(contentsOf: URL(fileURLWithPath: generator))
        let writer = try file.generator()
        let avoided = try avoid.map { try Dataset(contentsOf: URL(fileURLWithPath: $0)).examples.map(\.text) } ?? []
        let status = StatusLine()
        let run = SyntheticGeneration(generator: writer, examplesPerRequest: examplesPerRequest, seed: seed)
        let result = try await run.generate(briefs, count: perLabel, avoiding: avoided + seedSet.examples.map(\.text)) {
            progress in
            status.update(
                "generating (\(progress.usage.cost) so far)", done: progress.labelsDone, total: progress.labelCount)
        }
        status.finish("generated \(result.examples.count) examples in \(result.requests) requests")
        let dataset = try Dataset(
            name: URL(fileURLWithPath: output).deletingPathExtension().lastPathComponent, examples: result.examples)
        try destination.write { try dataset.write(to: URL(fileURLWithPath: output)) }
        var notes = [
            "Synthetic: written by \(file.model), not taken from real traffic. Verify (`squire verify`) and measure on real data before trusting it."
        ]
        for (label, missing) in result.shortfalls.sorted(by: { $0.key < $1.key }) {
            notes.append(
                "\(label) is \(missing) examples short of \(perLabel): the generator kept repeating itself or failing.")
        }
        try Datasheet(
            title: dataset.name,
            source: "Synthetic examples from \(file.model), seeded with \(seedSet.count) examples of \(seeds).",
            method: [
                "`squire synthesize --seeds \(seeds) --generator \(generator) --per-label \(perLabel) --examples-per-request \(examplesPerRequest) --seed \(seed)`.",
                "Each request showed up to 5 seeds of its label and asked for \(examplesPerRequest) messages in a persona, length and style drawn from the standard schedule.",
                "\(result.duplicatesDropped) lines dropped as duplicates of seeds, avoided texts or earlier answers; \(result.failedRequests) requests failed\(Self.reasons(result.failureReasons)).",
            ],
            labelCounts: dataset.labelCounts, usage: result.usage, notes: notes
        ).write(beside: URL(fileURLWithPath: output))
        if result.failedRequests > 0 {
            FileHandle.standardError.write(
                Data("\(result.failedRequests) requests failed\(Self.reasons(result.failureReasons))\n".utf8))
        }
        if json {
            try JSONOutput.print(
                Summary(
                    output: output, examples: result.examples.count, duplicatesDropped: result.duplicatesDropped,
                    requests: result.requests, failedRequests: result.failedRequests, calls: result.usage.calls,
                    costDollars: result.usage.cost.dollars, shortfalls: result.shortfalls))
        } else {
            print(
                "wrote \(output) and its datasheet: \(result.examples.count) examples, \(result.duplicatesDropped) duplicates dropped, \(result.usage.calls) calls, \(result.usage.cost)"
            )
            if !result.shortfalls.isEmpty {
                print(
                    "short: "
                        + result.shortfalls.sorted { $0.key < $1.key }.map { "\($0.key) −\($0.value)" }.joined(
                            separator: ", "))
            }
        }
        if !result.shortfalls.isEmpty { throw ExitCode(1) }
    }

    /// What `--json` prints.
    struct Summary: Encodable {
        var output: String
        var examples: Int
        var duplicatesDropped: Int
        var requests: Int
        var failedRequests: Int
        var calls: Int
        var costDollars: Double
        var shortfalls: [String: Int]

        enum CodingKeys: String, CodingKey {
            case output, examples, requests, calls, shortfalls
            case duplicatesDropped = "duplicates_dropped"
            case failedRequests = "failed_requests"
            case costDollars = "cost_dollars"
        }
    }

    /// ": reason (3×); other reason", most frequent first, for the summary and the datasheet.
    static func reasons(_ reasons: [String: Int]) -> String {
        guard !reasons.isEmpty else { return "" }
        let listed = reasons.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.map {
            $0.value > 1 ? "\($0.key) (\($0.value)×)" : $0.key
        }
        return ": " + listed.joined(separator: "; ")
    }
}
