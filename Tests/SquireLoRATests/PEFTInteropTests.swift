import Foundation
import SquireLoRA
import SquireModels
import SquireTensor
import Testing

/// Adapters in PEFT's format: one trained and saved by PEFT itself (the fixture, made by
/// `Scripts/peers/peft-lora.py make-fixture`), Squire's own written and read back, and the
/// damaged or unsupported files a user may hand over.
@Suite struct PEFTInteropTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
    static let peftAdapter = fixtures.appendingPathComponent("peft-adapter").path
    static let modelFolder = ModelFolder.allMiniLML6V2
    static let base: SentenceEmbedder? = try? SentenceEmbedder(folder: modelFolder)
    static let missingModel = "needs all-MiniLM-L6-v2: run Scripts/setup/fetch-model.sh (or set SQUIRE_MODEL_DIR)"

    struct Expected: Decodable {
        var texts: [String]
        var logits: [[Float]]
    }

    @Test func readsAPEFTTrainedAdapter() throws {
        let adapter = try LoRAAdapter(folder: Self.peftAdapter)
        #expect(
            adapter.configuration
                == LoRAConfiguration(rank: 2, alpha: 4, dropout: 0, targetModules: ["query", "value"]))
        #expect(adapter.weights.count == 12)
        #expect(adapter.weights.first?.key == "encoder.layer.0.attention.self.query")
        #expect(adapter.weights.last?.key == "encoder.layer.5.attention.self.value")
        #expect(adapter.classifier?.weight.shape == [3, 384])
    }

    @Test(.enabled(if: base != nil, "\(missingModel)"))
    func givesPEFTsOutputs() throws {
        let base = try #require(Self.base)
        let labels = try JSONDecoder().decode(
            [String].self, from: Data(contentsOf: URL(fileURLWithPath: Self.peftAdapter + "/labels.json")))
        let expected = try JSONDecoder().decode(
            Expected.self, from: Data(contentsOf: URL(fileURLWithPath: Self.peftAdapter + "/expected.json")))
        let model = try LoRAAdapter(folder: Self.peftAdapter).classifier(on: base, labels: labels)
        let logits = try model.logits(for: expected.texts.map { base.tokenizer.encode($0).ids })
        let worst = zip(logits.scalars, expected.logits.flatMap { $0 }).map { abs($0 - $1) }.max() ?? .infinity
        #expect(worst < 1e-4, "worst |Δ logit| \(worst)")
        // The adapter matters: the base model with the same classifier answers differently.
        let plain = try #require(LoRAAdapter(folder: Self.peftAdapter).classifier).forward(
            base.embeddings(for: expected.texts))
        let moved = zip(plain.scalars, expected.logits.flatMap { $0 }).map { abs($0 - $1) }.max() ?? 0
        #expect(moved > 1e-2, "\(moved)")
    }

    struct Gradients: Decodable {
        struct Tensor: Decodable {
            var norm: Double
            var first: [Float]
        }
        var loss: Double
        var targets: [Int]
        var gradients: [String: Tensor]
    }

    /// One training step against PEFT's: the same loss and the same gradient for every
    /// adapter tensor and the classifier (`gradients.json`, from `peft-lora.py gradient-fixture`).
    @Test(.enabled(if: base != nil, "\(missingModel)"))
    func trainingStepMatchesPEFT() throws {
        let base = try #require(Self.base)
        let labels = try JSONDecoder().decode(
            [String].self, from: Data(contentsOf: URL(fileURLWithPath: Self.peftAdapter + "/labels.json")))
        let texts = try JSONDecoder().decode(
            Expected.self, from: Data(contentsOf: URL(fileURLWithPath: Self.peftAdapter + "/expected.json"))
        ).texts
        let expected = try JSONDecoder().decode(
            Gradients.self, from: Data(contentsOf: URL(fileURLWithPath: Self.peftAdapter + "/gradients.json")))
        let model = try LoRAAdapter(folder: Self.peftAdapter).classifier(on: base, labels: labels)
        var generator = SeededGenerator(seed: 0)
        let (loss, gradients) = try model.lossAndGradients(
            on: LoRAClassifier.Batch(
                sequences: texts.map { base.tokenizer.encode($0).ids }, classIndices: expected.targets),
            using: &generator)
        #expect(abs(loss - expected.loss) < 1e-4 * expected.loss, "loss \(loss) vs PEFT \(expected.loss)")
        let keys = model.trainableParameters.map(\.key)
        #expect(Set(keys) == Set(expected.gradients.keys))
        for (key, gradient) in zip(keys, gradients.tensors) {
            let peft = try #require(expected.gradients[key])
            let norm = gradient.scalars.reduce(0) { $0 + Double($1) * Double($1) }.squareRoot()
            #expect(abs(norm - peft.norm) < 1e-3 * peft.norm, "\(key): norm \(norm) vs PEFT \(peft.norm)")
            let worst = zip(gradient.scalars.prefix(8), peft.first).map { abs($0 - $1) }.max() ?? .infinity
            #expect(Double(worst) < 1e-3 * peft.norm, "\(key): first elements differ by \(worst)")
        }
    }

    @Test func writesWhatItReads() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "squire-adapter-\(UUID().uuidString)"
        ).path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let original = try LoRAAdapter(folder: Self.peftAdapter)
        try original.write(to: folder, baseModel: "sentence-transformers/all-MiniLM-L6-v2")
        let reread = try LoRAAdapter(folder: folder)
        #expect(reread.configuration == original.configuration)
        #expect(reread.weights == original.weights)
        #expect(reread.classifier == original.classifier)
        let config =
            try JSONSerialization.jsonObject(
                with: Data(contentsOf: URL(fileURLWithPath: folder + "/adapter_config.json"))) as? [String: Any]
        #expect(config?["peft_type"] as? String == "LORA")
        #expect(config?["modules_to_save"] as? [String] == ["classifier"])
        #expect(config?["target_modules"] as? [String] == ["query", "value"])
        let names = try SafetensorsFile(path: folder + "/adapter_model.safetensors").names
        #expect(names.contains("base_model.model.bert.encoder.layer.3.attention.self.value.lora_B.weight"))
        #expect(names.contains("base_model.model.classifier.weight"))
    }

    /// A copy of the fixture with `adapter_config.json` edited by `change`.
    static func edited(_ change: (inout [String: Any]) -> Void) throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "squire-adapter-\(UUID().uuidString)"
        ).path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try FileManager.default.copyItem(
            atPath: peftAdapter + "/adapter_model.safetensors", toPath: folder + "/adapter_model.safetensors")
        var config =
            try JSONSerialization.jsonObject(
                with: Data(contentsOf: URL(fileURLWithPath: peftAdapter + "/adapter_config.json"))) as! [String: Any]
        change(&config)
        try JSONSerialization.data(withJSONObject: config).write(
            to: URL(fileURLWithPath: folder + "/adapter_config.json"))
        return folder
    }

    /// Each field set to a value (as JSON) that Squire must refuse, and what the error mentions.
    @Test(arguments: [
        ("use_dora", "true", "DoRA"), ("bias", "\"all\"", "bias"),
        ("target_modules", "\".*query\"", "regular expression"),
        ("r", "4", "rank 4"), ("peft_type", "\"IA3\"", "IA3"), ("lora_alpha", "-1", "alpha"),
        ("rank_pattern", "{\"query\": 4}", "rank_pattern"),
    ])
    func refusesWhatItCannotApply(field: String, json: String, mention: String) throws {
        let value = try JSONSerialization.jsonObject(with: Data(json.utf8), options: .fragmentsAllowed)
        let folder = try Self.edited { $0[field] = value }
        defer { try? FileManager.default.removeItem(atPath: folder) }
        #expect { try LoRAAdapter(folder: folder) } throws: { error in
            "\(error)".contains(mention)
        }
    }

    @Test func refusesMissingAndDamagedFiles() throws {
        #expect(throws: LoRAError.self) { try LoRAAdapter(folder: "/nonexistent/adapter") }
        let folder = try Self.edited { _ in }
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let weights = folder + "/adapter_model.safetensors"
        let bytes = try Data(contentsOf: URL(fileURLWithPath: weights))
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: weights))
        #expect(throws: SafetensorsError.self) { try LoRAAdapter(folder: folder) }
        try FileManager.default.removeItem(atPath: weights)
        #expect { try LoRAAdapter(folder: folder) } throws: { "\($0)".contains("adapter_model.bin") }
    }

    @Test(.enabled(if: base != nil, "\(missingModel)"))
    func refusesAClassifierThatDoesNotFit() throws {
        let base = try #require(Self.base)
        let adapter = try LoRAAdapter(folder: Self.peftAdapter)
        #expect(throws: LoRAError.self) { try adapter.classifier(on: base, labels: ["a", "b"]) }
        var headless = adapter
        headless.classifier = nil
        #expect { try headless.classifier(on: base, labels: ["address", "card", "refund"]) } throws: {
            "\($0)".contains("modules_to_save")
        }
    }
}
