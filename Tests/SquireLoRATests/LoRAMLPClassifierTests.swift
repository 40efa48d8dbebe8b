import Foundation
import GradientCheck
import SquireCore
import SquireLoRA
import SquireModels
import SquireTensor
import Testing

/// LoRA with an MLP classifier (`LoRAClassifier.Recipe.mlp`) on the toy base of
/// ``LoRAClassifierTests``: it learns, its gradients are right, and its adapter file —
/// `classifier.layers.<i>` in PEFT's layout — reloads to the same model.
@Suite struct LoRAMLPClassifierTests {
    static var recipe: LoRAClassifier.Recipe {
        var recipe = LoRAClassifierTests.recipe
        recipe.adapter.dropout = 0
        var mlp = MLPHead.Configuration(hiddenSizes: [8], dropoutRate: 0.1, labelSmoothing: 0.1)
        mlp.training.epochs = 20
        recipe.mlp = mlp
        return recipe
    }

    static func scratch() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("squire-lora-mlp-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    @Test func learnsWithAnMLPClassifierAndFoldsItsStandardization() async throws {
        let base = try LoRAClassifierTests.base()
        let (texts, labels) = LoRAClassifierTests.examples(count: 240, seed: 1)
        let model = try LoRAClassifier.fit(texts: texts, labels: labels, base: base, recipe: Self.recipe).model
        #expect(!model.hasLinearClassifier && model.head.layers.map(\.outputDimension) == [8, 3])
        #expect(model.head.labelSmoothing == 0.1)
        // Folded after training: the classifier reads the raw features.
        #expect(model.head.inputMean.scalars.allSatisfy { $0 == 0 })
        #expect(model.head.inputScale.scalars.allSatisfy { $0 == 1 })
        let (testTexts, testLabels) = LoRAClassifierTests.examples(count: 60, seed: 99)
        let answers = try await model.classify(testTexts)
        let accuracy = Double(zip(answers, testLabels).filter { $0.label == $1 }.count) / Double(testLabels.count)
        #expect(accuracy > 0.8, "LoRA with an MLP classifier: \(accuracy)")
        #expect(model.trainableParameters.keys.contains("classifier.layers.1.weight"))
        let merged = try model.merged()
        for (a, b) in zip(answers, try await merged.classify(testTexts)) {
            #expect(a.label == b.label)
            for label in model.labels { #expect(abs(a.probabilities[label]! - b.probabilities[label]!) < 1e-5) }
        }
    }

    @Test(arguments: [true, false])
    func gradientsMatchFiniteDifferences(mlp: Bool) throws {
        let base = try LoRAClassifierTests.base()
        let (texts, labels) = LoRAClassifierTests.examples(count: 60, seed: 4)
        var recipe = Self.recipe
        recipe.training.epochs = 2
        recipe.mlp?.dropoutRate = 0  // finite differences need the same network on every probe
        if !mlp { recipe.mlp = nil }
        let model = try LoRAClassifier.fit(texts: texts, labels: labels, base: base, recipe: recipe).model
        let batch = TokenBatch(
            sequences: texts.prefix(6).map { base.tokenizer.encode($0).ids },
            // Every label moved to the next one: a large loss, whose gradient reaches the
            // adapters far above Float's rounding of the loss (the finite differences' noise).
            classIndices: labels.prefix(6).map { (model.labels.firstIndex(of: $0)! + 1) % 3 })
        var noise = SeededGenerator(seed: 0)
        let (_, gradients) = try model.lossAndGradients(on: batch, using: &noise)
        #expect(gradients.keys == model.trainableParameters.keys)
        let probed =
            (mlp ? ["classifier.layers.0.bias", "classifier.layers.1.weight"] : ["classifier.weight"])
            // Value and feed-forward adapters: the random base's attention is near uniform, so
            // a query adapter's gradient is too small for float finite differences to see.
            + [
                "encoder.layer.1.attention.self.value.lora_B.weight",
                "encoder.layer.0.intermediate.dense.lora_B.weight",
            ]
        for key in probed {
            let error = try GradientCheck.relativeError(
                of: gradients.tensor(forKey: key), at: model.trainableParameters.tensor(forKey: key), step: 1e-2
            ) { value in
                var probe = model
                var values = model.trainableParameters
                values[key] = value
                try probe.assignTrainableParameters(values)
                var generator = SeededGenerator(seed: 0)
                return try probe.lossAndGradients(on: batch, using: &generator).loss
            }
            #expect(error < 1e-2, "\(key): \(error)")
        }
    }

    /// A model fitted on `count` toy examples for `epochs` with ``recipe``, and what it was fitted on.
    static func fitted(count: Int, epochs: Int) throws -> (
        model: LoRAClassifier, base: SentenceEmbedder, texts: [String]
    ) {
        let base = try LoRAClassifierTests.base()
        let (texts, labels) = LoRAClassifierTests.examples(count: count, seed: 2)
        var recipe = Self.recipe
        recipe.training.epochs = epochs
        return (try LoRAClassifier.fit(texts: texts, labels: labels, base: base, recipe: recipe).model, base, texts)
    }

    @Test func adapterFileHoldsTheLayersAndReloadsTheSameModel() throws {
        let (model, base, texts) = try Self.fitted(count: 90, epochs: 2)
        let folder = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("adapter").path
        try LoRAAdapter(model).write(to: path)
        let names = try SafetensorsFile(path: path + "/adapter_model.safetensors").names
        #expect(names.contains("base_model.model.classifier.layers.0.weight"))
        #expect(names.contains("base_model.model.classifier.layers.1.bias"))
        #expect(!names.contains("base_model.model.classifier.weight"))
        let adapter = try LoRAAdapter(folder: path)
        #expect(adapter.hiddenLayers.count == 1)
        let reloaded = try adapter.classifier(on: base, labels: model.labels)
        let sequences = texts.map { base.tokenizer.encode($0).ids }
        #expect(try reloaded.logits(for: sequences) == model.logits(for: sequences))
    }

    @Test func refusesLayersWithAGapOrBesideALinearClassifier() throws {
        let model = try Self.fitted(count: 30, epochs: 1).model
        let folder = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let good = folder.appendingPathComponent("good").path
        try LoRAAdapter(model).write(to: good)
        let file = try SafetensorsFile(path: good + "/adapter_model.safetensors")
        // Each damage renames or adds classifier tensors in a copy of the good file.
        let damages: [(String, (String) -> String?, [String: Tensor])] = [
            ("gap", { $0.replacingOccurrences(of: "classifier.layers.1.", with: "classifier.layers.2.") }, [:]),
            ("missing bias", { $0.hasSuffix("classifier.layers.1.bias") ? nil : $0 }, [:]),
            (
                "beside a linear one", { $0 },
                [
                    "base_model.model.classifier.weight": try Tensor.zeros([3, 16]),
                    "base_model.model.classifier.bias": try Tensor.zeros([3]),
                ]
            ),
        ]
        for (name, rename, extra) in damages {
            let damaged = folder.appendingPathComponent(name).path
            try FileManager.default.createDirectory(atPath: damaged, withIntermediateDirectories: true)
            try FileManager.default.copyItem(
                atPath: good + "/adapter_config.json", toPath: damaged + "/adapter_config.json")
            var writer = SafetensorsWriter()
            for key in file.names {
                if let renamed = rename(key) { try writer.add(file.tensor(key), named: renamed) }
            }
            for (key, tensor) in extra { try writer.add(tensor, named: key) }
            try writer.write(to: damaged + "/adapter_model.safetensors")
            #expect(throws: LoRAError.self, "\(name)") { try LoRAAdapter(folder: damaged) }
        }
    }
}
