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
        let texts = try InputTexts.read(input)
        guard !texts.isEmpty else { throw InputTexts.Error(path: input, line: nil, reason: "no texts to time") }
        var embedder = try SentenceEmbedder(folder: modelFolder)
        if let format = try quantizationFormat() { embedder = try embedder.quantized(format) }
        let run: ([String]) throws -> Void =
            switch stage {
            case .embed: { _ = try embedder.embeddings(for: $0) }
            case .tokenize, .fitLogistic, .loraEpoch:
                { batch in for text in batch { _ = embedder.tokenizer.encode(text) } }
            case .trainStep:
                { batch in
                    // Forward and backward through the whole encoder: mean pooling, then a loss that is
                    // the sum of the pooled states, so every parameter gets a gradient.
                    var generator = SeededGenerator(seed: 0)
                    let (states, ranges, cache) = try embedder.encoder.forwardCaching(
                        batch.map { embedder.tokenizer.encode($0).ids }, using: &generator)
                    let pooled = try Pooling.mean.pool(states, sequences: ranges)
                    let upstream = try Pooling.mean.backward(
                        Tensor.ones(pooled.shape), states: states, sequences: ranges)
                    _ = try embedder.encoder.backward(upstream, cache: cache)
                }
            }
        let clock = ContinuousClock()
        var results: [[String: Any]] = []
        for size in batchSizes {
            let batches = stride(from: 0, to: texts.count, by: size).map {
                Array(texts[$0..<min($0 + size, texts.count)])
            }
            for batch in batches.prefix(3) { try run(batch) }  // warm-up
            var latencies: [Double] = []
            var total: Duration = .zero
            for _ in 0..<passes {
                for batch in batches {
                    let elapsed = try clock.measure { try run(batch) }
                    latencies.append(elapsed.milliseconds)
                    total += elapsed
                }
            }
            let sorted = latencies.sorted()
            func percentile(_ p: Double) -> Double {
                sorted[min(sorted.count - 1, Int((p * Double(sorted.count - 1)).rounded()))]
            }
            results.append([
                "batch_size": size,
                "latency_ms": [
                    "p50": percentile(0.5), "p95": percentile(0.95), "p99": percentile(0.99),
                    "mean": latencies.reduce(0, +) / Double(latencies.count),
                ],
                "sentences_per_second": Double(texts.count * passes) / (total.milliseconds / 1000),
                "sentences": texts.count,
                "passes": passes,
                "stage": stage.rawValue,
                "weights": try quantizationFormat()?.description ?? "float32",
            ])
        }
        if json {
            try JSONOutput.print(["results": results, "model": modelFolder])
        } else {
            print("batch  p50 ms   p95 ms   sentences/s   (\(texts.count) texts, \(passes) passes)")
            for result in results {
                let latency = result["latency_ms"] as! [String: Double]
                print(
                    String(
                        format: "%5d  %7.2f  %7.2f  %12.1f", result["batch_size"] as! Int, latency["p50"]!,
                        latency["p95"]!, result["sentences_per_second"] as! Double))
            }
        }
    }
}

extension BenchCommand {
    /// Times `LogisticHead.fit` with scikit-learn's stopping rule (tol 1e-4), one fit per pass.
    func runLogisticFit() throws {
        let input = input ?? ""
        guard let labels else {
            throw ValidationError("--stage fit-logistic needs --labels, the labelled data in the order of --input")
        }
        struct Row: Decodable { var embedding: [Float] }
        let rows = try JSONLines.read(
            Row.self, from: input, expecting: "expected a JSON object with an \"embedding\" array"
        ).map(\.value)
        let dataset = try Dataset(contentsOf: URL(fileURLWithPath: labels))
        guard dataset.examples.count == rows.count, let width = rows.first?.embedding.count else {
            throw ValidationError(
                "--input has \(rows.count) embeddings but --labels has \(dataset.examples.count) examples")
        }
        let features = try Tensor(shape: [rows.count, width], scalars: rows.flatMap(\.embedding))
        let configuration = LogisticHead.Configuration(inverseRegularization: inverseRegularization)
        let clock = ContinuousClock()
        var seconds: [Double] = []
        var steps = 0
        for _ in 0..<passes {
            let elapsed = try clock.measure {
                steps = try LogisticHead.fit(
                    features: features, labels: dataset.examples.map(\.label), configuration: configuration
                ).summary.steps
            }
            seconds.append(elapsed.milliseconds / 1000)
        }
        let sorted = seconds.sorted()
        let result: [String: Any] = [
            "stage": stage.rawValue, "examples": rows.count, "dimension": width, "c": inverseRegularization,
            "iterations": steps, "fit_seconds": ["p50": sorted[sorted.count / 2], "min": sorted[0]], "passes": passes,
        ]
        if json {
            try JSONOutput.print(["results": [result]])
        } else {
            print(
                String(
                    format: "LogisticHead.fit: %d × %d, C = %g: %.3f s median of %d, %d iterations", rows.count, width,
                    inverseRegularization, sorted[sorted.count / 2], passes, steps))
        }
    }
}

extension Duration {
    var milliseconds: Double { Double(components.seconds) * 1000 + Double(components.attoseconds) * 1e-15 }
}

extension BenchCommand {
    /// Times one epoch of LoRA fine-tuning (tokenization, forward, backward into the adapters
    /// and the classifier, AdamW) over the labelled `--input`, once per pass and batch size:
    /// the figure `Scripts/peers/bench-lora-epoch.sh` compares with PEFT.
    func runLoRAEpoch() throws {
        let input = input ?? ""
        let dataset = try Dataset(contentsOf: URL(fileURLWithPath: input))
        let base = try SentenceEmbedder(folder: modelFolder)
        let clock = ContinuousClock()
        var results: [[String: Any]] = []
        for size in batchSizes {
            var recipe = LoRAClassifier.Recipe(
                adapter: lora ?? LoRAClassifier.Recipe().adapter, validationFraction: 0,
                warmStartInverseRegularization: nil)
            recipe.training = TrainingConfiguration(
                epochs: 1, batchSize: size, learningRate: 1e-3, warmupFraction: 0.1, earlyStoppingPatience: nil)
            var seconds: [Double] = []
            var trainable = 0
            for _ in 0..<passes {
                let elapsed = try clock.measure {
                    let model = try LoRAClassifier.fit(
                        texts: dataset.examples.map(\.text), labels: dataset.examples.map(\.label), base: base,
                        recipe: recipe
                    ).model
                    trainable = model.trainableParameterCount.trainable
                }
                seconds.append(elapsed.milliseconds / 1000)
            }
            let sorted = seconds.sorted()
            results.append([
                "stage": stage.rawValue, "batch_size": size, "examples": dataset.examples.count, "passes": passes,
                "epoch_seconds": ["p50": sorted[sorted.count / 2], "min": sorted[0]], "trainable_parameters": trainable,
                "rank": recipe.adapter.rank, "targets": recipe.adapter.targetModules,
            ])
        }
        if json {
            try JSONOutput.print(["results": results, "model": modelFolder])
        } else {
            for result in results {
                let epoch = result["epoch_seconds"] as! [String: Double]
                print(
                    String(
                        format: "LoRA epoch, batch %d, %d examples: %.1f s median of %d", result["batch_size"] as! Int,
                        dataset.examples.count, epoch["p50"]!, passes))
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
