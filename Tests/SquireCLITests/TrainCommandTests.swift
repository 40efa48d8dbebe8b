import Foundation
import Testing

/// `squire train`, `squire predict`, and the bundle in `squire eval` and `squire profile`,
/// end to end on a small inline dataset with the real encoder.
@Suite(.enabled(if: CLIFixtures.hasModel, "needs all-MiniLM-L6-v2: run Scripts/setup/fetch-model.sh"))
struct TrainCommandTests {
    static let examples: [(String, String)] = [
        ("I lost my card", "card"), ("my card was stolen", "card"), ("card missing since Monday", "card"),
        ("someone took my card", "card"), ("cannot find my debit card", "card"), ("my card is gone", "card"),
        ("where is my refund", "refund"), ("I want my money back", "refund"), ("refund not received", "refund"),
        ("please refund the charge", "refund"), ("how long do refunds take", "refund"), ("return my money", "refund"),
        ("change my address", "address"), ("I moved house", "address"), ("update my postal address", "address"),
        ("new home address", "address"), ("edit the address on file", "address"), ("my address is wrong", "address"),
    ]

    static func write(_ rows: [(String, String)], to url: URL) throws {
        let lines = try rows.enumerated().map { index, row in
            String(
                decoding: try JSONSerialization.data(
                    withJSONObject: ["id": "e\(index)", "text": row.0, "label": row.1], options: [.sortedKeys]),
                as: UTF8.self)
        }
        try (lines.joined(separator: "\n") + "\n").write(to: url, atomically: true, encoding: .utf8)
    }

    @Test func trainPredictEvalAndProfileABundle() throws {
        let folder = try CLIFixtures.scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = folder.appendingPathComponent("train.jsonl")
        try Self.write(Self.examples, to: data)
        let bundle = folder.appendingPathComponent("bundle").path
        let report = folder.appendingPathComponent("report.json").path

        var (status, output) = try runSquire([
            "train", "--data", data.path, "--output", bundle, "--report", report, "--c", "10",
        ])
        #expect(status == 0, "\(output)")
        #expect(output.contains("C=10.0: validation accuracy"))
        #expect(output.contains("wrote \(bundle)"))
        for file in [
            "config.json", "head.safetensors", "labels.json", "MODEL_CARD.md", "manifest.json",
            "encoder/model.safetensors", "encoder/tokenizer.json",
        ] {
            #expect(FileManager.default.fileExists(atPath: bundle + "/" + file), "\(file)")
        }
        let trainingReport = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: report))) as? [String: Any])
        #expect(trainingReport["chosen"] as? String == "C=10.0")
        #expect(trainingReport["ece_before"] is Double && trainingReport["ece_after"] is Double)

        let inputs = folder.appendingPathComponent("inputs.jsonl")
        try Self.write(
            [
                ("my card has been stolen", "card"), ("money back please", "refund"),
                ("I have a new address", "address"),
            ], to: inputs)
        let predictions = folder.appendingPathComponent("predictions.jsonl")
        (status, output) = try runSquire([
            "predict", "--model", bundle, "--input", inputs.path, "--output", predictions.path, "--embeddings",
        ])
        #expect(status == 0, "\(output)")
        let lines = try CLIFixtures.jsonLines(predictions)
        #expect(lines.map { $0["label"] as? String } == ["card", "refund", "address"])
        #expect(lines.map { $0["true_label"] as? String } == ["card", "refund", "address"])
        #expect(lines.map { $0["id"] as? String } == ["e0", "e1", "e2"])
        for line in lines {
            let probabilities = try #require(line["probabilities"] as? [String: Double])
            #expect(abs(probabilities.values.reduce(0, +) - 1) < 1e-5)
            #expect(line["confidence"] as? Double == probabilities[line["label"] as! String])
            #expect((line["embedding"] as? [Double])?.count == 384)
            #expect((line["model_version"] as? String)?.count == 12)
            #expect(line["unknown_token_rate"] as? Double == 0)
        }

        // The same bundle through eval and profile.
        let evalReport = folder.appendingPathComponent("eval.json").path
        (status, output) = try runSquire(["eval", "--data", inputs.path, "--model", bundle, "--report", evalReport])
        #expect(status == 0, "\(output)")
        #expect(output.contains("3 examples (0 failed): accuracy 1.0000"))
        // A profile needs 40 or more answers: the training texts three times over.
        let validation = folder.appendingPathComponent("validation.jsonl")
        try Self.write(Self.examples + Self.examples + Self.examples, to: validation)
        let profile = folder.appendingPathComponent("profile.json").path
        let profiled = try runSquireJSON([
            "profile", "--data", validation.path, "--model", bundle, "--output", profile, "--window-size", "20",
            "--json",
        ])
        #expect(profiled.status == 0, "\(profiled.errors)")
        #expect(profiled.object?["predictions"] as? Int == Self.examples.count * 3)
        #expect(profiled.object?["window_size"] as? Int == 20)
        #expect(profiled.object?["shipped_accuracy"] is Double)
        let profileJSON = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: profile))) as? [String: Any])
        #expect(profileJSON["model_version"] as? String == lines[0]["model_version"] as? String)
    }

    @Test func tinyTransformerBundleTrainsAndPredicts() throws {
        let folder = try CLIFixtures.scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = folder.appendingPathComponent("train.jsonl")
        try Self.write(Self.examples + Self.examples, to: data)
        let bundle = folder.appendingPathComponent("tiny").path
        let trained = try runSquireJSON([
            "train", "--data", data.path, "--head", "tiny-transformer", "--epochs", "2", "--output", bundle, "--json",
        ])
        #expect(trained.status == 0, "\(trained.errors)")
        #expect(trained.errors.contains("epoch 2: validation loss"))
        #expect(trained.object?["output"] as? String == bundle)
        #expect((trained.object?["version"] as? String)?.count == 12)
        #expect(trained.object?["validation_accuracy"] is Double)
        #expect(FileManager.default.fileExists(atPath: bundle + "/tokenizer/tokenizer.json"))
        #expect(!FileManager.default.fileExists(atPath: bundle + "/encoder"))
        let predictions = folder.appendingPathComponent("predictions.jsonl")
        var (status, output) = try runSquire([
            "predict", "--model", bundle, "--input", data.path, "--output", predictions.path,
        ])
        #expect(status == 0, "\(output)")
        #expect(try CLIFixtures.jsonLines(predictions).count == Self.examples.count * 2)
        (status, output) = try runSquire([
            "predict", "--model", bundle, "--input", data.path, "--output", predictions.path, "--embeddings",
        ])
        #expect(status != 0 && output.contains("tiny transformer"))
        (status, output) = try runSquire([
            "train", "--data", data.path, "--head", "tiny-transformer", "--c", "1", "--output", bundle,
        ])
        #expect(status == 2 && output.contains("--c is for --recipe logistic, lora, few-shot, not tiny-transformer"))
    }

    @Test func badLabelSmoothingIsRefusedBeforeAnyWork() throws {
        var (status, output) = try runSquire([
            "train", "--data", "missing.jsonl", "--head", "mlp", "--label-smoothing", "1", "--output", "unused",
        ])
        #expect(status == 2 && output.contains("--label-smoothing must be in 0 ..< 1"), "\(output)")
        (status, output) = try runSquire([
            "train", "--data", "missing.jsonl", "--recipe", "logistic", "--label-smoothing", "0.1", "--output",
            "unused",
        ])
        #expect(
            status == 2 && output.contains("--label-smoothing is for --recipe mlp, lora, not logistic"), "\(output)")
    }

    @Test func loraWithAnMLPClassifierSavesItsLayersInTheAdapter() throws {
        let folder = try CLIFixtures.scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = folder.appendingPathComponent("train.jsonl")
        try Self.write(Self.examples + Self.examples, to: data)
        let bundle = folder.appendingPathComponent("lora-mlp").path
        var (status, output) = try runSquire([
            "train", "--data", data.path, "--recipe", "lora", "--hidden", "16", "--epochs", "1", "--output", bundle,
        ])
        #expect(status == 0, "\(output)")
        #expect(output.contains("with an MLP classifier"), "\(output)")
        let weights = try Data(contentsOf: URL(fileURLWithPath: bundle + "/adapter/adapter_model.safetensors"))
        let header = String(decoding: weights.prefix(4_096), as: UTF8.self)
        #expect(header.contains("base_model.model.classifier.layers.1.weight"))
        #expect(!header.contains("base_model.model.classifier.weight"))
        let card = try String(contentsOfFile: bundle + "/MODEL_CARD.md", encoding: .utf8)
        #expect(card.contains("an MLP classifier (hidden 16"))
        (status, output) = try runSquire([
            "predict", "--model", bundle, "--input", data.path, "--output",
            folder.appendingPathComponent("predictions.jsonl").path,
        ])
        #expect(status == 0, "\(output)")
    }

    @Test func loraBundleTrainsPredictsAndEvaluates() throws {
        let folder = try CLIFixtures.scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = folder.appendingPathComponent("train.jsonl")
        try Self.write(Self.examples + Self.examples, to: data)
        let bundle = folder.appendingPathComponent("lora").path
        var (status, output) = try runSquire([
            "train", "--data", data.path, "--lora", "rank=4,alpha=8,targets=query,value,intermediate.dense", "--epochs",
            "2", "--output", bundle,
        ])
        #expect(status == 0, "\(output)")
        #expect(output.contains("epoch 2: validation loss"))
        #expect(output.contains("LoRA rank 4 on query, value, intermediate.dense"))
        for file in [
            "adapter/adapter_config.json", "adapter/adapter_model.safetensors", "encoder/model.safetensors",
            "labels.json", "manifest.json",
        ] {
            #expect(FileManager.default.fileExists(atPath: bundle + "/" + file), "\(file)")
        }
        let config =
            try JSONSerialization.jsonObject(
                with: Data(contentsOf: URL(fileURLWithPath: bundle + "/adapter/adapter_config.json"))) as? [String: Any]
        #expect(config?["r"] as? Int == 4)
        #expect(config?["target_modules"] as? [String] == ["query", "value", "intermediate.dense"])
        let predictions = folder.appendingPathComponent("predictions.jsonl")
        (status, output) = try runSquire([
            "predict", "--model", bundle, "--input", data.path, "--output", predictions.path, "--embeddings",
        ])
        #expect(status == 0, "\(output)")
        let lines = try CLIFixtures.jsonLines(predictions)
        #expect(lines.count == Self.examples.count * 2)
        #expect(
            lines.allSatisfy {
                ($0["embedding"] as? [Double])?.count == 384 && ($0["model_version"] as? String)?.count == 12
            })
        (status, output) = try runSquire([
            "eval", "--data", data.path, "--model", bundle, "--report", folder.appendingPathComponent("eval.json").path,
        ])
        #expect(status == 0, "\(output)")
        (status, output) = try runSquire([
            "train", "--data", data.path, "--lora", "rank=4,targets=querry", "--output", bundle,
        ])
        #expect(status != 0 && output.contains("no layer of the model matches the LoRA targets querry"), "\(output)")
        (status, output) = try runSquire(["train", "--data", data.path, "--lora", "rank=0", "--output", bundle])
        #expect(status == 2 && output.contains("rank must be at least 1"), "\(output)")
        (status, output) = try runSquire([
            "train", "--data", data.path, "--lora", "rank=4", "--head", "mlp", "--output", bundle,
        ])
        #expect(status == 2 && output.contains("--lora trains its own classifier"), "\(output)")
    }

    @Test func malformedDataNamesTheLine() throws {
        let folder = try CLIFixtures.scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = folder.appendingPathComponent("bad.jsonl")
        try "{\"text\": \"fine\", \"label\": \"a\"}\n{\"text\": \"no label\"}\n".write(
            to: data, atomically: true, encoding: .utf8)
        let (status, output) = try runSquire([
            "train", "--data", data.path, "--output", folder.appendingPathComponent("b").path,
        ])
        #expect(status != 0)
        #expect(output.contains("bad.jsonl:2") || output.contains("line 2"), "\(output)")
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("b").path))
    }

    /// Warnings on the data before training, CSV texts for predict, rerunning onto an
    /// earlier output, and eval on labels the model does not know.
    @Test func warningsCSVInputsAndRerunningOntoEarlierOutputs() throws {
        let folder = try CLIFixtures.scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = folder.appendingPathComponent("train.jsonl")
        try Self.write(Self.examples + [("I lost my card", "refund"), ("cancel my account", "close")], to: data)
        let bundle = folder.appendingPathComponent("bundle").path
        var (status, output) = try runSquire(["train", "--data", data.path, "--output", bundle, "--c", "10"])
        #expect(status == 0, "\(output)")
        #expect(output.contains("warning: \(data.path): 1 label has a single example (close)"), "\(output)")
        #expect(output.contains("1 text appears with different labels, e.g. \"i lost my card\""), "\(output)")
        // Training again onto its own earlier bundle replaces it.
        (status, output) = try runSquire(["train", "--data", data.path, "--output", bundle, "--c", "10"])
        #expect(status == 0, "\(output)")

        let csv = folder.appendingPathComponent("requests.csv")
        try "id,text\nr1,\"my card, the blue one, is gone\"\nr2,refund please\n".write(
            to: csv, atomically: true, encoding: .utf8)
        let predictions = folder.appendingPathComponent("predictions.jsonl")
        for _ in 0..<2 {
            (status, output) = try runSquire([
                "predict", "--model", bundle, "--input", csv.path, "--output", predictions.path,
            ])
            #expect(status == 0, "\(output)")
        }
        let rows = try CLIFixtures.jsonLines(predictions)
        #expect(rows.map { $0["text"] as? String } == ["my card, the blue one, is gone", "refund please"])
        #expect(rows.map { $0["id"] as? String } == ["r1", "r2"])

        let test = folder.appendingPathComponent("test.jsonl")
        try Self.write([("my card is gone", "card"), ("what is my balance", "balance")], to: test)
        (status, output) = try runSquire([
            "eval", "--model", bundle, "--data", test.path, "--report", folder.appendingPathComponent("r.json").path,
        ])
        #expect(status == 0, "\(output)")
        #expect(
            output.contains(
                "warning: 1 of 2 examples carry 1 label the model does not know (balance); they count as errors"),
            "\(output)")
    }

    @Test func damagedBundleIsRefusedByPredict() throws {
        let folder = try CLIFixtures.scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let (status, output) = try runSquire([
            "predict", "--model", folder.path, "--input", "/dev/null", "--output",
            folder.appendingPathComponent("p.jsonl").path,
        ])
        #expect(status != 0)
        #expect(output.contains("is not a Squire bundle (it has no manifest.json)"), "\(output)")
    }
}
