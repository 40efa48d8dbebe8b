import Foundation
import Squire
import Testing

/// `ModelBundle` opens every kind of bundle Squire writes without being told which, and
/// turns away what it cannot read by name.
@Suite(.enabled(if: Fixtures.hasModel, "needs all-MiniLM-L6-v2: run Scripts/setup/fetch-model.sh"))
struct ModelBundleTests {
    /// Trains a bundle of every kind (and a quantized one), opens each with `ModelBundle`,
    /// and checks that it is the model that was trained: same kind, version and answers.
    @Test func opensEveryKindSquireWrites() async throws {
        let folder = try Fixtures.scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = try Fixtures.dataset()
        var options = TrainingOptions()
        options.calibrates = false
        var trained: [(TrainedClassifier, String)] = []
        for (name, train) in [
            (
                "logistic",
                { try ClassifierTraining.frozenHead(ClassifierRecipe(head: .logistic), on: data, options: $0) }
            ),
            (
                "mlp",
                {
                    var recipe = ClassifierRecipe(head: .mlp, weightDecays: [0.01])
                    recipe.mlp.training.epochs = 3
                    return try ClassifierTraining.frozenHead(recipe, on: data, options: $0)
                }
            ),
            ("tiny", { try ClassifierTraining.tinyTransformer(Fixtures.smallTransformer, on: data, options: $0) }),
            ("lora", { try ClassifierTraining.lora(Fixtures.smallLoRA, on: data, options: $0) }),
        ] as [(String, (TrainingOptions) throws -> TrainedClassifier)] {
            options.bundleFolder = folder.appendingPathComponent(name).path
            trained.append((try train(options), name))
        }
        for (model, name) in trained {
            let bundle = try ModelBundle(folder: folder.appendingPathComponent(name).path)
            #expect(bundle.kind == model.kind, "\(name)")
            #expect(bundle.weights == .float32)
            #expect(bundle.version == model.version)
            #expect(bundle.card == model.card)
            let opened = try await bundle.classifier.classify(Fixtures.probes)
            let original = try await model.classifier.classify(Fixtures.probes)
            #expect(opened.map(\.label) == original.map(\.label), "\(name)")
            for (a, b) in zip(opened, original) { #expect(abs(a.confidence - b.confidence) < 1e-5, "\(name)") }
            #expect((bundle.embedder == nil) == (model.kind == .tinyTransformer))
        }
        #expect(trained.map(\.0.kind) == [.logisticHead, .mlpHead, .tinyTransformer, .lora])

        // A quantized encoder under the logistic head: opened as a logistic head with int8 weights.
        let quantized = try QuantizedBundle(
            quantizing: ClassifierBundle(folder: folder.appendingPathComponent("logistic").path), to: .int8)
        let quantizedFolder = folder.appendingPathComponent("int8").path
        try quantized.save(to: quantizedFolder)
        let bundle = try ModelBundle(folder: quantizedFolder)
        #expect(bundle.kind == .logisticHead)
        #expect(bundle.weights == .quantized(.int8))
        #expect(bundle.weights.description == "int8")
        let embeddings = try #require(bundle.embedder).embeddings(for: Fixtures.probes)
        let fromEmbeddings = try bundle.classifications(forEmbeddings: embeddings)
        #expect(fromEmbeddings.map(\.label) == (try await bundle.classifier.classify(Fixtures.probes)).map(\.label))

        // A tiny transformer has no sentence encoder to read embeddings from.
        let tiny = try ModelBundle(folder: folder.appendingPathComponent("tiny").path)
        #expect(throws: ModelError.self) { try tiny.classifications(forEmbeddings: embeddings) }
    }

    /// Not a bundle, a newer format, an unknown kind, a damaged or truncated file: each a
    /// typed error naming the file.
    @Test func turnsAwayWhatItCannotRead() throws {
        let folder = try Fixtures.scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let original = folder.appendingPathComponent("bundle").path
        var options = TrainingOptions(bundleFolder: original)
        options.calibrates = false
        _ = try ClassifierTraining.frozenHead(
            ClassifierRecipe(head: .logistic, inverseRegularizations: [1]), on: try Fixtures.dataset(), options: options
        )

        // The base model's own folder has a config.json but is no bundle.
        #expect(throws: BundleError.notABundle(folder: ModelFolder.allMiniLML6V2)) {
            try ModelBundle(folder: ModelFolder.allMiniLML6V2)
        }

        func damaged(_ name: String, _ damage: (String) throws -> Void) throws -> String {
            let copy = folder.appendingPathComponent(name).path
            try FileManager.default.copyItem(atPath: original, toPath: copy)
            try damage(copy)
            return copy
        }
        func editConfig(_ folder: String, _ edit: (inout [String: Any]) -> Void) throws {
            let url = URL(fileURLWithPath: folder + "/config.json")
            var object = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
            edit(&object)
            try JSONSerialization.data(withJSONObject: object).write(to: url)
        }

        let newer = try damaged("newer") { try editConfig($0) { $0["format"] = "squire-classifier-bundle-2" } }
        #expect(
            throws: BundleError.unsupportedFormat(
                file: "config.json", format: "squire-classifier-bundle-2", supported: "squire-classifier-bundle-1")
        ) { try ModelBundle(folder: newer) }

        // A newer Squire's configuration may have another shape altogether: the format still decides.
        let reshaped = try damaged("reshaped") {
            try Data(#"{"format": "squire-bundle-3", "model": {"kind": "router"}}"#.utf8)
                .write(to: URL(fileURLWithPath: $0 + "/config.json"))
        }
        #expect(
            throws: BundleError.unsupportedFormat(
                file: "config.json", format: "squire-bundle-3", supported: "squire-classifier-bundle-1")
        ) { try ModelBundle(folder: reshaped) }

        let unknown = try damaged("unknown") {
            try editConfig($0) { $0["head"] = ["type": "gradient-boosted-trees"] }
        }
        #expect(
            throws: BundleError.unknownKind(
                file: "config.json", kind: "gradient-boosted-trees",
                known: ["logistic", "mlp", "tiny-transformer", "lora"])
        ) { try ModelBundle(folder: unknown) }

        let truncated = try damaged("truncated") {
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: $0 + "/head.safetensors"))
            try handle.truncate(atOffset: 100)
            try handle.close()
        }
        #expect {
            try ModelBundle(folder: truncated)
        } throws: { error in
            guard case .sizeMismatch(let file, _, let actual) = error as? BundleError else { return false }
            return file == "head.safetensors" && actual == 100
        }

        let garbled = try damaged("garbled") {
            try Data("{ not json".utf8).write(to: URL(fileURLWithPath: $0 + "/config.json"))
        }
        #expect {
            try ModelBundle(folder: garbled)
        } throws: { error in
            guard case .sizeMismatch(let file, _, _) = error as? BundleError else { return false }
            return file == "config.json"
        }

        let edited = try damaged("edited") {
            let url = URL(fileURLWithPath: $0 + "/labels.json")
            let text = try String(contentsOf: url, encoding: .utf8).replacingOccurrences(of: "card", with: "cart")
            try Data(text.utf8).write(to: url)
        }
        #expect {
            try ModelBundle(folder: edited)
        } throws: { error in
            guard case .checksumMismatch(let file, _, _) = error as? BundleError else { return false }
            return file == "labels.json"
        }
    }
}
