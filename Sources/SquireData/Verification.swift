import Foundation
public import SquireCore
public import SquireEval

/// Runs named checks over a dataset — duplicates, leakage, label agreement, length,
/// script, personal data, balance — and reports what each removed and why.
///
/// ```swift
/// let verified = try await Verification(
///     steps: VerificationStep.standard(evaluation: test, verifier: nil, embeddings: true),
///     embedder: embedder
/// ).run(on: synthetic)
/// ```
public struct Verification: Sendable {
    /// The checks, in order.
    public var steps: [VerificationStep]
    /// Embeds texts for the near-duplicate and leakage checks and the diversity score.
    public var embedder: (any TextEmbedder)?
    /// Texts per embedder or verifier call.
    public var batchSize: Int

    /// Creates a verification.
    public init(steps: [VerificationStep], embedder: (any TextEmbedder)? = nil, batchSize: Int = 64) {
        self.steps = steps
        self.embedder = embedder
        self.batchSize = batchSize
    }

    /// Runs every check on `dataset`. Throws before any work when a check needs an embedder
    /// that is missing or a verifier that does not know the dataset's labels; a model
    /// failure during a check is rethrown.
    public func run(on dataset: Dataset) async throws -> VerifiedDataset {
        guard batchSize >= 1 else { throw DataError.invalidConfiguration("the batch size must be at least 1") }
        for step in steps {
            switch step {
            case .nearDuplicates(let threshold), .leakage(_, let threshold?):
                guard embedder != nil else {
                    throw DataError.invalidConfiguration("\"\(step.name)\" needs an embedder")
                }
                guard (0...1).contains(threshold) else {
                    throw DataError.invalidConfiguration("\"\(step.name)\": the threshold must be in 0...1")
                }
            case .labelAgreement(let verifier):
                let unknown = Set(dataset.labels).subtracting(verifier.labels)
                guard unknown.isEmpty else {
                    throw DataError.invalidConfiguration(
                        "the second teacher does not know the labels \(unknown.sorted()); give it the dataset's label set"
                    )
                }
            case .length(let range):
                guard range.lowerBound >= 0 else { throw DataError.invalidConfiguration("lengths cannot be negative") }
            case .latinScript(let share):
                guard (0...1).contains(share) else {
                    throw DataError.invalidConfiguration("the Latin share must be in 0...1")
                }
            case .classBalance(let maximum):
                guard maximum >= 1 else {
                    throw DataError.invalidConfiguration("the per-label maximum must be at least 1")
                }
            default: break
            }
        }
        var run = VerificationRun(examples: dataset.examples, embedder: embedder, batchSize: batchSize)
        for step in steps { try await run.apply(step) }
        let kept = try Dataset(name: dataset.name, examples: run.examples)
        return VerifiedDataset(
            dataset: kept, filters: run.reports, removed: run.removed, review: run.review,
            labelCountsBefore: dataset.labelCounts,
            diversity: try await run.diversity(), usage: run.usage)
    }
}

/// The state of one verification: what is kept so far, and what each check did.
struct VerificationRun {
    var examples: [LabeledExample]
    let embedder: (any TextEmbedder)?
    let batchSize: Int
    var reports: [FilterReport] = []
    var removed: [RemovedExample] = []
    var review: [ReviewItem] = []
    var usage = Usage.zero
    /// Unit embeddings by text, so each text is embedded once however many checks use it.
    private var vectors: [String: [Float]] = [:]

    init(examples: [LabeledExample], embedder: (any TextEmbedder)?, batchSize: Int) {
        self.examples = examples
        self.embedder = embedder
        self.batchSize = batchSize
    }

    mutating func apply(_ step: VerificationStep) async throws {
        var report = FilterReport(
            name: step.name, checked: examples.count, removed: 0, sentToReview: 0, modified: 0, reasons: [:])
        var kept: [LabeledExample] = []
        func remove(
            _ example: LabeledExample, _ reason: String, _ why: String, toReview: Bool = false,
            suggesting suggested: String? = nil
        ) {
            report.removed += 1
            report.reasons[why, default: 0] += 1
            removed.append(RemovedExample(example: example, filter: step.name, reason: reason))
            if toReview {
                report.sentToReview += 1
                review.append(
                    ReviewItem(example: example, filter: step.name, reason: reason, suggestedLabel: suggested))
            }
        }
        switch step {
        case .exactDuplicates:
            var groups: [String: [Int]] = [:]
            for (index, example) in examples.enumerated() {
                groups[example.text.normalizedForComparison, default: []].append(index)
            }
            for (index, example) in examples.enumerated() {
                let group = groups[example.text.normalizedForComparison]!
                let labels = Set(group.map { examples[$0].label })
                if labels.count > 1 {
                    let others = group.filter { $0 != index }.map { "\(examples[$0].id) (\(examples[$0].label))" }
                    remove(
                        example, "same text as \(others.joined(separator: ", ")) with another label",
                        "same text, conflicting labels", toReview: true)
                } else if group[0] != index {
                    remove(example, "same text as \(examples[group[0]].id)", "same text as an earlier example")
                } else {
                    kept.append(example)
                }
            }
        case .nearDuplicates(let threshold):
            try await embed(examples.map(\.text))
            var keptVectors: [Float] = []
            let dimension = vectors.first?.value.count ?? 0
            for example in examples {
                let vector = vectors[example.text]!
                if let (position, cosine) = Self.best(vector, in: keptVectors, dimension: dimension),
                    cosine >= Float(threshold)
                {
                    let other = kept[position]
                    let evidence = "cosine \(String(format: "%.3f", cosine)) with \(other.id)"
                    if other.label == example.label {
                        remove(example, "near-duplicate: \(evidence)", "near-duplicate, same label")
                    } else {
                        remove(
                            example, "near-duplicate: \(evidence), which is labelled \(other.label)",
                            "near-duplicate, conflicting label", toReview: true, suggesting: other.label)
                    }
                } else {
                    kept.append(example)
                    keptVectors += vector
                }
            }
        case .leakage(let evaluation, let threshold):
            var evaluationIDs: [String: String] = [:]
            for example in evaluation.examples where !example.text.normalizedForComparison.isEmpty {
                evaluationIDs[example.text.normalizedForComparison] =
                    evaluationIDs[example.text.normalizedForComparison] ?? example.id
            }
            var evaluationVectors: [Float] = []
            if threshold != nil {
                try await embed(examples.map(\.text) + evaluation.examples.map(\.text))
                for example in evaluation.examples { evaluationVectors += vectors[example.text]! }
            }
            let dimension = vectors.first?.value.count ?? 0
            for example in examples {
                if let id = evaluationIDs[example.text.normalizedForComparison] {
                    remove(
                        example, "same text as \(evaluation.name) example \(id)", "same text as an evaluation example")
                } else if let threshold,
                    let (position, cosine) = Self.best(
                        vectors[example.text]!, in: evaluationVectors, dimension: dimension),
                    cosine >= Float(threshold)
                {
                    let id = evaluation.examples[position].id
                    remove(
                        example, "cosine \(String(format: "%.3f", cosine)) with \(evaluation.name) example \(id)",
                        "near-copy of an evaluation example")
                } else {
                    kept.append(example)
                }
            }
        case .labelAgreement(let verifier):
            // A frontier verifier counts its failed calls too; they were made and may be billed.
            let meter = (verifier as? any UsageMetered)?.meter
            let start = meter?.usage ?? .zero
            let answers = try await verifierAnswers(for: examples.map(\.text), from: verifier)
            let answered = answers.reduce(Usage.zero) { total, answer in total + ((try? answer.get())?.usage ?? .zero) }
            usage += meter.map { $0.spending(since: start, answered: answered) } ?? answered
            for (example, result) in zip(examples, answers) {
                switch result {
                case .failure(let error):
                    remove(
                        example, "the second teacher's answer could not be used: \(error)",
                        "second teacher's answer unusable", toReview: true)
                case .success(let answer) where answer.label == example.label:
                    kept.append(example)
                case .success(let answer):
                    remove(
                        example,
                        "the second teacher says \(answer.label) (confidence \(String(format: "%.2f", answer.confidence)))",
                        "second teacher disagrees", toReview: true, suggesting: answer.label)
                }
            }
        case .length(let range):
            for example in examples {
                let length = example.text.trimmingCharacters(in: .whitespacesAndNewlines).count
                if length < range.lowerBound {
                    remove(example, "\(length) characters, fewer than \(range.lowerBound)", "too short")
                } else if length > range.upperBound {
                    remove(example, "\(length) characters, more than \(range.upperBound)", "too long")
                } else {
                    kept.append(example)
                }
            }
        case .latinScript(let minimumShare):
            for example in examples {
                let (letters, latin) = Self.letterCounts(example.text)
                if letters == 0 {
                    remove(example, "no letters", "no letters")
                } else if Double(latin) / Double(letters) < minimumShare {
                    remove(example, "\(latin) of \(letters) letters are Latin", "mostly another script")
                } else {
                    kept.append(example)
                }
            }
        case .english:
            for example in examples {
                if let (language, words) = StopwordLanguageGuess.otherLanguage(of: example.text) {
                    remove(example, "looks \(language): \(words.joined(separator: ", "))", "another language")
                } else {
                    kept.append(example)
                }
            }
        case .personalData(let action):
            let scanner = PersonalDataScanner()
            for var example in examples {
                let findings = scanner.findings(in: example.text)
                guard !findings.isEmpty else {
                    kept.append(example)
                    continue
                }
                let kinds = Set(findings.map(\.kind)).map(\.rawValue).sorted()
                for kind in kinds { report.reasons["holds \(kind)", default: 0] += 1 }
                switch action {
                case .remove:
                    report.removed += 1
                    removed.append(
                        RemovedExample(
                            example: example, filter: step.name, reason: "holds \(kinds.joined(separator: ", "))"))
                case .flag:
                    report.modified += 1
                    example.tags += kinds.map { "pii:\($0)" }
                    kept.append(example)
                case .mask:
                    report.modified += 1
                    example.text = scanner.masked(example.text)
                    example.tags.append("pii-masked")
                    kept.append(example)
                }
            }
        case .classBalance(let maximum):
            var seen: [String: Int] = [:]
            for example in examples {
                seen[example.label, default: 0] += 1
                if seen[example.label]! > maximum {
                    remove(
                        example, "label \(example.label) already has \(maximum) examples", "over the per-label maximum")
                } else {
                    kept.append(example)
                }
            }
        }
        examples = kept
        reports.append(report)
    }

    /// Distinct-2 per label, and the mean embedding distance when there is an embedder.
    mutating func diversity() async throws -> [String: LabelDiversity] {
        if embedder != nil { try await embed(examples.map(\.text)) }
        var byLabel: [String: [LabeledExample]] = [:]
        for example in examples { byLabel[example.label, default: []].append(example) }
        var result: [String: LabelDiversity] = [:]
        for (label, members) in byLabel {
            var bigrams: Set<String> = []
            var total = 0
            for example in members {
                let words = example.text.normalizedForComparison.split(separator: " ")
                for index in words.indices.dropLast() {
                    bigrams.insert("\(words[index]) \(words[index + 1])")
                    total += 1
                }
            }
            var distance: Double?
            if embedder != nil, members.count > 1, let dimension = vectors[members[0].text]?.count {
                // For unit vectors, the sum of cosines over ordered pairs i ≠ j is |Σv|² − n.
                var sum = [Double](repeating: 0, count: dimension)
                for example in members {
                    for (index, value) in vectors[example.text]!.enumerated() { sum[index] += Double(value) }
                }
                let n = Double(members.count)
                let meanCosine = (sum.reduce(0) { $0 + $1 * $1 } - n) / (n * (n - 1))
                distance = 1 - meanCosine
            }
            result[label] = LabelDiversity(
                count: members.count, distinctBigrams: total == 0 ? 0 : Double(bigrams.count) / Double(total),
                meanEmbeddingDistance: distance)
        }
        return result
    }

    /// Embeds the texts not embedded yet, normalized to unit length.
    private mutating func embed(_ texts: [String]) async throws {
        guard let embedder else { return }
        var missing: [String] = []
        var queued: Set<String> = []
        for text in texts where vectors[text] == nil && queued.insert(text).inserted { missing.append(text) }
        for start in stride(from: 0, to: missing.count, by: batchSize) {
            let batch = Array(missing[start..<min(start + batchSize, missing.count)])
            let got = try await embedder.embed(batch)
            guard got.count == batch.count else {
                throw ModelError.resultCountMismatch(expected: batch.count, actual: got.count)
            }
            for (text, vector) in zip(batch, got) {
                guard vector.count == embedder.dimension, vector.allSatisfy(\.isFinite) else {
                    throw ModelError.dimensionMismatch(expected: embedder.dimension, actual: vector.count)
                }
                let norm = vector.reduce(0) { $0 + $1 * $1 }.squareRoot()
                vectors[text] = norm > 0 ? vector.map { $0 / norm } : vector
            }
        }
    }

    /// The row of `matrix` (rows of `dimension` floats) with the highest dot product with `vector`.
    static func best(_ vector: [Float], in matrix: [Float], dimension: Int) -> (Int, Float)? {
        guard dimension > 0, !matrix.isEmpty else { return nil }
        var best: (Int, Float) = (0, -.infinity)
        vector.withUnsafeBufferPointer { v in
            matrix.withUnsafeBufferPointer { m in
                for row in 0..<(m.count / dimension) {
                    let dot = Self.dot(v.baseAddress!, m.baseAddress! + row * dimension, dimension)
                    if dot > best.1 { best = (row, dot) }
                }
            }
        }
        return best
    }

    private static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ count: Int) -> Float {
        var accumulator = SIMD8<Float>()
        var index = 0
        while index + 8 <= count {
            let x = UnsafeRawPointer(a + index).loadUnaligned(as: SIMD8<Float>.self)
            let y = UnsafeRawPointer(b + index).loadUnaligned(as: SIMD8<Float>.self)
            accumulator += x * y
            index += 8
        }
        var total = accumulator.sum()
        while index < count {
            total += a[index] * b[index]
            index += 1
        }
        return total
    }

    /// Letters in `text`, and how many of them are Latin.
    static func letterCounts(_ text: String) -> (letters: Int, latin: Int) {
        var letters = 0
        var latin = 0
        for scalar in text.unicodeScalars where scalar.properties.isAlphabetic {
            letters += 1
            switch scalar.value {
            case 0x41...0x5A, 0x61...0x7A, 0xAA, 0xBA, 0xC0...0x24F, 0x1E00...0x1EFF, 0xFF21...0xFF3A, 0xFF41...0xFF5A:
                latin += 1
            default: break
            }
        }
        return (letters, latin)
    }
}
