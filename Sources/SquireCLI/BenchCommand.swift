import ArgumentParser
import Foundation
import Squire

/// `squire bench`: what a caller of the embedder sees, timed.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Time sentence embedding (tokenization, encoder, pooling) at each batch size.",
        discussion: """
            After a warm-up, embeds every input text in consecutive batches of each size and reports per-call latency percentiles and throughput, over --passes passes. Times are wall clock on this machine; compare against peers run in the same sitting, never across sittings.

            With --data and one or more --model bundles, compares the bundles instead: each one's accuracy, macro-F1 and ECE on the labelled data, its label agreement and embedding cosine with the first bundle, its size, its batch-1 latency and batch-32 throughput — what quantizing a bundle (`squire quantize`) cost and saved.

            Examples:
              squire bench --input sentences.txt --batch-size 1,32 --json
              squire bench --model intent-bundle --model intent-int8 --model intent-int4 --data test.jsonl
            """
    )

    @Option(
        name: .long,
        help:
            "The model folder (default: $SQUIRE_MODEL_DIR or ~/.cache/squire/models/all-MiniLM-L6-v2); with --data, a bundle to compare (repeat for several, the first is the baseline)."
    )
    var model: [String] = []
    @Option(name: .long, help: "Labelled texts (.jsonl or .csv) on which to compare the --model bundles.")
    var data: String?
    @Option(name: .long, help: "Texts: a .txt file (one per line) or a .jsonl file with a \"text\" field.")
    var input: String?
    @Option(name: .long, help: "Comma-separated batch sizes.")
    var batchSize = "1,32"
    @Option(name: .long, help: "Timed passes over the inputs per batch size.")
    var passes = 3
    @Option(
        name: .long,
        help:
            "What to time: embed (tokenizer, encoder, pooling), tokenize (the tokenizer alone), train-step (tokenizer, encoder forward and backward, as fine-tuning runs it), lora-epoch (one epoch of LoRA fine-tuning on the labelled --input with --lora, one pass per batch size), or fit-logistic (LogisticHead.fit on the embeddings in --input, as `squire embed` writes them, with the labels of --labels)."
    )
    var stage: Stage = .embed
    @Option(name: .long, help: "For fit-logistic: the labelled data (.jsonl) in the order of --input.")
    var labels: String?
    @Option(name: .customLong("c"), help: "For fit-logistic: the inverse regularization C.")
    var inverseRegularization = 1.0
    @Option(name: .long, help: "For lora-epoch: \(LoRASpecification.usage).", transform: LoRASpecification.parse)
    var lora: LoRAConfiguration?
    @Option(name: .long, help: "For embed: quantize the encoder's projections to 8 or 4 bits before timing.")
    var bits: Int?
    @Option(name: .long, help: "For embed with --bits 4: values per scale (32, 64 or 128).")
    var groupSize = 32
    @Flag(name: .long, help: "Print the results as JSON.")
    var json = false

    enum Stage: String, ExpressibleByArgument {
        case embed, tokenize
        case fitLogistic = "fit-logistic"
        case trainStep = "train-step"
        case loraEpoch = "lora-epoch"
    }

    var batchSizes: [Int] {
        batchSize.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
    }

    /// The encoder folder the single-model stages run.
    var modelFolder: String { model.first ?? ModelFolder.allMiniLML6V2 }

    func validate() throws {
        if data != nil {
            guard !model.isEmpty else {
                throw ValidationError("--data compares bundles: give at least one --model BUNDLE")
            }
            guard input == nil, bits == nil, stage == .embed else {
                throw ValidationError("--data compares --model bundles; it takes no --input, --bits or --stage")
            }
            return
        }
        guard model.count <= 1 else { throw ValidationError("several --model folders are compared only with --data") }
        guard input != nil else {
            throw ValidationError("--input is required (or --data with --model bundles to compare)")
        }
        guard !batchSizes.isEmpty, batchSizes.allSatisfy({ $0 > 0 }),
            batchSizes.count == batchSize.split(separator: ",").count
        else { throw ValidationError("--batch-size takes positive integers separated by commas, such as 1,32") }
        guard passes > 0 else { throw ValidationError("--passes must be positive") }
        if bits != nil {
            guard stage == .embed else { throw ValidationError("--bits applies to --stage embed") }
            _ = try quantizationFormat()
        }
    }

    func run() throws {
        if let data { return try runComparison(data: data) }
        let input = input ?? ""
        if stage == .fitLogistic { return try runLogisticFit() }
        if stage == .loraEpoch { return try runLoRAEpoch() }
        let texts = try TextLines.read(input)
        guard !texts.isEmpty else { throw DatasetError(source: input, reason: "no texts to time") }
        if StaticEmbedder.isModelFolder(modelFolder) {
            guard stage == .embed, bits == nil else {
                throw ValidationError("a static model folder is timed with --stage embed only, without --bits")
            }
            let results = try EncoderBenchmark.time(
                static: try StaticEmbedder(folder: modelFolder), texts: texts, batchSizes: batchSizes, passes: passes)
            return try report(results, texts: texts)
        }
        var embedder = try SentenceEmbedder(folder: modelFolder)
        let format = try quantizationFormat()
        if let format { embedder = try embedder.quantized(format) }
        let libraryStage: EncoderBenchmark.Stage =
            switch stage {
            case .embed: .embed
            case .trainStep: .trainStep
            case .tokenize, .fitLogistic, .loraEpoch: .tokenize
            }
        let results = try EncoderBenchmark.time(
            libraryStage, embedder: embedder, texts: texts, batchSizes: batchSizes, passes: passes,
            weights: format?.description ?? "float32")
        try report(results, texts: texts)
    }

    /// Prints timings as a table, or as JSON with `--json`.
    private func report(_ results: [BatchTiming], texts: [String]) throws {
        if json {
            try JSONOutput.print(Timings(results: results, model: modelFolder))
        } else {
            print("batch  p50 ms   p95 ms   sentences/s   (\(texts.count) texts, \(passes) passes)")
            for result in results {
                print(
                    String(
                        format: "%5d  %7.2f  %7.2f  %12.1f", result.batchSize, result.latency.p50, result.latency.p95,
                        result.sentencesPerSecond))
            }
        }
    }

    /// What `--json` prints for the timing stages.
    struct Timings<Result: Encodable>: Encodable {
        var results: [Result]
        var model: String?
    }
}

extension BenchCommand {
    /// Times `LogisticHead.fit` with scikit-learn's stopping rule (tol 1e-4), one fit per pass.
    func runLogisticFit() throws {
        let input = input ?? ""
        guard let labels else {
            throw ValidationError("--stage fit-logistic needs --labels, the labelled data in the order of --input")
        }
        let dataset = try Dataset(contentsOf: URL(fileURLWithPath: labels))
        let rows = try EmbeddedText.vectors(from: input, for: dataset.examples.map(\.text))
        guard let width = rows.first?.count, rows.allSatisfy({ $0.count == width }) else {
            throw ValidationError("--input holds no embeddings, or embeddings of different widths")
        }
        let features = try Tensor(shape: [rows.count, width], scalars: rows.flatMap { $0.map(Float.init) })
        let result = try EncoderBenchmark.logisticFit(
            features: features, labels: dataset.examples.map(\.label), inverseRegularization: inverseRegularization,
            passes: passes)
        if json {
            try JSONOutput.print(Timings(results: [result], model: nil))
        } else {
            print(
                String(
                    format: "LogisticHead.fit: %d × %d, C = %g: %.3f s median of %d, %d iterations", result.examples,
                    result.dimension, inverseRegularization, result.fitSeconds.p50, passes, result.iterations))
        }
    }
}

extension BenchCommand {
    /// Times one epoch of LoRA fine-tuning (tokenization, forward, backward into the adapters
    /// and the classifier, AdamW) over the labelled `--input`, once per pass and batch size:
    /// the figure `Scripts/peers/bench-lora-epoch.sh` compares with PEFT.
    func runLoRAEpoch() throws {
        let dataset = try Dataset(contentsOf: URL(fileURLWithPath: input ?? ""))
        let results = try EncoderBenchmark.loraEpoch(
            on: dataset, base: try SentenceEmbedder(folder: modelFolder),
            adapter: lora ?? LoRAClassifier.Recipe().adapter, batchSizes: batchSizes, passes: passes)
        if json {
            try JSONOutput.print(Timings(results: results, model: modelFolder))
        } else {
            for result in results {
                print(
                    String(
                        format: "LoRA epoch, batch %d, %d examples: %.1f s median of %d", result.batchSize,
                        result.examples, result.epochSeconds.p50, passes))
            }
        }
    }

    /// The format `--bits` and `--group-size` name, or nil for float weights.
    func quantizationFormat() throws -> QuantizationFormat? {
        switch bits {
        case nil: return nil
        case 8: return .int8
        case 4:
            let format = QuantizationFormat.int4(groupSize: groupSize)
            do { try format.validate() } catch { throw ValidationError("--group-size takes 32, 64 or 128") }
            return format
        default: throw ValidationError("--bits takes 8 or 4")
        }
    }
}
