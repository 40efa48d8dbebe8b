import Foundation
import Testing

@Suite(.enabled(if: CLIFixtures.hasModel, "needs all-MiniLM-L6-v2: run Scripts/setup/fetch-model.sh"))
struct QuantizeCommandTests {
    @Test func quantizedBundlesPredictAndEvaluateLikeTheOriginal() throws {
        let folder = try CLIFixtures.scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = folder.appendingPathComponent("train.jsonl")
        try TrainCommandTests.write(TrainCommandTests.examples, to: data)
        let original = folder.appendingPathComponent("float").path
        var (status, output) = try runSquire(["train", "--data", data.path, "--c", "10", "--output", original])
        #expect(status == 0, "\(output)")
        let floatPredictions = folder.appendingPathComponent("float.jsonl")
        (status, output) = try runSquire([
            "predict", "--model", original, "--input", data.path, "--output", floatPredictions.path,
        ])
        #expect(status == 0, "\(output)")

        for (bits, share) in [("8", 0.27), ("4", 0.16)] {
            let quantized = folder.appendingPathComponent("int\(bits)").path
            let made = try runSquireJSON([
                "quantize", "--model", original, "--bits", bits, "--output", quantized, "--json",
            ])
            #expect(made.status == 0, "\(made.errors)")
            #expect(made.object?["output"] as? String == quantized)
            #expect(made.object?["weights"] as? String == (bits == "8" ? "int8" : "int4 (groups of 32)"))
            let size = { (path: String) in
                Double((try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0)
            }
            #expect(
                size(quantized + "/encoder/model.safetensors") <= share * size(original + "/encoder/model.safetensors"))
            let predictions = folder.appendingPathComponent("int\(bits).jsonl")
            (status, output) = try runSquire([
                "predict", "--model", quantized, "--input", data.path, "--output", predictions.path,
            ])
            #expect(status == 0, "\(output)")
            let agreement = zip(try CLIFixtures.jsonLines(floatPredictions), try CLIFixtures.jsonLines(predictions))
                .filter { ($0.0["label"] as? String) == ($0.1["label"] as? String) }.count
            // A few borderline texts may flip; most must not.
            #expect(
                Double(agreement) >= 0.8 * Double(TrainCommandTests.examples.count),
                "int\(bits): \(agreement) of \(TrainCommandTests.examples.count) labels agree")
            (status, output) = try runSquire([
                "eval", "--data", data.path, "--model", quantized, "--report",
                folder.appendingPathComponent("eval\(bits).json").path,
            ])
            #expect(status == 0, "\(output)")
        }
        // The comparison report: the float bundle is the baseline.
        (status, output) = try runSquire([
            "bench", "--model", original, "--model", folder.appendingPathComponent("int8").path, "--model",
            folder.appendingPathComponent("int4").path,
            "--data", data.path, "--json",
        ])
        #expect(status == 0, "\(output)")
        let report = try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any]
        let models = report?["models"] as? [[String: Any]] ?? []
        #expect(models.map { $0["weights"] as? String } == ["float32", "int8", "int4 (groups of 32)"])
        #expect(models.first?["label_agreement"] as? Double == 1)
        #expect((models.first?["embedding_cosine"] as? [String: Double])?["min"] ?? 0 > 0.999999)
        for model in models.dropFirst() {
            let cosine = model["embedding_cosine"] as? [String: Double] ?? [:]
            #expect(cosine["mean"] ?? 0 > 0.9 && cosine["mean"] ?? 1 < 1, "\(model)")
            #expect((model["size_share"] as? Double ?? 1) < 0.3)
            let results = model["results"] as? [[String: Any]] ?? []
            #expect(results.map { $0["batch_size"] as? Int } == [1, 32])
            #expect(
                results.allSatisfy {
                    ($0["latency_ms"] as? [String: Double])?["p50"] ?? 0 > 0
                        && ($0["sentences_per_second"] as? Double ?? 0) > 0
                })
            // One text per call: texts per second and mean milliseconds per call are reciprocal, and
            // a call takes milliseconds, not the seconds a units slip would report.
            let single = try #require(results.first)
            let mean = try #require((single["latency_ms"] as? [String: Double])?["mean"])
            #expect(abs((single["sentences_per_second"] as? Double ?? 0) * mean / 1000 - 1) < 1e-9)
            #expect(mean > 0.1 && mean < 5_000, "batch-1 mean \(mean) ms")
        }
        (status, output) = try runSquire(["bench", "--model", original, "--model", original])
        #expect(status == 2 && output.contains("several --model folders are compared only with --data"), "\(output)")
        (status, output) = try runSquire([
            "quantize", "--model", original, "--bits", "3", "--output", folder.appendingPathComponent("x").path,
        ])
        #expect(status == 2 && output.contains("--bits takes 8 or 4"), "\(output)")
        (status, output) = try runSquire([
            "quantize", "--model", original, "--bits", "4", "--group-size", "48", "--output",
            folder.appendingPathComponent("x").path,
        ])
        #expect(status == 2 && output.contains("--group-size takes 32, 64 or 128"), "\(output)")
        (status, output) = try runSquire([
            "quantize", "--model", folder.appendingPathComponent("int8").path, "--bits", "4", "--output",
            folder.appendingPathComponent("x").path,
        ])
        #expect(status != 0 && output.contains("is already quantized (int8)"), "\(output)")
    }
}
