import ArgumentParser
import Foundation
import Squire

/// `squire label`: label unlabelled texts with a teacher, resumably, with the cost counted.
struct LabelCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "label",
        abstract: "Label texts with a teacher model (a frontier model or a bundle), keeping its probabilities.",
        discussion: """
            Reads texts (.jsonl with "text" and optionally "id"), asks --teacher for each label, and writes one {"id", "text", "label", "confidence", "probabilities", "usage"} line per text (readable as a dataset by every other command; `squire distill` learns from the probabilities), plus its datasheet. Every finished label is first appended to OUTPUT.journal and flushed: if the run stops (an outage, Ctrl-C, a crash), the same command resumes where it stopped, labelling nothing twice. Texts whose answers were unusable are left out and listed in OUTPUT.failures.jsonl; the same command run again asks only for them. Exit 0 when every text is labelled, 1 when some failed, 2 for an input error.

            Examples:
              squire label --input traffic.jsonl --teacher frontier.json --labels-from seeds.jsonl --output labelled.jsonl
              squire label --input traffic.jsonl --teacher lora-bundle --output labelled.jsonl
            """)

    @Option(name: .long, help: "Texts to label (.jsonl with \"text\", optional \"id\").")
    var input: String
    @Option(
        name: .long, help: "The teacher: a bundle folder, or a frontier model file (.json, key from the environment).")
    var teacher: String
    @Option(name: .long, help: "For a frontier teacher: the labels, comma-separated.")
    var labels: String?
    @Option(name: .long, help: "For a frontier teacher: take the labels from this labelled file.")
    var labelsFrom: String?
    @Option(name: .long, help: "Where to write the labelled texts (.jsonl).")
    var output: String
    @Option(name: .long, help: "Texts per call (default: 32 for a bundle, 1 for a frontier model).")
    var batchSize: Int?
    @Option(
        name: .long,
        help: "Calls in flight (default: 1 for a bundle, the model file's maximum_concurrency for a frontier model).")
    var concurrency: Int?
    @Flag(name: .long, help: "Print the summary as JSON.")
    var json = false
    @OptionGroup var force: ForceOption

    func validate() throws {
        guard batchSize.map({ $0 > 0 }) ?? true, concurrency.map({ $0 > 0 }) ?? true else {
            throw ValidationError("--batch-size and --concurrency must be positive")
        }
    }

    /// The command that makes this file again, for the datasheet: every option that changes
    /// the labels (the label set above all), none that only changes how fast they come.
    var reproducingCommand: String {
        var words = ["squire label", "--input", input, "--teacher", teacher]
        if let labels { words += ["--labels", labels] }
        if let labelsFrom { words += ["--labels-from", labelsFrom] }
        return (words + ["--output", output]).joined(separator: " ")
    }

    func run() async throws {
        let destination = try OutputDestination(
            output, kind: .teacherLabels, inputs: [input, teacher, labelsFrom].compactMap { $0 }, force: force.force)
        let texts = try UnlabeledText.load(contentsOf: URL(fileURLWithPath: input))
        let source = try TeacherModel.open(
            teacher, labels: try TeacherModel.labels(labels, from: labelsFrom), option: "--teacher",
            concurrency: concurrency)
        let status = StatusLine()
        let labeling = TeacherLabeling(
            teacher: source.classifier, teacherIdentity: source.identity, batchSize: batchSize ?? source.batchSize,
            maximumConcurrentBatches: concurrency ?? source.concurrency)
        let journal = URL(fileURLWithPath: output + ".journal")
        let result = try await labeling.label(texts, journal: journal) { progress in
            status.update(
                "labelling (\(progress.usage.cost) so far)", done: progress.labeled + progress.failed,
                total: progress.total)
        }
        status.finish(
            "labelled \(result.labels.count) of \(texts.count) texts (\(result.resumedCount) from the journal)")
        let failuresPath = output + ".failures.jsonl"
        try destination.write { try JSONLines.write(result.labels, to: output) }
        let counts = result.labels.reduce(into: [String: Int]()) { $0[$1.label, default: 0] += 1 }
        let soft = result.labels.contains { !$0.probabilities.isEmpty }
        var notes = [
            "Labels are the teacher's answers, not human judgements: measure the teacher on a human-labelled set before trusting them."
        ]
        if !result.failures.isEmpty {
            notes.append("\(result.failures.count) texts got no usable answer and are missing (\(failuresPath)).")
        }
        try Datasheet(
            title: URL(fileURLWithPath: output).lastPathComponent,
            source: "Texts of \(input), labelled by a teacher model.",
            method: [
                "Teacher: \(teacher), \(source.identity) (\(soft ? "probabilities kept as soft labels" : "hard labels; the teacher reports no probabilities")).",
                "`\(reproducingCommand)`; \(result.resumedCount) labels resumed from a journal.",
            ],
            labelCounts: counts, usage: result.usage, notes: notes
        ).write(beside: URL(fileURLWithPath: output))
        if result.failures.isEmpty {
            try? FileManager.default.removeItem(at: journal)
            try? FileManager.default.removeItem(atPath: failuresPath)
        } else {
            // The journal stays, so the next run asks only for the failed texts.
            try JSONLines.write(result.failures, to: failuresPath)
        }
        let usage = result.usage
        if json {
            try JSONOutput.print(
                Summary(
                    texts: texts.count, labeled: result.labels.count, resumed: result.resumedCount,
                    failed: result.failures.count, calls: usage.calls, inputTokens: usage.inputTokens,
                    outputTokens: usage.outputTokens, costDollars: usage.cost.dollars, output: output,
                    failures: result.failures.isEmpty ? nil : failuresPath),
                compact: true)
        } else if result.failures.isEmpty {
            print(
                "wrote \(output) and its datasheet: \(result.labels.count) labels; this run: \(usage.calls) calls, \(usage.totalTokens) tokens, \(usage.cost)"
            )
        } else {
            print(
                "wrote \(output) with \(result.labels.count) labels; \(result.failures.count) texts got unusable answers (listed in \(failuresPath)). Run the same command again to retry only those. This run, failed calls included: \(usage.calls) calls, \(usage.totalTokens) tokens, \(usage.cost)"
            )
        }
        if !result.failures.isEmpty { throw ExitCode(1) }
    }

    /// What `--json` prints; `failures` is null when every text was labelled.
    struct Summary: Encodable {
        var texts: Int
        var labeled: Int
        var resumed: Int
        var failed: Int
        var calls: Int
        var inputTokens: Int
        var outputTokens: Int
        var costDollars: Double
        var output: String
        var failures: String?

        enum CodingKeys: String, CodingKey {
            case texts, labeled, resumed, failed, calls, output, failures
            case inputTokens = "input_tokens"
            case outputTokens = "output_tokens"
            case costDollars = "cost_dollars"
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            for (key, value) in [
                (CodingKeys.texts, texts), (.labeled, labeled), (.resumed, resumed), (.failed, failed), (.calls, calls),
                (.inputTokens, inputTokens), (.outputTokens, outputTokens),
            ] {
                try container.encode(value, forKey: key)
            }
            try container.encode(costDollars, forKey: .costDollars)
            try container.encode(output, forKey: .output)
            // Scripts test `failures` for null, so it is written even when there is none.
            try container.encode(failures, forKey: .failures)
        }
    }
}
