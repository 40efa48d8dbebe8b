import Foundation
import SquireModels
import SquireTensor
import Testing

/// The model folder `squire` uses by default, and the shared reference beside the repository.
enum CLIFixtures {
    static let modelFolder =
        ProcessInfo.processInfo.environment["SQUIRE_MODEL_DIR"]
        ?? FileManager.default.homeDirectoryForCurrentUser.path + "/.cache/squire/models/all-MiniLM-L6-v2"
    static var hasModel: Bool { FileManager.default.fileExists(atPath: modelFolder + "/model.safetensors") }
    static let reference = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared/reference")

    static func scratch() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("squire-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func jsonLines(_ url: URL) throws -> [[String: Any]] {
        try Data(contentsOf: url).split(separator: UInt8(ascii: "\n")).map {
            try #require(try JSONSerialization.jsonObject(with: Data($0)) as? [String: Any])
        }
    }
}

@Suite(.enabled(if: CLIFixtures.hasModel, "needs all-MiniLM-L6-v2: run Scripts/setup/fetch-model.sh"))
struct EmbedCommandTests {
    @Test func embedsInInputOrderLikeSentenceTransformers() throws {
        let folder = try CLIFixtures.scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        // The first two are reference texts 0 and 10 of ../shared/reference; when the reference
        // is there, their vectors must match sentence-transformers'.
        let input = folder.appendingPathComponent("texts.jsonl")
        let texts = ["", "##ing", "Where is my card?"]
        try Data(
            texts.map { String(decoding: try! JSONSerialization.data(withJSONObject: ["text": $0]), as: UTF8.self) }
                .joined(separator: "\n").utf8
        ).write(to: input)
        let output = folder.appendingPathComponent("out.jsonl")
        let (status, log) = try runSquire(["embed", "--input", input.path, "--output", output.path])
        #expect(status == 0, "\(log)")
        let lines = try CLIFixtures.jsonLines(output)
        #expect(lines.map { $0["text"] as? String } == texts)
        for line in lines {
            let vector = try #require(line["embedding"] as? [Double])
            #expect(vector.count == 384)
            #expect(abs(vector.map { $0 * $0 }.reduce(0, +) - 1) < 1e-4)
        }
        let referenceFile = CLIFixtures.reference.appendingPathComponent("embeddings.safetensors").path
        guard FileManager.default.fileExists(atPath: referenceFile) else { return }
        let reference = try SafetensorsFile(path: referenceFile).tensor("embeddings")
        for (line, row) in zip(lines, [0, 10]) {
            let vector = try #require(line["embedding"] as? [Double])
            let expected = try reference.rows(row..<(row + 1)).scalars
            #expect(zip(vector, expected).allSatisfy { abs($0 - Double($1)) < 1e-4 }, "reference text \(row)")
        }
    }

    @Test func tokenizesWithAndWithoutTruncation() throws {
        let folder = try CLIFixtures.scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let input = folder.appendingPathComponent("texts.txt")
        try Data("Where is my card?\n\(String(repeating: "card ", count: 300))\n".utf8).write(to: input)
        let output = folder.appendingPathComponent("ids.jsonl")
        #expect(try runSquire(["tokenize", "--input", input.path, "--output", output.path]).status == 0)
        let lines = try CLIFixtures.jsonLines(output)
        #expect(lines.first?["ids"] as? [Int] == [101, 2073, 2003, 2026, 4003, 1029, 102])
        #expect((lines.last?["ids"] as? [Int])?.count == 256)
        #expect(
            try runSquire(["tokenize", "--input", input.path, "--output", output.path, "--no-truncation"]).status == 0)
        #expect((try CLIFixtures.jsonLines(output).last?["ids"] as? [Int])?.count == 302)
    }

    @Test func benchPrintsTheContractedJSONKeys() throws {
        let folder = try CLIFixtures.scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let input = folder.appendingPathComponent("texts.txt")
        try Data("one\ntwo\nthree\n".utf8).write(to: input)
        let (status, output) = try runSquire([
            "bench", "--input", input.path, "--batch-size", "1,2", "--passes", "1", "--json",
        ])
        #expect(status == 0, "\(output)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any])
        let results = try #require(report["results"] as? [[String: Any]])
        #expect(results.map { $0["batch_size"] as? Int } == [1, 2])
        for result in results {
            let latency = try #require(result["latency_ms"] as? [String: Double])
            #expect(latency["p50"] != nil && latency["p95"] != nil)
            #expect((result["sentences_per_second"] as? Double ?? 0) > 0)
        }
    }
}

@Suite struct InputErrorTests {
    @Test func badInputsExitTwoNamingFileAndLine() throws {
        let folder = try CLIFixtures.scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let out = folder.appendingPathComponent("out.jsonl").path
        let missing = folder.appendingPathComponent("missing.txt").path
        let badJSON = folder.appendingPathComponent("bad.jsonl")
        try Data("{\"text\": \"fine\"}\n{\"txt\": 1}\n".utf8).write(to: badJSON)
        let badUTF8 = folder.appendingPathComponent("bad.txt")
        try Data([0x6F, 0x6B, 0x0A, 0xFF, 0xFE, 0x0A]).write(to: badUTF8)
        for (arguments, message) in [
            (["tokenize", "--input", missing, "--output", out], "\(missing): cannot read the file"),
            (
                ["tokenize", "--input", badJSON.path, "--output", out],
                "\(badJSON.path):2: expected a JSON object with a \"text\" string"
            ),
            (["embed", "--input", badUTF8.path, "--output", out], "\(badUTF8.path):2: not valid UTF-8"),
            (["embed", "--model", folder.path, "--input", badUTF8.path, "--output", out], "not valid UTF-8"),
            (["bench", "--input", badUTF8.path, "--batch-size", "0"], "--batch-size takes positive integers"),
        ] {
            let (status, output) = try runSquire(arguments)
            #expect(status == 2, "\(arguments)")
            #expect(output.contains(message), "\(output)")
        }
        #expect(!FileManager.default.fileExists(atPath: out))  // nothing half-written
        let (status, output) = try runSquire([
            "embed", "--model", folder.path, "--input",
            badJSON.path.replacingOccurrences(of: "bad.jsonl", with: "none.txt"), "--output", out,
        ])
        #expect(status == 2 && output.contains("cannot read the file"))
    }

    @Test func aMissingModelSaysHowToFetchIt() throws {
        let folder = try CLIFixtures.scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let input = folder.appendingPathComponent("texts.txt")
        try Data("hello\n".utf8).write(to: input)
        let (status, output) = try runSquire([
            "embed", "--model", folder.path, "--input", input.path, "--output",
            folder.appendingPathComponent("o.jsonl").path,
        ])
        #expect(status == 2)
        #expect(output.contains("config.json is missing; fetch the model with Scripts/setup/fetch-model.sh"))
    }
}

/// `squire distill-static`, and `squire embed`, `train`, `predict` and `eval` with the static
/// model it writes.
@Suite(.enabled(if: CLIFixtures.hasModel, "needs all-MiniLM-L6-v2: run Scripts/setup/fetch-model.sh"))
struct DistillStaticCommandTests {
    @Test func distilsAStaticModelThatEmbedAndTrainUse() throws {
        let folder = try CLIFixtures.scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let model = folder.appendingPathComponent("minilm-static").path
        let made = try runSquire(["distill-static", "--output", model, "--dimensions", "64"])
        #expect(made.status == 0, "\(made.output)")
        #expect(made.output.contains("29525 tokens × 64 dimensions"), "\(made.output)")
        let input = folder.appendingPathComponent("texts.txt")
        try "How do I locate my card?\n\n☃☃".write(to: input, atomically: true, encoding: .utf8)
        let output = folder.appendingPathComponent("vectors.jsonl")
        let embedded = try runSquire(["embed", "--model", model, "--input", input.path, "--output", output.path])
        #expect(embedded.status == 0, "\(embedded.output)")
        let vectors = try CLIFixtures.jsonLines(output).map { try #require($0["embedding"] as? [Double]) }
        #expect(vectors.map(\.count) == [64, 64, 64])
        #expect(abs(vectors[0].map { $0 * $0 }.reduce(0, +) - 1) < 1e-5)
        // No known token: zeros.
        #expect(vectors[1].allSatisfy { $0 == 0 } && vectors[2].allSatisfy { $0 == 0 })
        // The output rule: a file that is not a static model folder is not replaced.
        let refused = try runSquire(["distill-static", "--output", input.path])
        #expect(refused.status == 2, "\(refused.output)")
        #expect(try String(contentsOf: input, encoding: .utf8).hasPrefix("How do I"))

        // A head on it: trained, then answering through predict and eval like any bundle.
        let data = folder.appendingPathComponent("train.jsonl")
        try TrainCommandTests.write(TrainCommandTests.examples, to: data)
        let bundle = folder.appendingPathComponent("bundle").path
        let trained = try runSquire(["train", "--base", model, "--data", data.path, "--output", bundle, "--c", "10"])
        #expect(trained.status == 0, "\(trained.output)")
        #expect(try String(contentsOfFile: bundle + "/MODEL_CARD.md", encoding: .utf8).contains("static embeddings"))
        let predictions = folder.appendingPathComponent("predictions.jsonl")
        let predicted = try runSquire([
            "predict", "--model", bundle, "--input", data.path, "--output", predictions.path, "--embeddings",
        ])
        #expect(predicted.status == 0, "\(predicted.output)")
        let lines = try CLIFixtures.jsonLines(predictions)
        #expect(lines.count == TrainCommandTests.examples.count)
        #expect(lines.allSatisfy { ($0["embedding"] as? [Double])?.count == 64 })
        let right = lines.filter { $0["label"] as? String == $0["true_label"] as? String }.count
        #expect(right >= lines.count * 8 / 10, "\(right) of \(lines.count)")
        let evaluated = try runSquire([
            "eval", "--data", data.path, "--model", bundle, "--report", folder.appendingPathComponent("eval.json").path,
        ])
        #expect(evaluated.status == 0, "\(evaluated.output)")
        #expect(evaluated.output.contains("\(TrainCommandTests.examples.count) examples (0 failed)"))
        // Its table quantized: half of float16's bytes, and still a bundle eval opens.
        let int8 = folder.appendingPathComponent("bundle-int8").path
        let quantized = try runSquire(["quantize", "--model", bundle, "--bits", "8", "--output", int8])
        #expect(quantized.status == 0 && quantized.output.contains("static table int8"), "\(quantized.output)")
        let evaluatedInt8 = try runSquire([
            "eval", "--data", data.path, "--model", int8, "--report", folder.appendingPathComponent("int8.json").path,
        ])
        #expect(evaluatedInt8.status == 0, "\(evaluatedInt8.output)")
        // LoRA needs a transformer: refused before training, nothing written.
        let lora = try runSquire([
            "train", "--base", model, "--data", data.path, "--output", folder.appendingPathComponent("lora").path,
            "--lora", "rank=2",
        ])
        #expect(lora.status != 0 && lora.output.contains("is a static model"), "\(lora.output)")
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("lora").path))
    }
}
