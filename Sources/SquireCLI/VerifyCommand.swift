import ArgumentParser
import Foundation
import Squire

/// `squire verify`: the named checks over a dataset, with a datasheet and a review file.
struct VerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract:
            "Check a labelled dataset for duplicates, leakage, doubtful labels, bad lengths, other scripts and personal data.",
        discussion: """
            Runs, in order: length, Latin script, English (function words mostly Spanish, French, German, Italian or Portuguese are removed; --any-language skips it), personal data (emails, phone and card numbers: --pii mask, flag or remove), exact duplicates (normalized text), near duplicates (embedding cosine ≥ --near-duplicate-threshold; skipped with --no-embeddings), leakage into --evaluation (text, and embedding cosine), label agreement with --verifier (a bundle or a frontier model file), and --max-per-label. Writes the kept examples, their datasheet (what each check removed and why, labels, diversity per label, known gaps), the examples whose labels are in doubt to the review file, and every removed example with its reason. Exit 0 when nothing waits for review, 1 when something does, 2 for an input error.

            Example:
              squire verify --data synthetic.jsonl --evaluation test.jsonl --verifier frontier.json --output clean.jsonl
            """)

    @Option(name: .long, help: "The dataset to check (.jsonl or .csv).")
    var data: String
    @Option(name: .long, help: "Where to write the kept examples (.jsonl).")
    var output: String
    @Option(name: .long, help: "The evaluation set the data must not leak into.")
    var evaluation: String?
    @Option(
        name: .long, help: "A second teacher (bundle folder or frontier model file) whose disagreements go to review.")
    var verifier: String?
    @OptionGroup var encoder: ModelOptions
    @Flag(name: .long, help: "Skip the embedding checks (near duplicates, embedding leakage, embedding diversity).")
    var noEmbeddings = false
    @Option(name: .long, help: "Cosine at or above which two texts are near duplicates.")
    var nearDuplicateThreshold = 0.95
    @Flag(
        name: .long,
        help:
            "Skip the English check (texts whose function words are mostly another language's), for data in other languages."
    )
    var anyLanguage = false
    @Option(name: .long, help: "Personal data: mask, flag or remove.")
    var pii: PersonalData = .mask
    @Option(name: .long, help: "Shortest text kept, in characters.")
    var minimumLength = 3
    @Option(name: .long, help: "Longest text kept, in characters.")
    var maximumLength = 1000
    @Option(name: .long, help: "Keep at most this many examples per label.")
    var maxPerLabel: Int?
    @Option(name: .long, help: "Where to write the review file (default: OUTPUT's name + .review.jsonl).")
    var review: String?
    @Flag(name: .long, help: "Print the filter summary as JSON.")
    var json = false
    @OptionGroup var force: ForceOption

    enum PersonalData: String, ExpressibleByArgument {
        case mask, flag, remove

        var action: PersonalDataAction {
            switch self {
            case .mask: .mask
            case .flag: .flag
            case .remove: .remove
            }
        }
    }

    func validate() throws {
        guard minimumLength >= 0, maximumLength >= minimumLength else {
            throw ValidationError("--minimum-length must be ≥ 0 and ≤ --maximum-length")
        }
        guard maxPerLabel.map({ $0 > 0 }) ?? true else { throw ValidationError("--max-per-label must be positive") }
        guard (0...1).contains(nearDuplicateThreshold) else {
            throw ValidationError("--near-duplicate-threshold must be in 0...1")
        }
    }

    func run() async throws {
        let outputURL = URL(fileURLWithPath: output)
        let stem = outputURL.deletingPathExtension().path
        let reviewPath = review ?? stem + ".review.jsonl"
        let removedPath = stem + ".removed.jsonl"
        let inputs = [data, evaluation, verifier, noEmbeddings ? nil : encoder.folder].compactMap { $0 }
        let destination = try OutputDestination(output, kind: .dataset, inputs: inputs, force: force.force)
        let reviewDestination = try OutputDestination(
            reviewPath, kind: .verificationNotes, inputs: inputs + [output], force: force.force)
        let removedDestination = try OutputDestination(
            removedPath, kind: .verificationNotes, inputs: inputs + [output], force: force.force)
        let dataset = try Dataset(contentsOf: URL(fileURLWithPath: data))
        let evaluationSet = try evaluation.map { try Dataset(contentsOf: URL(fileURLWithPath: $0)) }
        let verifierModel = try verifier.map {
            try TeacherModel.open($0, labels: dataset.labels, option: "--verifier").classifier
        }
        let embedder: SentenceEmbedder? = noEmbeddings ? nil : try SentenceEmbedder(folder: encoder.folder)
        var steps: [VerificationStep] = [.length(characters: minimumLength...maximumLength), .latinScript()]
        if !anyLanguage { steps.append(.english) }
        steps += [.personalData(pii.action), .exactDuplicates]
        if embedder != nil { steps.append(.nearDuplicates(threshold: nearDuplicateThreshold)) }
        if let evaluationSet {
            steps.append(.leakage(against: evaluationSet, threshold: embedder == nil ? nil : nearDuplicateThreshold))
        }
        if let verifierModel { steps.append(.labelAgreement(verifier: verifierModel)) }
        if let maxPerLabel { steps.append(.classBalance(maximumPerLabel: maxPerLabel)) }
        let status = StatusLine()
        status.update("verifying \(dataset.count) examples", done: 0, total: steps.count)
        let verified = try await Verification(steps: steps, embedder: embedder).run(on: dataset)
        status.finish("verified \(dataset.count) examples: \(verified.dataset.count) kept")

        try destination.write { try verified.dataset.write(to: outputURL) }
        try reviewDestination.write { try JSONLines.write(verified.review, to: reviewPath) }
        try removedDestination.write { try JSONLines.write(verified.removed, to: removedPath) }
        try Datasheet(
            title: verified.dataset.name, source: "Verified from \(data) (\(dataset.count) examples).",
            method: [
                "`squire verify --data \(data) --output \(output)\(evaluation.map { " --evaluation \($0)" } ?? "")\(verifier.map { " --verifier \($0)" } ?? "")`.",
                "Removed examples and their reasons: \(removedPath); examples whose labels are in doubt: \(reviewPath).",
            ],
            verified: verified, usage: verified.usage
        ).write(beside: outputURL)

        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            struct Summary: Encodable {
                var examples: Int
                var kept: Int
                var review: Int
                var filters: [FilterReport]
            }
            print(
                String(
                    decoding: try encoder.encode(
                        Summary(
                            examples: dataset.count, kept: verified.dataset.count, review: verified.review.count,
                            filters: verified.filters)), as: UTF8.self))
        } else {
            for filter in verified.filters {
                print(
                    "\(filter.name): removed \(filter.removed) of \(filter.checked)\(filter.sentToReview > 0 ? " (\(filter.sentToReview) to review)" : "")\(filter.modified > 0 ? ", modified \(filter.modified)" : "")"
                )
            }
            print(
                "wrote \(output) (\(verified.dataset.count) of \(dataset.count) kept), its datasheet, \(reviewPath) (\(verified.review.count) to review) and \(removedPath)"
            )
        }
        if !verified.review.isEmpty { throw ExitCode(1) }
    }
}
