import ArgumentParser
import Foundation
import Squire

extension BenchCommand {
    /// What one bundle scored and cost on the labelled data, beside the first bundle.
    struct ComparedModel {
        var folder: String
        var weights: String
        var bundleBytes: Int
        var metrics: ClassificationMetrics
        var agreement: Double
        var cosine: (mean: Double, minimum: Double)
        var batch1: LatencySummary
        var batch32: LatencySummary
        var sentencesPerSecond: Double
    }

    /// `squire bench --model A --model B … --data test.jsonl`: the quality report.
    func runComparison(data: String) throws {
        let dataset = try Dataset(contentsOf: URL(fileURLWithPath: data))
        let texts = dataset.examples.map(\.text)
        guard !texts.isEmpty else { throw InputTexts.Error(path: data, line: nil, reason: "no examples to compare on") }
        var compared: [ComparedModel] = []
        var baseline: (labels: [String], embeddings: Tensor)?
        for folder in model {
            let bundle = try ModelBundle(folder: folder)
            guard let embedder = bundle.embedder else {
                throw ValidationError("\(folder) holds a tiny transformer, which has no sentence embeddings to compare")
            }
            let clock = ContinuousClock()
            // Batch 32 over every text: throughput, and the answers the metrics come from.
            for start in stride(from: 0, to: min(texts.count, 96), by: 32) {
                _ = try embedder.embeddings(for: Array(texts[start..<min(start + 32, texts.count)]))
            }
            var batchSeconds: [Double] = []
            var rows: [Float] = []
            var answers: [Classification] = []
            for start in stride(from: 0, to: texts.count, by: 32) {
                let batch = Array(texts[start..<min(start + 32, texts.count)])
                var embeddings: Tensor?
                let elapsed = try clock.measure {
                    embeddings = try embedder.embeddings(for: batch)
                    answers += try bundle.classifications(forEmbeddings: embeddings!)
                }
                batchSeconds.append(elapsed.milliseconds / 1000)
                rows += embeddings!.scalars
            }
            let embeddings = try Tensor(shape: [texts.count, embedder.dimension], scalars: rows)
            // Batch 1 on up to 256 texts, one call each, as a request handler sees it.
            var singleSeconds: [Double] = []
            for text in texts.prefix(256) {
                singleSeconds.append(
                    try clock.measure {
                        _ = try bundle.classifications(forEmbeddings: embedder.embeddings(for: [text]))
                    }.milliseconds / 1000)
            }
            let predictions = zip(dataset.examples, answers).map {
                Prediction(id: $0.id, expected: $0.label, classification: $1)
            }
            let labels = answers.map(\.label)
            if baseline == nil { baseline = (labels, embeddings) }
            let reference = baseline!
            compared.append(
                ComparedModel(
                    folder: folder, weights: Self.weightsDescription(bundle.weights),
                    bundleBytes: Self.bytes(under: folder),
                    metrics: ClassificationMetrics(predictions: predictions),
                    agreement: Double(zip(reference.labels, labels).filter { $0 == $1 }.count) / Double(labels.count),
                    cosine: try Self.cosines(reference.embeddings, embeddings),
                    batch1: LatencySummary(seconds: singleSeconds), batch32: LatencySummary(seconds: batchSeconds),
                    sentencesPerSecond: Double(texts.count) / batchSeconds.reduce(0, +)))
        }
        try printComparison(compared, examples: texts.count, data: data)
    }

    /// Mean and smallest cosine between matching rows.
    static func cosines(_ a: Tensor, _ b: Tensor) throws -> (mean: Double, minimum: Double) {
        guard a.shape == b.shape, a.rank == 2 else {
            throw ValidationError("the bundles' embeddings differ in shape: \(a.shape) and \(b.shape)")
        }
        let width = a.shape[1]
        let values = (0..<a.shape[0]).map { row -> Double in
            var dot = 0.0
            var x = 0.0
            var y = 0.0
            for column in (row * width)..<((row + 1) * width) {
                let (p, q) = (Double(a.scalars[column]), Double(b.scalars[column]))
                dot += p * q
                x += p * p
                y += q * q
            }
            return x > 0 && y > 0 ? dot / (x * y).squareRoot() : (x == y ? 1 : 0)
        }
        return (values.reduce(0, +) / Double(values.count), values.min() ?? 1)
    }

    /// The bytes of every file under `folder`.
    static func bytes(under folder: String) -> Int {
        let files = FileManager.default.enumerator(atPath: folder)?.compactMap { $0 as? String } ?? []
        return files.reduce(0) { total, file in
            let attributes = try? FileManager.default.attributesOfItem(atPath: folder + "/" + file)
            return total
                + (attributes?[.type] as? FileAttributeType == .typeRegular ? (attributes?[.size] as? Int ?? 0) : 0)
        }
    }

    func printComparison(_ compared: [ComparedModel], examples: Int, data: String) throws {
        guard let first = compared.first else { return }
        if json {
            let models: [[String: Any]] = compared.map { model in
                // LatencySummary is in milliseconds already.
                func latency(_ summary: LatencySummary) -> [String: Double] {
                    ["p50": summary.p50, "p95": summary.p95, "p99": summary.p99, "mean": summary.mean]
                }
                return [
                    "model": model.folder, "weights": model.weights, "bundle_bytes": model.bundleBytes,
                    "size_share": Double(model.bundleBytes) / Double(first.bundleBytes),
                    "accuracy": model.metrics.accuracy, "macro_f1": model.metrics.macro.f1,
                    "expected_calibration_error": model.metrics.expectedCalibrationError,
                    "label_agreement": model.agreement,
                    "embedding_cosine": ["mean": model.cosine.mean, "min": model.cosine.minimum],
                    "results": [
                        [
                            "batch_size": 1, "latency_ms": latency(model.batch1),
                            "sentences_per_second": 1000 / model.batch1.mean, "sentences": model.batch1.calls,
                            "passes": 1, "stage": "classify",
                        ],
                        [
                            "batch_size": 32, "latency_ms": latency(model.batch32),
                            "sentences_per_second": model.sentencesPerSecond, "sentences": examples, "passes": 1,
                            "stage": "classify",
                        ],
                    ],
                ]
            }
            let object: [String: Any] = [
                "data": data, "examples": examples, "baseline": first.folder, "models": models,
            ]
            try JSONOutput.print(object)
            return
        }
        print("\(examples) examples of \(data); differences are against \(first.folder)")
        print(
            "model                     weights                 size MB  share  accuracy (Δ)      macro-F1 (Δ)      ECE (Δ)           agree    cos mean  cos min  b1 p50 ms  b1 p95 ms  b32 per s"
        )
        for model in compared {
            func delta(_ value: Double, _ base: Double) -> String {
                String(format: "%.4f (%+.4f)", value, value - base)
            }
            let name = URL(fileURLWithPath: model.folder).lastPathComponent
            print(
                name.padding(toLength: 25, withPad: " ", startingAt: 0) + " "
                    + model.weights.padding(toLength: 23, withPad: " ", startingAt: 0)
                    + String(
                        format: " %7.1f  %4.0f%%  ", Double(model.bundleBytes) / 1e6,
                        Double(model.bundleBytes) / Double(first.bundleBytes) * 100)
                    + delta(model.metrics.accuracy, first.metrics.accuracy) + "  "
                    + delta(model.metrics.macro.f1, first.metrics.macro.f1) + "  "
                    + delta(model.metrics.expectedCalibrationError, first.metrics.expectedCalibrationError)
                    + String(
                        format: "  %6.2f%%  %8.4f  %7.4f  %9.2f  %9.2f  %9.1f", model.agreement * 100,
                        model.cosine.mean, model.cosine.minimum,
                        model.batch1.p50, model.batch1.p95, model.sentencesPerSecond))
        }
    }

    /// How the comparison names a bundle's weights: `float32`, `int8`, `int4 (groups of 32)`.
    static func weightsDescription(_ weights: ModelBundle.Weights) -> String {
        switch weights {
        case .float32: "float32"
        case .quantized(let format): format.description
        }
    }
}
