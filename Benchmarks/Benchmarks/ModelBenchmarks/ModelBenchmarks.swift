import Benchmark
import Foundation
import SquireLoRA
import SquireModels
import SquireQuantization
import SquireTensor

/// Texts for the encoder and tokenizer benchmarks: BANKING77's test split when `../shared`
/// sits beside the repository, otherwise a fixed set of agent requests.
func benchmarkTexts(_ count: Int) -> [String] {
    let shared = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent(
            "shared/data/banking77/test.jsonl")
    if let data = try? String(contentsOf: shared, encoding: .utf8) {
        let texts = data.split(separator: "\n").compactMap { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["text"] as? String
        }
        if texts.count >= count { return Array(texts.prefix(count)) }
    }
    let base = [
        "I lost my card yesterday and need a new one", "Why was I charged twice for the same order?",
        "How do I reset my password if I no longer have my phone?", "Can I get a refund for the annual plan?",
        "The export button does nothing when I click it", "Please connect me with a real person",
        "What are the API rate limits on the team plan?", "My transfer has been pending for three days",
    ]
    return (0..<count).map { base[$0 % base.count] + ($0 >= base.count ? " (\($0))" : "") }
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .peakMemoryResident],
        warmupIterations: 2,
        scalingFactor: .one,
        maxDuration: .seconds(3),
        maxIterations: 200,
        // Medians drift 10–35% between sittings on these shared 2-core machines: flag only more.
        thresholds: [.wallClock: .init(relative: [.p50: 35]), .throughput: .init(relative: [.p50: 35])]
    )
    let texts = benchmarkTexts(512)

    // The encoder at batch 1 and 32, in float, int8 and int4 (needs the downloaded model).
    if let embedder = try? SentenceEmbedder(folder: ModelFolder.allMiniLML6V2) {
        let variants: [(String, SentenceEmbedder)] = [
            ("fp32", embedder), ("int8", try! embedder.quantized(.int8)),
            ("int4", try! embedder.quantized(.int4(groupSize: 32))),
        ]
        for (name, model) in variants {
            Benchmark("encoder \(name) batch 1") { benchmark in
                for index in benchmark.scaledIterations {
                    blackHole(try model.embeddings(for: [texts[index % texts.count]]))
                }
            }
            Benchmark("encoder \(name) batch 32") { benchmark in
                for index in benchmark.scaledIterations {
                    let start = (index * 32) % (texts.count - 32)
                    blackHole(try model.embeddings(for: Array(texts[start..<(start + 32)])))
                }
            }
        }

        Benchmark("tokenizer 512 texts") { benchmark in
            for _ in benchmark.scaledIterations { blackHole(embedder.tokenizer.encode(batch: texts)) }
        }

        // One LoRA step: rank 8 on query and value, batch 32, forward and backward.
        let recipe = LoRAClassifier.Recipe(
            adapter: LoRAConfiguration(rank: 8, alpha: 16, targetModules: ["query", "value"]),
            training: TrainingConfiguration(epochs: 1, batchSize: 32, earlyStoppingPatience: nil))
        let labels = (0..<64).map { "label\($0 % 4)" }
        if let (model, _) = try? LoRAClassifier.fit(
            texts: Array(texts.prefix(64)), labels: labels, base: embedder, recipe: recipe)
        {
            let batch = TokenBatch(
                sequences: texts.prefix(32).map { embedder.tokenizer.encode($0).ids },
                classIndices: (0..<32).map { $0 % 4 })
            Benchmark("LoRA step r8 q,v batch 32") { benchmark in
                var generator = SeededGenerator(seed: 1)
                for _ in benchmark.scaledIterations {
                    blackHole(try model.lossAndGradients(on: batch, using: &generator))
                }
            }
        }
    }

    // LogisticHead.fit on BANKING77-shaped features: 2,048 × 384, 16 labels, C = 10.
    var generator = SeededGenerator(seed: 7)
    let centers = try! Tensor.normal([16, 384], using: &generator)
    let rows = (0..<2048).map { $0 % 16 }
    let noise = try! Tensor.normal([2048, 384], using: &generator)
    let features = try! Tensor(
        shape: [2048, 384],
        scalars: (0..<(2048 * 384)).map { centers.scalars[rows[$0 / 384] * 384 + $0 % 384] + 2 * noise.scalars[$0] })
    let headLabels = rows.map { "label\($0)" }
    Benchmark("LogisticHead.fit 2048x384, 16 labels, C=10", configuration: .init(maxIterations: 20)) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(
                try LogisticHead.fit(
                    features: features, labels: headLabels, configuration: .init(inverseRegularization: 10)))
        }
    }
}
